/**
 * The upstream as the operations see it: four calls, no transport details.
 * Production wires it to the openai SDK (upstream/openaiUpstream.ts); tests may pass a fake.
 * Every method throws a BedrockError (mapped in upstream/errors.ts), never a raw SDK error.
 */
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type { CreateEmbeddingResponse, EmbeddingCreateParams } from 'openai/resources/embeddings';
import type { Model } from 'openai/resources/models';

export type { ChatCompletion, ChatCompletionChunk, CreateEmbeddingResponse, EmbeddingCreateParams, Model };
export type ChatParams = ChatCompletionCreateParamsNonStreaming;
export type ChatStreamParams = ChatCompletionCreateParamsStreaming;

export interface Upstream {
  chat(params: ChatParams, signal?: AbortSignal): Promise<ChatCompletion>;
  /** Resolves once the upstream has answered with headers (errors before the first byte reject here). */
  chatStream(params: ChatStreamParams, signal?: AbortSignal): Promise<AsyncIterable<ChatCompletionChunk>>;
  embeddings(params: EmbeddingCreateParams, signal?: AbortSignal): Promise<CreateEmbeddingResponse>;
  listModels(signal?: AbortSignal): Promise<Model[]>;
}
