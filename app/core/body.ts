/**
 * The request body on its one path: an edge hands over what it holds, the pipeline reads it once
 * (after the caller is authenticated), enforces the size limit in one place, and operations parse
 * it. Text that a platform already decoded (Lambda's plain bodies) stays text and bytes stay bytes:
 * the body is decoded at most once, where it is parsed as JSON.
 */

/** Bytes (local server, base64 Lambda bodies) or text the platform already decoded (Lambda). */
export type RequestBody = Uint8Array | string;

/** What an edge received: the body, and how many bytes the caller sent or declared (over the limit, `body` may be cut short). */
export interface ReceivedBody {
  readonly body: RequestBody;
  readonly byteLength: number;
}

/** A body still arriving (the local server): read on demand, buffering at most `limit` bytes plus one chunk. */
export type BodyReader = (limit: number) => Promise<ReceivedBody>;

export const EMPTY_BODY: Uint8Array = new Uint8Array(0);

function byteLengthOf(body: RequestBody): number {
  return typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
}

/** The body's bytes (a text body is encoded once more, for a signature that covers it). */
export function bodyBytes(body: RequestBody): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** A body an edge already holds whole. */
export function receivedWhole(body: RequestBody): ReceivedBody {
  return { body, byteLength: byteLengthOf(body) };
}
