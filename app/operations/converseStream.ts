/**
 * POST /model/{modelId}/converse-stream: OpenAI SSE chunks translated one by one into
 * event-stream frames. Failures before the first byte are ordinary HTTP errors (the
 * upstream call is awaited before the response starts); after it, an exception frame.
 */
import { ConverseStreamTranslator } from '../convert/converse/stream.ts';
import { converseToChat } from '../convert/converse/request.ts';
import type { Route } from '../core/router.ts';
import type { GatewayResponse } from '../core/response.ts';
import { CONVERSE_STREAM_EXCEPTIONS, encodeEvent } from '../eventstream/encoder.ts';
import { ConverseRequest } from '../schemas/converse.ts';
import { parseJsonBody, parseWith } from '../schemas/validate.ts';
import { resolveModelFor, type OperationContext } from './context.ts';
import { EVENT_STREAM_CONTENT_TYPE, streamFrames } from './streamFrames.ts';
import { openChatStream } from './upstreamCalls.ts';

type ConverseStreamRoute = Extract<Route, { op: 'ConverseStream' }>;

export async function converseStream(ctx: OperationContext<ConverseStreamRoute>): Promise<GatewayResponse> {
  const request = parseWith(ConverseRequest, parseJsonBody(ctx.body));
  const model = resolveModelFor(ctx);
  const chunks = await openChatStream(ctx, converseToChat(request, model.upstream));

  return {
    kind: 'stream',
    status: 200,
    headers: { 'content-type': EVENT_STREAM_CONTENT_TYPE },
    body: streamFrames({
      ctx,
      chunks,
      translator: new ConverseStreamTranslator({ additionalModelResponseFieldPaths: request.additionalModelResponseFieldPaths }),
      encode: (events) => events.map((event) => encodeEvent(event.type, event.payload)),
      exceptions: CONVERSE_STREAM_EXCEPTIONS,
    }),
  };
}
