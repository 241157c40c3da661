/** POST /model/{modelId}/converse: one Chat Completions call, translated both ways. */
import { chatToConverse } from '../convert/converse/response.ts';
import { converseToChat } from '../convert/converse/request.ts';
import type { Route } from '../core/router.ts';
import { jsonResponse, type GatewayResponse } from '../core/response.ts';
import { ConverseRequest } from '../schemas/converse.ts';
import { parseJsonBody, parseWith } from '../schemas/validate.ts';
import { elapsedMs, resolveModelFor, type OperationContext } from './context.ts';

type ConverseRoute = Extract<Route, { op: 'Converse' }>;

export async function converse(ctx: OperationContext<ConverseRoute>): Promise<GatewayResponse> {
  const request = parseWith(ConverseRequest, parseJsonBody(ctx.request.body));
  const model = resolveModelFor(ctx);
  const params = { ...converseToChat(request, model.upstream), stream: false as const };

  const upstreamStarted = performance.now();
  const completion = await ctx.deps.tracing.span('openai.chat.completions', () =>
    ctx.deps.upstream.chat(params, ctx.request.signal),
  );
  ctx.record.upstreamLatencyMs = elapsedMs(upstreamStarted);

  const response = chatToConverse(completion, {
    latencyMs: Math.round(elapsedMs(ctx.startedAt)),
    additionalModelResponseFieldPaths: request.additionalModelResponseFieldPaths,
  });
  ctx.record.inputTokens = response.usage.inputTokens;
  ctx.record.outputTokens = response.usage.outputTokens;
  return jsonResponse(200, response);
}
