/**
 * GET /foundation-models and GET /foundation-models/{id}, in Bedrock control-plane shapes. A caller
 * with a model allow-list sees only its models, and is refused the others by name.
 */
import { mayUseModel } from '../auth/modelAccess.ts';
import { modelAccessDenied } from '../core/errors.ts';
import type { Route } from '../core/router.ts';
import { jsonResponse, type GatewayResponse } from '../core/response.ts';
import type { OperationContext } from './context.ts';

const visibleTo = (ctx: OperationContext, modelId: string | undefined): boolean =>
  ctx.caller?.allowedModels === undefined || mayUseModel(ctx.caller, ctx.deps.resolveModel(modelId ?? '').names);

export async function listFoundationModels(ctx: OperationContext<Extract<Route, { op: 'ListFoundationModels' }>>): Promise<GatewayResponse> {
  const { byProvider, byOutputModality, byInferenceType, byCustomizationType } = ctx.request.query;
  const all = await ctx.deps.catalog.list({ byProvider, byOutputModality, byInferenceType, byCustomizationType });
  return jsonResponse(200, { modelSummaries: all.filter((summary) => visibleTo(ctx, summary.modelId)) });
}

export async function getFoundationModel(ctx: OperationContext<Extract<Route, { op: 'GetFoundationModel' }>>): Promise<GatewayResponse> {
  const modelDetails = await ctx.deps.catalog.get(ctx.route.modelId);
  if (!visibleTo(ctx, modelDetails.modelId)) throw modelAccessDenied();
  return jsonResponse(200, { modelDetails });
}
