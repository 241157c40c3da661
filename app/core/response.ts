/** What the core returns: a complete body, or a stream of already-encoded frames. */
export type Headers = Record<string, string>;

export interface BufferedResponse {
  readonly kind: 'buffered';
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

export interface StreamedResponse {
  readonly kind: 'stream';
  readonly status: number;
  readonly headers: Headers;
  /** Each chunk is written as soon as it is produced; never collected first. */
  readonly body: AsyncIterable<Uint8Array>;
}

export type GatewayResponse = BufferedResponse | StreamedResponse;

const encoder = new TextEncoder();

export function jsonResponse(status: number, payload: unknown, headers: Headers = {}): BufferedResponse {
  return {
    kind: 'buffered',
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: encoder.encode(JSON.stringify(payload)),
  };
}

export function bytesResponse(status: number, body: Uint8Array, headers: Headers): BufferedResponse {
  return { kind: 'buffered', status, headers, body };
}
