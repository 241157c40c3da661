/** Decodes application/vnd.amazon.eventstream bytes into messages (test side, via the SDK's codec). */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

interface DecodedFrame {
  headers: Record<string, string>;
  payload: unknown;
}

function decodeFrames(bytes: Uint8Array): DecodedFrame[] {
  const frames: DecodedFrame[] = [];
  let offset = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (offset < bytes.byteLength) {
    const length = view.getUint32(offset);
    const message = codec.decode(bytes.subarray(offset, offset + length));
    const headers: Record<string, string> = {};
    for (const [name, header] of Object.entries(message.headers)) headers[name] = String(header.value);
    const text = toUtf8(message.body);
    frames.push({ headers, payload: text ? JSON.parse(text) : undefined });
    offset += length;
  }
  return frames;
}

/** `[eventType, payload]` pairs; exceptions appear as `!exceptionType`. */
export function eventsOf(bytes: Uint8Array): Array<[string, any]> {
  return decodeFrames(bytes).map((frame) =>
    frame.headers[':message-type'] === 'exception'
      ? [`!${frame.headers[':exception-type']}`, frame.payload]
      : [frame.headers[':event-type'] ?? '?', frame.payload],
  );
}
