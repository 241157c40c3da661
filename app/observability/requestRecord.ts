/** What the gateway remembers about one request, for its log line and its metrics. */
import type { AuthMethod } from '../core/caller.ts';

export interface RequestRecord {
  requestId: string;
  operation: string;
  /** Who made the request (a name, never a credential); absent for the health check and refused requests. */
  caller?: string;
  /** How the caller authenticated. */
  authMethod?: AuthMethod;
  /** The model id the caller sent (logs only: unbounded). */
  modelId?: string;
  /** Bounded metrics dimension: the mapped Bedrock id, or a fixed value for unmapped ids. */
  modelDimension?: string;
  status: number;
  exception?: string;
  latencyMs: number;
  upstreamLatencyMs?: number;
  timeToFirstTokenMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  /** True when the failure came from the upstream, before or after the 200 (drives the UpstreamErrors metric). */
  upstreamError?: boolean;
  streamed?: boolean;
  /** For unexpected failures only: the error's name and redacted message (never a stack). */
  internalError?: string;
}

export interface Telemetry {
  /** Called once per request, when the response (streamed ones included) has ended. */
  record(record: RequestRecord): void;
}

export const UNMAPPED_MODEL_DIMENSION = 'unmapped';

/** The record's `exception` when the caller went away before the answer was complete. */
export const CLIENT_DISCONNECTED = 'ClientDisconnected';

/**
 * Whose failure a request was, for the ServerErrors and UpstreamErrors metrics the canary alarms read:
 * - `upstream`: the upstream failed it, with any status, or inside a stream after the 200;
 * - `gateway`: the gateway failed it itself, a 5xx or an exception frame after the 200;
 * - undefined: it succeeded, the caller was refused (4xx of its own making) or went away.
 */
export type FailureOrigin = 'gateway' | 'upstream' | undefined;

export function failureOrigin(record: RequestRecord): FailureOrigin {
  if (record.exception === CLIENT_DISCONNECTED) return undefined;
  if (record.upstreamError) return 'upstream';
  if (record.status >= 500) return 'gateway';
  // A status under 400 with an exception: the stream started (200) and then ended with an exception frame.
  if (record.status < 400 && record.exception !== undefined) return 'gateway';
  return undefined;
}
