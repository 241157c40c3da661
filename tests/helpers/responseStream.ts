/** A Writable standing in for Lambda's response stream: it keeps every chunk and when each arrived. */
import { Writable } from 'node:stream';

export class CapturedResponseStream extends Writable {
  readonly chunks: Buffer[] = [];
  readonly arrivals: number[] = [];

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
    const bytes = this.bytes;
    const at = bytes.indexOf(Buffer.alloc(8));
    if (at < 0) throw new Error('no prelude delimiter in the response stream');
    const prelude = JSON.parse(bytes.subarray(0, at).toString('utf8')) as { statusCode: number; headers: Record<string, string> };
    return { ...prelude, body: bytes.subarray(at + 8) };
  }
}
