/**
 * InvokeModel body families. Each family is a pair of pure translations through the
 * Converse shapes, so every family reuses the one Converse <-> Chat Completions path:
 *
 *   family body --toConverse--> ConverseRequest --(convert/converse)--> OpenAI
 *   OpenAI --(convert/converse)--> ConverseResponseJson / ConverseStreamEvent --family--> family body / chunks
 *
 * Embedding families go to the upstream's /embeddings instead (EmbeddingFamily).
 */
import type { ConverseRequest } from '../../schemas/converse.ts';
import type { ConverseResponseJson, ConverseStreamEvent } from '../converse/types.ts';

export interface InvokeContext {
  /** The model id as the caller sent it (Bedrock id, profile id or ARN). */
  readonly modelId: string;
  /** The upstream model it resolved to. */
  readonly upstreamModel: string;
  /** The request id, usable as a message id. */
  readonly requestId: string;
}

/** Invocation metrics Bedrock appends to the last stream chunk (`amazon-bedrock-invocationMetrics`). */
export interface InvocationMetrics {
  inputTokenCount: number;
  outputTokenCount: number;
  invocationLatency: number;
  firstByteLatency: number;
  cacheReadInputTokenCount?: number;
  cacheWriteInputTokenCount?: number;
}

/** Turns Converse stream events into this family's stream chunks (each becomes one `chunk` frame). */
export interface FamilyStreamEncoder {
  /** Chunks (JSON objects) for one Converse event; possibly none. */
  push(event: ConverseStreamEvent): unknown[];
  /** Called after the last event with the final invocation metrics; returns trailing chunks, if any. */
  finish(metrics: InvocationMetrics): unknown[];
}

export interface TextFamily {
  readonly kind: 'text';
  readonly name: string;
  /** True when this body (already JSON-parsed) belongs to the family; the model id breaks ties. */
  matches(body: Record<string, unknown>, modelId: string): boolean;
  /** Validates (zod) and converts; throws a ValidationException naming the field on bad input. */
  toConverse(body: Record<string, unknown>): ConverseRequest;
  fromConverse(response: ConverseResponseJson, ctx: InvokeContext): unknown;
  streamEncoder(ctx: InvokeContext): FamilyStreamEncoder;
}

export interface EmbeddingRequest {
  readonly input: string[];
  readonly dimensions?: number;
}

export interface EmbeddingFamily {
  readonly kind: 'embedding';
  readonly name: string;
  matches(body: Record<string, unknown>, modelId: string): boolean;
  toEmbeddingRequest(body: Record<string, unknown>): EmbeddingRequest;
  /**
   * vectors are in input order; inputTokens as counted by the upstream. `body` has already passed
   * toEmbeddingRequest (which validates it), so it is not parsed again here.
   */
  fromEmbeddings(vectors: number[][], inputTokens: number, body: Record<string, unknown>): unknown;
}

export type InvokeFamily = TextFamily | EmbeddingFamily;
