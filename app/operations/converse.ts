/** POST /model/{modelId}/converse: one Chat Completions call, translated both ways. */
import { chatToConverse } from '../convert/converse/response.ts';
import { converseToChat } from '../convert/converse/request.ts';
import type { Route } from '../core/router.ts';
import { jsonResponse, type GatewayResponse } from '../core/response.ts';
import { ConverseRequest } from '../schemas/converse.ts';
import { parseJsonBody, parseWith } from '../schemas/validate.ts';
import { elapsedMs, resolveModelFor, type OperationContext } from './context.ts';
import { completeChat } from './upstreamCalls.ts';

type ConverseRoute = Extract<Route, { op: 'Converse' }>;

export async function converse(ctx: OperationContext<ConverseRoute>): Promise<GatewayResponse> {
  const request = parseWith(ConverseRequest, parseJsonBody(ctx.body));
  const model = resolveModelFor(ctx);
  const completion = await completeChat(ctx, converseToChat(request, model.upstream));

  const response = chatToConverse(completion, {
    latencyMs: Math.round(elapsedMs(ctx.startedAt)),
    additionalModelResponseFieldPaths: request.additionalModelResponseFieldPaths,
  });
  ctx.record.inputTokens = response.usage.inputTokens;
  ctx.record.outputTokens = response.usage.outputTokens;
  return jsonResponse(200, response);
}
