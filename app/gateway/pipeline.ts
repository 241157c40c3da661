/**
 * The transport-free pipeline: request in, response out. Routing, caller auth, reading the body
 * (and its size limit), the operation, error mapping and the per-request record all happen here,
 * once, for every edge (Lambda streaming, Lambda buffered, local HTTP/1.1 + h2c server).
 */
import { randomUUID } from 'node:crypto';
import type { Authenticator } from '../auth/authenticate.ts';
import { CLIENT_DISCONNECTED, type RequestRecord, type Telemetry } from '../observability/requestRecord.ts';
import { elapsedMs, type GatewayDeps, type OperationContext } from '../operations/context.ts';
import { OPERATIONS } from '../operations/index.ts';
import { bodyBytes, receivedWhole, type RequestBody } from '../core/body.ts';
import { BedrockError, bodyTooLarge, CallerAbortedError, toBedrockError } from '../core/errors.ts';
import { sanitizeMessage } from '../core/redact.ts';
import type { GatewayRequest } from '../core/request.ts';
import { errorResponse, type GatewayResponse } from '../core/response.ts';
import { route } from '../core/router.ts';
import { createCors } from './cors.ts';

export type Gateway = (request: GatewayRequest) => Promise<GatewayResponse>;

export interface GatewayOptions {
  readonly deps: GatewayDeps;
  readonly auth: Authenticator;
  readonly telemetry: Telemetry;
}

export function createGateway({ deps, auth, telemetry }: GatewayOptions): Gateway {
  const cors = createCors(deps.config.allowedOrigins);
  if (!cors) return answer;
  // A preflight is answered before routing and auth (it carries no credentials) and, as API
  // Gateway's preflight mocks, is not a request of its own in the logs or metrics.
  return async (request) => {
    const preflight = cors.preflight(request);
    if (preflight) return preflight;
    const response = await answer(request);
    cors.decorate(request, response.headers);
    return response;
  };

  async function answer(request: GatewayRequest): Promise<GatewayResponse> {
    const startedAt = performance.now();
    const requestId = request.requestId ?? randomUUID();
    const record: RequestRecord = { requestId, operation: 'Unknown', status: 0, latencyMs: 0 };
    const finish = (status: number, error?: BedrockError) => {
      record.status = status;
      if (error) {
        record.exception ??= error.exception;
        record.upstreamError ||= error.fromUpstream;
      }
      record.latencyMs = elapsedMs(startedAt);
      telemetry.record(record);
    };

    let response: GatewayResponse;
    try {
      const matched = route(request.method, request.path);
      record.operation = matched.op;
      const body = onceRead(request, deps.config.maxBodyBytes);
      // Before any body parsing or upstream call; the body is read here only if a signature covers it.
      const caller = matched.op === 'Health' ? undefined : await auth.authenticate(request, async () => bodyBytes(await body()));
      if (caller) {
        record.caller = caller.name;
        record.authMethod = caller.method;
      }
      const ctx: OperationContext = { route: matched, request, body: await body(), caller, requestId, startedAt, deps, record };
      response = await deps.tracing.span(`gateway.${matched.op}`, () => dispatch(ctx), caller && { caller: caller.name, authMethod: caller.method });
    } catch (thrown) {
      const error = toBedrockError(thrown);
      if (!(thrown instanceof BedrockError)) record.internalError = describeUnexpected(thrown);
      else if (thrown.operatorDetail) record.internalError = thrown.operatorDetail;
      // Nobody is listening any more (a body that never finished arriving, an operation aborted).
      if (error instanceof CallerAbortedError) record.exception = CLIENT_DISCONNECTED;
      finish(error.status, error);
      return errorResponse(error, requestId);
    }

    response.headers['x-amzn-RequestId'] = requestId;
    if (response.kind === 'buffered') {
      finish(response.status);
      return response;
    }
    return { ...response, body: finishWhenDone(response.body, () => finish(response.status)) };
  }
}

/** The one place the size limit is enforced, whichever edge the body came from; read at most once. */
function onceRead(request: GatewayRequest, limit: number): () => Promise<RequestBody> {
  let read: Promise<RequestBody> | undefined;
  return () =>
    (read ??= (async () => {
      const received = typeof request.body === 'function' ? await request.body(limit) : receivedWhole(request.body);
      if (received.byteLength > limit) throw bodyTooLarge(limit);
      return received.body;
    })());
}

/** OPERATIONS is typed over every OperationName, so a route without a handler does not compile. */
function dispatch(ctx: OperationContext): Promise<GatewayResponse> {
  const handler = OPERATIONS[ctx.route.op] as (c: OperationContext) => Promise<GatewayResponse>;
  return handler(ctx);
}

/** What the operator may see of a bug: its name and redacted message, bounded, without the stack. */
function describeUnexpected(thrown: unknown): string {
  if (!(thrown instanceof Error)) return typeof thrown;
  return `${thrown.name}: ${sanitizeMessage(thrown.message, '(no message)').slice(0, 300)}`;
}

/** Calls `done` once the stream ends, however it ends (completed, failed, or abandoned by the caller). */
async function* finishWhenDone(body: AsyncIterable<Uint8Array>, done: () => void): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } finally {
    done();
  }
}
