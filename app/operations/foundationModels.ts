/** GET /foundation-models and GET /foundation-models/{id}, in Bedrock control-plane shapes. */
import type { Route } from '../core/router.ts';
import { jsonResponse, type GatewayResponse } from '../core/response.ts';
import type { OperationContext } from './context.ts';

export async function listFoundationModels(ctx: OperationContext<Extract<Route, { op: 'ListFoundationModels' }>>): Promise<GatewayResponse> {
  const { byProvider, byOutputModality, byInferenceType, byCustomizationType } = ctx.request.query;
  const modelSummaries = await ctx.deps.catalog.list({ byProvider, byOutputModality, byInferenceType, byCustomizationType });
  return jsonResponse(200, { modelSummaries });
}

export async function getFoundationModel(ctx: OperationContext<Extract<Route, { op: 'GetFoundationModel' }>>): Promise<GatewayResponse> {
  const modelDetails = await ctx.deps.catalog.get(ctx.route.modelId);
  return jsonResponse(200, { modelDetails });
}
