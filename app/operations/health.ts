/**
 * GET /health: 200 without credentials. `?deep=1` also proves the secrets are readable
 * and the upstream answers (the canary PreTraffic hook calls it on the new version).
 */
import type { Route } from '../core/router.ts';
import { jsonResponse, type GatewayResponse } from '../core/response.ts';
import type { OperationContext } from './context.ts';

export async function health(ctx: OperationContext<Extract<Route, { op: 'Health' }>>): Promise<GatewayResponse> {
  const deep = ctx.request.query.deep;
  if (deep === undefined || deep === '0' || deep === 'false') return jsonResponse(200, { status: 'ok' });
  const checks = await ctx.deps.health.deep();
  return jsonResponse(200, { status: 'ok', checks });
}
