/** POST /model/{id}/count-tokens: counted offline by the bundled tokenizer, no upstream call. */
import type { Route } from '../core/router.ts';
import { jsonResponse, type GatewayResponse } from '../core/response.ts';
import { parseJsonBody } from '../schemas/validate.ts';
import { countRequestTokens } from '../tokens/promptTokens.ts';
import { resolveModelFor, type OperationContext } from './context.ts';

export async function countTokens(ctx: OperationContext<Extract<Route, { op: 'CountTokens' }>>): Promise<GatewayResponse> {
  resolveModelFor(ctx);
  const result = await countRequestTokens(parseJsonBody(ctx.body), ctx.route.modelId);
  ctx.record.inputTokens = result.inputTokens;
  return jsonResponse(200, result);
}
