/** What the core returns: a complete body, or a stream of already-encoded frames. */
import type { BedrockError } from './errors.ts';

/** Response header names as they should appear on HTTP/1.1 (HTTP/2 lower-cases them on the wire). */
export type HeaderMap = Record<string, string>;

export interface BufferedResponse {
  readonly kind: 'buffered';
  readonly status: number;
  readonly headers: HeaderMap;
  readonly body: Uint8Array;
}

interface StreamedResponse {
  readonly kind: 'stream';
  readonly status: number;
  readonly headers: HeaderMap;
  /** Each chunk is written as soon as it is produced; never collected first. */
  readonly body: AsyncIterable<Uint8Array>;
}

export type GatewayResponse = BufferedResponse | StreamedResponse;

const encoder = new TextEncoder();

export function jsonResponse(status: number, payload: unknown, headers: HeaderMap = {}): BufferedResponse {
  return {
    kind: 'buffered',
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: encoder.encode(JSON.stringify(payload)),
  };
}

/** A Bedrock exception on the wire: its status, `x-amzn-ErrorType`, `x-amzn-RequestId` and `{"message": ...}` body. */
export function errorResponse(error: BedrockError, requestId: string): GatewayResponse {
  return jsonResponse(error.status, error.toBody(), {
    'x-amzn-ErrorType': error.exception,
    'x-amzn-RequestId': requestId,
  });
}
