/**
 * The operation table: one handler per route, typed so that each receives its own route.
 * InvokeModel (seven body families and their schemas) and CountTokens (the tokenizer) load on
 * first use: a cold start that serves Converse does not compile them.
 */
import type { GatewayResponse } from '../core/response.ts';
import type { OperationName, Route } from '../core/router.ts';
import type { OperationContext } from './context.ts';
import { converse } from './converse.ts';
import { converseStream } from './converseStream.ts';
import { getFoundationModel, listFoundationModels } from './foundationModels.ts';
import { health } from './health.ts';

type Handler<K extends OperationName> = (ctx: OperationContext<Extract<Route, { op: K }>>) => Promise<GatewayResponse>;

let invokeModule: Promise<typeof import('./invokeModel.ts')> | undefined;
const invoke = () => (invokeModule ??= import('./invokeModel.ts'));
let countTokensModule: Promise<typeof import('./countTokens.ts')> | undefined;
const counting = () => (countTokensModule ??= import('./countTokens.ts'));

export const OPERATIONS: { readonly [K in OperationName]: Handler<K> } = {
  Converse: converse,
  ConverseStream: converseStream,
  InvokeModel: async (ctx) => (await invoke()).invokeModel(ctx),
  InvokeModelWithResponseStream: async (ctx) => (await invoke()).invokeModelWithResponseStream(ctx),
  CountTokens: async (ctx) => (await counting()).countTokens(ctx),
  ListFoundationModels: listFoundationModels,
  GetFoundationModel: getFoundationModel,
  Health: health,
};
