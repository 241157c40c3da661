/**
 * Reads application/vnd.amazon.eventstream bodies as they arrive: frame boundaries come
 * from the prelude's total length (frames may straddle TCP chunks), and each frame is
 * decoded with the SDK's codec, so a bad CRC or a bad header fails the benchmark loudly.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

export interface DecodedFrame {
  /** `:event-type` for events, `:exception-type` for exceptions. */
  readonly type: string;
  readonly messageType: string;
  readonly payload: string;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

export class FrameReader {
  #pending: Buffer = Buffer.alloc(0);

  /** Feeds one body chunk; returns the frames it completed. */
  push(chunk: Buffer): DecodedFrame[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: DecodedFrame[] = [];
    while (this.#pending.length >= 4) {
      const total = this.#pending.readUInt32BE(0);
      if (total < 16) throw new Error(`Bad event-stream prelude: total length ${total}`);
      if (this.#pending.length < total) break;
      const message = codec.decode(this.#pending.subarray(0, total));
      this.#pending = this.#pending.subarray(total);
      const header = (name: string) => {
        const value = message.headers[name]?.value;
        return typeof value === 'string' ? value : '';
      };
      const messageType = header(':message-type');
      frames.push({
        messageType,
        type: messageType === 'exception' ? header(':exception-type') : header(':event-type'),
        payload: toUtf8(message.body),
      });
    }
    return frames;
  }

  /** Bytes left over that do not make a whole frame (should be 0 at the end of a body). */
  get leftover(): number {
    return this.#pending.length;
  }
}
