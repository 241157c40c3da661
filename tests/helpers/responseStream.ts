/** The sink behind a stand-in for Lambda's response stream (`responseStream`): it keeps every chunk and when each arrived. */
import { Writable } from 'node:stream';
import { localResponseStream, splitPrelude, type ResponseStream } from '../../app/lambda/runtime.ts';

export class CapturedResponseStream extends Writable {
  readonly chunks: Buffer[] = [];
  readonly arrivals: number[] = [];
  /** What a streaming handler is given: this sink behind the real runtime client's stream shape. */
  readonly responseStream: ResponseStream & { readonly contentType: string } = localResponseStream(this);

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    this.arrivals.push(performance.now());
    done();
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Splits the runtime's HTTP prelude (JSON + 8 NUL bytes) from the body. */
  get http(): { statusCode: number; headers: Record<string, string>; body: Buffer } {
    const split = splitPrelude(this.bytes);
    if (!split) throw new Error('no prelude delimiter in the response stream');
    return { ...split.prelude, body: split.body };
  }
}
