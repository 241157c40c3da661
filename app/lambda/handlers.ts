/**
 * Lambda adapters over the core. All routes, JSON ones included, go through one
 * streaming handler (API Gateway REST with ResponseTransferMode STREAM, Function URL with
 * InvokeMode RESPONSE_STREAM). `sam local start-api` cannot stream, so a buffered handler
 * that returns a proxy result (event-stream bodies base64-encoded) serves it there.
 */
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Gateway } from '../gateway/pipeline.ts';
import type { GatewayResponse } from '../core/response.ts';
import { toGatewayRequest, type LambdaHttpEvent } from './event.ts';
import { httpResponseStream, streamifyResponse, type ResponseStream, type StreamingHandler } from './runtime.ts';

/** A zero-byte write: under the real runtime client the first write() is what sends the prelude. */
const COMMIT_PRELUDE = new Uint8Array(0);

export function createStreamingHandler(gateway: Gateway): StreamingHandler<LambdaHttpEvent> {
  return streamifyResponse(async (event: LambdaHttpEvent, responseStream: ResponseStream, _context: Context) => {
    const aborter = new AbortController();
    // The caller going away closes the stream early: stop paying for the upstream.
    const onClose = () => aborter.abort();
    responseStream.once('close', onClose);
    try {
      const response = await gateway(toGatewayRequest(event, aborter.signal));
      const out = httpResponseStream(responseStream, { statusCode: response.status, headers: response.headers });
      // The status and headers leave now, whatever follows: an empty body (a 204 preflight) would
      // otherwise go out with no prelude at all, and a stream's caller sees its 200 before the first frame.
      out.write(COMMIT_PRELUDE);
      await writeBody(out, response);
      out.end();
      if (!out.writableFinished) await whenSettled(out, 'finish');
    } finally {
      responseStream.off('close', onClose);
    }
  });
}

async function writeBody(out: ResponseStream, response: GatewayResponse): Promise<void> {
  if (response.kind === 'buffered') {
    if (response.body.byteLength > 0) out.write(response.body);
    return;
  }
  for await (const frame of response.body) {
    if (out.destroyed) break;
    if (!out.write(frame)) await whenSettled(out, 'drain');
  }
}

/**
 * Waits for `event`, or until the stream closes or fails first. A destroyed stream (the caller
 * went away) never emits 'drain' or 'finish'; waiting for those alone would hold the invocation
 * open until the function timeout.
 */
function whenSettled(stream: ResponseStream, event: 'drain' | 'finish'): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  const names = [event, 'close', 'error'];
  return new Promise((resolve) => {
    const done = () => {
      for (const name of names) stream.off(name, done);
      resolve();
    };
    for (const name of names) stream.once(name, done);
  });
}

const TEXT_TYPES = /^(application\/json|text\/)/;

export function createBufferedHandler(gateway: Gateway) {
  return async (event: LambdaHttpEvent, _context?: Context): Promise<APIGatewayProxyResult> => {
    const response = await gateway(toGatewayRequest(event));
    let body: Buffer;
    if (response.kind === 'buffered') body = Buffer.from(response.body);
    else {
      const frames: Uint8Array[] = [];
      for await (const frame of response.body) frames.push(frame);
      body = Buffer.concat(frames);
    }
    const text = TEXT_TYPES.test(response.headers['content-type'] ?? '');
    return {
      statusCode: response.status,
      headers: response.headers,
      body: text ? body.toString('utf8') : body.toString('base64'),
      isBase64Encoded: !text,
    };
  };
}
