/** What every operation receives: its route, the request, the shared dependencies, and its record. */
import type { Config } from '../config/config.ts';
import { checkModelAccess } from '../auth/modelAccess.ts';
import type { RequestBody } from '../core/body.ts';
import type { Caller } from '../core/caller.ts';
import type { GatewayRequest } from '../core/request.ts';
import type { Route } from '../core/router.ts';
import type { ModelCatalog } from '../models/catalog.ts';
import type { ResolvedModel } from '../models/resolve.ts';
import { type RequestRecord, UNMAPPED_MODEL_DIMENSION } from '../observability/requestRecord.ts';
import type { Tracing } from '../observability/tracing.ts';
import type { Upstream } from '../upstream/upstream.ts';

export interface HealthCheck {
  /** Deep check: secrets readable and the upstream answering. Throws a BedrockError when not. */
  deep(): Promise<Record<string, string>>;
}

export interface GatewayDeps {
  readonly config: Config;
  readonly upstream: Upstream;
  readonly catalog: ModelCatalog;
  readonly resolveModel: (modelId: string) => ResolvedModel;
  readonly tracing: Tracing;
  readonly health: HealthCheck;
}

export interface OperationContext<R extends Route = Route> {
  readonly route: R;
  readonly request: GatewayRequest;
  /** The body, read once by the pipeline (within the size limit). */
  readonly body: RequestBody;
  /** Who is asking; undefined only for the health check, which needs no credentials. */
  readonly caller: Caller | undefined;
  readonly requestId: string;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  readonly deps: GatewayDeps;
  /** Mutable: operations fill in model, tokens, upstream latency, time to first token. */
  readonly record: RequestRecord;
}

/** Resolves the route's model id, checks the caller may use it, and notes it on the record. */
export function resolveModelFor(ctx: OperationContext<Route & { modelId: string }>): ResolvedModel {
  const resolved = ctx.deps.resolveModel(ctx.route.modelId);
  checkModelAccess(ctx.caller, resolved.names);
  ctx.record.modelId = ctx.route.modelId;
  ctx.record.modelDimension = resolved.mapped ? resolved.upstream : UNMAPPED_MODEL_DIMENSION;
  return resolved;
}

export const elapsedMs = (since: number): number => Math.round((performance.now() - since) * 1000) / 1000;
