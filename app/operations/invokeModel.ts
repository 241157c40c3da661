/**
 * POST /model/{id}/invoke and /invoke-with-response-stream. The body's family (Anthropic
 * Messages, Nova, Llama, Mistral, Titan, embeddings) is chosen by its shape and the model
 * id; text families go through the same Converse <-> Chat Completions path as Converse.
 */
import { ConverseStreamTranslator } from '../convert/converse/stream.ts';
import { converseToChat } from '../convert/converse/request.ts';
import { chatToConverse } from '../convert/converse/response.ts';
import type { ConverseResponseJson } from '../convert/converse/types.ts';
import type { EmbeddingFamily, InvokeContext, TextFamily } from '../convert/invoke/family.ts';
import { parseInvokeBody } from '../convert/invoke/body.ts';
import { selectFamily } from '../convert/invoke/registry.ts';
import { validation } from '../core/errors.ts';
import type { Route } from '../core/router.ts';
import { jsonResponse, type GatewayResponse } from '../core/response.ts';
import { encodeEvent, INVOKE_STREAM_EXCEPTIONS } from '../eventstream/encoder.ts';
import { elapsedMs, resolveModelFor, type OperationContext } from './context.ts';
import { EVENT_STREAM_CONTENT_TYPE, streamFrames } from './streamFrames.ts';
import { completeChat, createEmbeddings, openChatStream } from './upstreamCalls.ts';

type InvokeRoute = Extract<Route, { op: 'InvokeModel' | 'InvokeModelWithResponseStream' }>;

function prepare(ctx: OperationContext<InvokeRoute>) {
  const body = parseInvokeBody(ctx.body, 'body');
  const model = resolveModelFor(ctx);
  const family = selectFamily(body, ctx.route.modelId);
  const invokeCtx: InvokeContext = { modelId: ctx.route.modelId, upstreamModel: model.upstream, requestId: ctx.requestId };
  return { body, family, invokeCtx };
}

function tokenHeaders(input: number, output: number, latencyMs: number): Record<string, string> {
  return {
    'X-Amzn-Bedrock-Input-Token-Count': String(input),
    'X-Amzn-Bedrock-Output-Token-Count': String(output),
    'X-Amzn-Bedrock-Invocation-Latency': String(Math.round(latencyMs)),
  };
}

export async function invokeModel(ctx: OperationContext<Extract<Route, { op: 'InvokeModel' }>>): Promise<GatewayResponse> {
  const { body, family, invokeCtx } = prepare(ctx);
  if (family.kind === 'embedding') return invokeEmbedding(ctx, family, body, invokeCtx);
  const converse = await completeText(ctx, family, body, invokeCtx);
  const out = family.fromConverse(converse, invokeCtx);
  ctx.record.inputTokens = converse.usage.inputTokens;
  ctx.record.outputTokens = converse.usage.outputTokens;
  const headers = tokenHeaders(converse.usage.inputTokens ?? 0, converse.usage.outputTokens ?? 0, converse.metrics.latencyMs);
  if (converse.usage.cacheReadInputTokens) headers['X-Amzn-Bedrock-Cache-Read-Input-Token-Count'] = String(converse.usage.cacheReadInputTokens);
  return jsonResponse(200, out, headers);
}

async function completeText(
  ctx: OperationContext<InvokeRoute>,
  family: TextFamily,
  body: Record<string, unknown>,
  invokeCtx: InvokeContext,
): Promise<ConverseResponseJson> {
  const request = family.toConverse(body);
  const completion = await completeChat(ctx, converseToChat(request, invokeCtx.upstreamModel));
  return chatToConverse(completion, { latencyMs: Math.round(elapsedMs(ctx.startedAt)) });
}

async function invokeEmbedding(
  ctx: OperationContext<InvokeRoute>,
  family: EmbeddingFamily,
  body: Record<string, unknown>,
  invokeCtx: InvokeContext,
): Promise<GatewayResponse> {
  const request = family.toEmbeddingRequest(body);
  const result = await createEmbeddings(ctx, {
    model: invokeCtx.upstreamModel,
    input: request.input,
    encoding_format: 'float',
    ...(request.dimensions ? { dimensions: request.dimensions } : {}),
  });
  const vectors = [...result.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
  const inputTokens = result.usage?.prompt_tokens ?? 0;
  ctx.record.inputTokens = inputTokens;
  ctx.record.outputTokens = 0;
  const out = family.fromEmbeddings(vectors, inputTokens, body);
  return jsonResponse(200, out, tokenHeaders(inputTokens, 0, elapsedMs(ctx.startedAt)));
}

export async function invokeModelWithResponseStream(
  ctx: OperationContext<Extract<Route, { op: 'InvokeModelWithResponseStream' }>>,
): Promise<GatewayResponse> {
  const { body, family, invokeCtx } = prepare(ctx);
  if (family.kind === 'embedding') {
    throw validation(`The ${family.name} body does not support response streaming; call InvokeModel instead.`);
  }
  const request = family.toConverse(body);
  const chunks = await openChatStream(ctx, converseToChat(request, invokeCtx.upstreamModel));

  const translator = new ConverseStreamTranslator();
  const familyStream = family.streamEncoder(invokeCtx);
  const chunkFrame = (payload: unknown) =>
    encodeEvent('chunk', { bytes: Buffer.from(JSON.stringify(payload)).toString('base64') });

  return {
    kind: 'stream',
    status: 200,
    headers: { 'content-type': EVENT_STREAM_CONTENT_TYPE, 'X-Amzn-Bedrock-Content-Type': 'application/json' },
    body: streamFrames({
      ctx,
      chunks,
      translator,
      encode: (events) => events.flatMap((event) => familyStream.push(event).map(chunkFrame)),
      trailer: ({ latencyMs, firstByteLatencyMs }) => {
        const usage = translator.usage;
        return familyStream
          .finish({
            inputTokenCount: usage.inputTokens ?? 0,
            outputTokenCount: usage.outputTokens ?? 0,
            invocationLatency: latencyMs,
            firstByteLatency: firstByteLatencyMs,
            ...(usage.cacheReadInputTokens ? { cacheReadInputTokenCount: usage.cacheReadInputTokens } : {}),
            ...(usage.cacheWriteInputTokens ? { cacheWriteInputTokenCount: usage.cacheWriteInputTokens } : {}),
          })
          .map(chunkFrame);
      },
      exceptions: INVOKE_STREAM_EXCEPTIONS,
    }),
  };
}
