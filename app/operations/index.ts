/** The operation table: one handler per route, typed so that each receives its own route. */
import type { GatewayResponse } from '../core/response.ts';
import type { OperationName, Route } from '../core/router.ts';
import type { OperationContext } from './context.ts';
import { converse } from './converse.ts';
import { converseStream } from './converseStream.ts';
import { countTokens } from './countTokens.ts';
import { getFoundationModel, listFoundationModels } from './foundationModels.ts';
import { health } from './health.ts';
import { invokeModel, invokeModelWithResponseStream } from './invokeModel.ts';

export const OPERATIONS: {
  readonly [K in OperationName]: (ctx: OperationContext<Extract<Route, { op: K }>>) => Promise<GatewayResponse>;
} = {
  Converse: converse,
  ConverseStream: converseStream,
  InvokeModel: invokeModel,
  InvokeModelWithResponseStream: invokeModelWithResponseStream,
  CountTokens: countTokens,
  ListFoundationModels: listFoundationModels,
  GetFoundationModel: getFoundationModel,
  Health: health,
};
