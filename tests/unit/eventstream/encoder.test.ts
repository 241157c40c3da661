import { Readable } from 'node:stream';
import { expect } from 'chai';
import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import type { ConverseStreamOutput, ResponseStream } from '@aws-sdk/client-bedrock-runtime';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import type { Message } from '@smithy/eventstream-codec';
// The Node marshaller the SDK clients use (@smithy/eventstream-serde-node is folded into @smithy/core).
import { EventStreamMarshaller } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { ConverseStreamTranslator } from '../../../app/convert/converse/stream.ts';
import type { StreamExceptionType } from '../../../app/convert/converse/types.ts';
import { BedrockError } from '../../../app/core/errors.ts';
import type { BedrockExceptionName, ExceptionMembers } from '../../../app/core/errors.ts';
import {
  CONVERSE_STREAM_EXCEPTIONS,
  encodeEvent,
  encodeException,
  INVOKE_STREAM_EXCEPTIONS,
  streamExceptionFor,
} from '../../../app/eventstream/encoder.ts';
import type { StreamException } from '../../../app/eventstream/encoder.ts';
import { readSseFixture } from '../../helpers/sse.ts';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/**
 * A real ConverseStream body (eu-central-1, claude-sonnet-4-6), from vercel/ai
 * packages/amazon-bedrock/src/__fixtures__/issue-18994-live-converse-stream.json (wire spec section 4, LIVE).
 */
const LIVE_BODY_BASE64 =
  'AAAAtAAAAFIFAEFlCzpldmVudC10eXBlBwAMbWVzc2FnZVN0YXJ0DTpjb250ZW50LXR5cGUHABBhcHBsaWNhdGlvbi9qc29uDTptZXNzYWdlLXR5cGUHAAVldmVudHsicCI6ImFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVowMTIiLCJyb2xlIjoiYXNzaXN0YW50In2fX38tAAAAswAAAFfHSmn6CzpldmVudC10eXBlBwARY29udGVudEJsb2NrRGVsdGENOmNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb24NOm1lc3NhZ2UtdHlwZQcABWV2ZW50eyJjb250ZW50QmxvY2tJbmRleCI6MCwiZGVsdGEiOnsidGV4dCI6Ik9LIn0sInAiOiJhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3gifXbBTlwAAAC+AAAAVz/arUsLOmV2ZW50LXR5cGUHABFjb250ZW50QmxvY2tEZWx0YQ06Y29udGVudC10eXBlBwAQYXBwbGljYXRpb24vanNvbg06bWVzc2FnZS10eXBlBwAFZXZlbnR7ImNvbnRlbnRCbG9ja0luZGV4IjowLCJkZWx0YSI6eyJ0ZXh0IjoiLiJ9LCJwIjoiYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXpBQkNERUZHSElKIn2GXR0lAAAAhgAAAFbZjG6aCzpldmVudC10eXBlBwAQY29udGVudEJsb2NrU3RvcA06Y29udGVudC10eXBlBwAQYXBwbGljYXRpb24vanNvbg06bWVzc2FnZS10eXBlBwAFZXZlbnR7ImNvbnRlbnRCbG9ja0luZGV4IjowLCJwIjoiYWIiffM4iiAAAADZAAAAUf2royMLOmV2ZW50LXR5cGUHAAttZXNzYWdlU3RvcA06Y29udGVudC10eXBlBwAQYXBwbGljYXRpb24vanNvbg06bWVzc2FnZS10eXBlBwAFZXZlbnR7ImFkZGl0aW9uYWxNb2RlbFJlc3BvbnNlRmllbGRzIjp7ImRlbHRhIjp7InN0b3Bfc2VxdWVuY2UiOm51bGx9fSwicCI6ImFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3Iiwic3RvcFJlYXNvbiI6ImVuZF90dXJuIn0g4kjQAAABAQAAAE4CeknrCzpldmVudC10eXBlBwAIbWV0YWRhdGENOmNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb24NOm1lc3NhZ2UtdHlwZQcABWV2ZW50eyJtZXRyaWNzIjp7ImxhdGVuY3lNcyI6ODAyfSwicCI6ImFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6QUJDREVGR0hJSktMTU5PUFFSUyIsInVzYWdlIjp7ImlucHV0VG9rZW5zIjoxMiwib3V0cHV0VG9rZW5zIjo1LCJzZXJ2ZXJUb29sVXNhZ2UiOnt9LCJ0b3RhbFRva2VucyI6MTd9fa0jZVA=';

const str = (value: string) => ({ type: 'string', value }) as const;

/** Splits a concatenation of frames by each frame's total_length prelude. */
function splitFrames(bytes: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0, false);
    frames.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return frames;
}

/** The raw header section of a frame: bytes [12, 12 + headers_length). */
function headerBytes(frame: Uint8Array): Uint8Array {
  const headersLength = new DataView(frame.buffer, frame.byteOffset + 4, 4).getUint32(0, false);
  return frame.subarray(12, 12 + headersLength);
}

/** Header names in wire order, read straight from the bytes (all string headers). */
function headerNamesInOrder(frame: Uint8Array): string[] {
  const section = headerBytes(frame);
  const view = new DataView(section.buffer, section.byteOffset, section.byteLength);
  const names: string[] = [];
  for (let at = 0; at < section.length; ) {
    const nameLength = section[at]!;
    names.push(toUtf8(section.subarray(at + 1, at + 1 + nameLength)));
    at += 1 + nameLength;
    expect(section[at], 'header value type (7 = string)').to.equal(7);
    const valueLength = view.getUint16(at + 1, false);
    at += 3 + valueLength;
  }
  return names;
}

function decodeJson(message: Message): unknown {
  return JSON.parse(toUtf8(message.body));
}

/** Yields `bytes` cut at the given sizes (cycled), as a network would. */
async function* chunked(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield bytes.slice(at, at + size);
    at += size;
  }
}

function concat(frames: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(frames));
}

/** A BedrockRuntimeClient whose transport returns `body` one byte per chunk; no network. */
function clientReturning(body: Uint8Array): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: {
      handle: async () => ({
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'req-1' },
          body: Readable.from(chunked(body, [1])),
        },
      }),
    },
  });
}

async function converseStreamThroughSdk(body: Uint8Array): Promise<{ events: ConverseStreamOutput[]; error: unknown }> {
  const events: ConverseStreamOutput[] = [];
  try {
    // An exception as the very first frame already rejects send(): the SDK peeks at the first event.
    const output = await clientReturning(body).send(
      new ConverseStreamCommand({ modelId: 'gpt-4.1-mini', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
    );
    for await (const event of output.stream!) events.push(event);
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}

describe('Event stream: frame headers and payload', () => {
  const eventPayload = { contentBlockIndex: 2, delta: { text: 'héllo 👋' } };
  const exceptionPayload = { message: 'upstream failed', originalStatusCode: 502, originalMessage: 'Bad gateway' };
  // Headers in Bedrock's wire order.
  const kinds = [
    {
      label: 'encodeEvent',
      payload: eventPayload,
      encode: () => encodeEvent('contentBlockDelta', eventPayload),
      headers: [
        [':event-type', 'contentBlockDelta'],
        [':content-type', 'application/json'],
        [':message-type', 'event'],
      ],
    },
    {
      label: 'encodeException',
      payload: exceptionPayload,
      encode: () => encodeException('modelStreamErrorException', exceptionPayload),
      headers: [
        [':message-type', 'exception'],
        [':exception-type', 'modelStreamErrorException'],
        [':content-type', 'application/json'],
      ],
    },
  ] as const;

  for (const { label, payload, encode, headers } of kinds) {
    it(`${label}: decodes with the SDK codec to its headers and the JSON payload`, () => {
      // Act
      const message = codec.decode(encode());
      // Assess
      expect(message.headers).to.deep.equal(Object.fromEntries(headers.map(([name, value]) => [name, str(value)])));
      expect(decodeJson(message)).to.deep.equal(payload);
    });

    it(`${label}: writes the headers in Bedrock’s order: ${headers.map(([name]) => name).join(', ')}`, () => {
      // Act
      const names = headerNamesInOrder(encode());
      // Assess
      expect(names).to.deep.equal(headers.map(([name]) => name));
    });
  }
});

describe('Event stream: encodeEvent', () => {
  it('produces header bytes identical to a live Bedrock ConverseStream capture', () => {
    // Prepare
    const liveFrames = splitFrames(new Uint8Array(Buffer.from(LIVE_BODY_BASE64, 'base64')));

    // Act
    const pairs = liveFrames.map((live) => {
      const message = codec.decode(live);
      const { p: _padding, ...payload } = decodeJson(message) as Record<string, unknown>;
      const ours = encodeEvent(String(message.headers[':event-type']!.value), payload);
      return { live, ours, payload, decoded: decodeJson(codec.decode(ours)) };
    });

    // Assess
    expect(pairs).to.have.length(6);
    for (const { live, ours, payload, decoded } of pairs) {
      expect(Buffer.from(headerBytes(ours)).equals(Buffer.from(headerBytes(live)))).to.equal(true);
      expect(decoded).to.deep.equal(payload);
    }
  });

  it('fills the prelude: total_length is the frame size, headers_length matches, CRCs verify', () => {
    // Prepare
    const payload = { stopReason: 'end_turn' };

    // Act
    const frame = encodeEvent('messageStop', payload);

    // Assess
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const headersLength = view.getUint32(4, false);
    const bodyLength = frame.byteLength - 16 - headersLength;
    expect(view.getUint32(0, false)).to.equal(frame.byteLength);
    expect(toUtf8(frame.subarray(12 + headersLength, 12 + headersLength + bodyLength))).to.equal(JSON.stringify(payload));
    expect(() => codec.decode(frame)).to.not.throw();
  });

  it('is checked by the decoder: a flipped payload byte fails the message CRC', () => {
    // Prepare
    const frame = encodeEvent('messageStop', { stopReason: 'end_turn' });
    frame[frame.byteLength - 6]! ^= 0xff;

    // Act
    const decode = () => codec.decode(frame);

    // Assess
    expect(decode).to.throw(/checksum/i);
  });

  it('adds no padding field to the payload', () => {
    // Prepare
    const payload = { contentBlockIndex: 0 };

    // Act
    const frame = encodeEvent('contentBlockStop', payload);

    // Assess
    expect(toUtf8(codec.decode(frame).body)).to.equal('{"contentBlockIndex":0}');
  });
});

describe('Event stream: frames split across arbitrary chunks (SDK EventStreamMarshaller)', () => {
  const marshaller = new EventStreamMarshaller({ utf8Encoder: toUtf8, utf8Decoder: fromUtf8 });
  const frames = [
    encodeEvent('messageStart', { role: 'assistant' }),
    encodeEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi 👋' } }),
    encodeEvent('contentBlockStop', { contentBlockIndex: 0 }),
    encodeEvent('messageStop', { stopReason: 'end_turn' }),
  ];
  const expected = [
    { messageStart: { role: 'assistant' } },
    { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hi 👋' } } },
    { contentBlockStop: { contentBlockIndex: 0 } },
    { messageStop: { stopReason: 'end_turn' } },
  ];

  /** Turns each `{eventType: Message}` into `{eventType: parsed JSON}`; exceptions become thrown errors. */
  async function deserialize(input: Record<string, Message>): Promise<Record<string, unknown>> {
    const [name, message] = Object.entries(input)[0]!;
    if (message.headers[':message-type']?.value === 'exception') {
      const error = Object.assign(new Error((decodeJson(message) as { message: string }).message), { name });
      return { [name]: error };
    }
    return { [name]: decodeJson(message) };
  }

  async function collect(source: AsyncIterable<Uint8Array>): Promise<{ events: unknown[]; error: unknown }> {
    const events: unknown[] = [];
    try {
      for await (const event of marshaller.deserialize(Readable.from(source), deserialize)) events.push(event);
    } catch (error) {
      return { events, error };
    }
    return { events, error: undefined };
  }

  const splits: { name: string; sizes: number[] }[] = [
    { name: 'one byte at a time', sizes: [1] },
    { name: 'odd sizes crossing preludes and headers', sizes: [3, 7, 1, 13, 2, 29] },
    { name: 'all frames in one chunk', sizes: [1_000_000] },
  ];
  for (const { name, sizes } of splits) {
    it(`decodes every event when fed ${name}`, async () => {
      // Prepare
      const body = concat(frames);

      // Act
      const { events, error } = await collect(chunked(body, sizes));

      // Assess
      expect(error).to.equal(undefined);
      expect(events).to.deep.equal(expected);
    });
  }

  it('surfaces an exception frame after the events, fed byte by byte', async () => {
    // Prepare
    const body = concat([frames[0]!, encodeException('throttlingException', { message: 'Too many tokens' })]);

    // Act
    const { events, error } = await collect(chunked(body, [1]));

    // Assess
    expect(events).to.deep.equal([expected[0]]);
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).name).to.equal('throttlingException');
    expect((error as Error).message).to.equal('Too many tokens');
  });
});

describe('Event stream: BedrockRuntimeClient reads what we write', () => {
  it('ConverseStream: a translated tool-call stream arrives as the same events', async () => {
    // Prepare
    const translator = new ConverseStreamTranslator();
    const events = readSseFixture('tool-call').chunks.flatMap((c) => translator.push(c));
    events.push(...translator.finish(42));
    const body = concat(events.map((e) => encodeEvent(e.type, e.payload)));

    // Act
    const { events: received, error } = await converseStreamThroughSdk(body);

    // Assess
    expect(error).to.equal(undefined);
    expect(received).to.deep.equal(events.map((e) => ({ [e.type]: e.payload })));
  });

  const sdkErrorNames: Record<StreamExceptionType, string> = {
    internalServerException: 'InternalServerException',
    modelStreamErrorException: 'ModelStreamErrorException',
    validationException: 'ValidationException',
    throttlingException: 'ThrottlingException',
    serviceUnavailableException: 'ServiceUnavailableException',
    modelTimeoutException: 'ModelTimeoutException',
  };
  for (const type of CONVERSE_STREAM_EXCEPTIONS) {
    it(`ConverseStream: ${type} becomes the SDK's ${sdkErrorNames[type]}`, async () => {
      // Prepare
      const body = concat([encodeEvent('messageStart', { role: 'assistant' }), encodeException(type, { message: 'it broke' })]);

      // Act
      const { events, error } = await converseStreamThroughSdk(body);

      // Assess
      expect(events).to.deep.equal([{ messageStart: { role: 'assistant' } }]);
      expect((error as Error).name).to.equal(sdkErrorNames[type]);
      expect((error as Error).message).to.equal('it broke');
    });
  }

  it('ConverseStream: modelStreamErrorException carries originalStatusCode and originalMessage', async () => {
    // Prepare
    const body = encodeException('modelStreamErrorException', { message: 'Upstream failed', originalStatusCode: 502, originalMessage: 'Bad gateway' });

    // Act
    const { error } = await converseStreamThroughSdk(body);

    // Assess
    expect(error).to.include({ name: 'ModelStreamErrorException', originalStatusCode: 502, originalMessage: 'Bad gateway' });
  });

  it('InvokeModelWithResponseStream: chunk events and modelTimeoutException', async () => {
    // Prepare
    const modelEvent = { type: 'message_stop' };
    const bytes = Buffer.from(JSON.stringify(modelEvent)).toString('base64');
    const body = concat([encodeEvent('chunk', { bytes }), encodeException('modelTimeoutException', { message: 'Model took too long' })]);
    const output = await clientReturning(body).send(new InvokeModelWithResponseStreamCommand({ modelId: 'gpt-4.1-mini', body: '{}' }));

    // Act
    const received: ResponseStream[] = [];
    let error: unknown;
    try {
      for await (const event of output.body!) received.push(event);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(received).to.have.length(1);
    expect(JSON.parse(toUtf8(received[0]!.chunk!.bytes!))).to.deep.equal(modelEvent);
    expect(error).to.include({ name: 'ModelTimeoutException', message: 'Model took too long' });
  });
});

describe('Event stream: in-stream exception lists', () => {
  it('ConverseStream allows exactly the five modelled exceptions', () => {
    // Prepare
    const expected = ['internalServerException', 'modelStreamErrorException', 'validationException', 'throttlingException', 'serviceUnavailableException'];

    // Act
    const actual = [...CONVERSE_STREAM_EXCEPTIONS];

    // Assess
    expect(actual).to.have.members(expected).and.have.length(5);
  });

  it('InvokeModelWithResponseStream also allows modelTimeoutException', () => {
    // Prepare
    const expected = [
      'internalServerException',
      'modelStreamErrorException',
      'validationException',
      'throttlingException',
      'serviceUnavailableException',
      'modelTimeoutException',
    ];

    // Act
    const actual = [...INVOKE_STREAM_EXCEPTIONS];

    // Assess
    expect(actual).to.have.members(expected).and.have.length(6);
  });
});

describe('Event stream: streamExceptionFor', () => {
  interface Row {
    members?: ExceptionMembers;
    converse: StreamException;
    invoke: StreamException;
  }
  const msg = 'Something went wrong.';
  const same = (type: StreamExceptionType): Pick<Row, 'converse' | 'invoke'> => ({
    converse: { type, payload: { message: msg } },
    invoke: { type, payload: { message: msg } },
  });
  const streamError = (payload: Omit<StreamException['payload'], 'message'>): StreamException => ({
    type: 'modelStreamErrorException',
    payload: { message: msg, ...payload },
  });
  // A Record so that a new BedrockExceptionName fails to compile until it has a row.
  const table: Record<BedrockExceptionName, Row> = {
    ThrottlingException: same('throttlingException'),
    ValidationException: same('validationException'),
    ServiceUnavailableException: same('serviceUnavailableException'),
    InternalServerException: same('internalServerException'),
    ModelTimeoutException: {
      converse: streamError({ originalStatusCode: 408 }),
      invoke: { type: 'modelTimeoutException', payload: { message: msg } },
    },
    ModelErrorException: {
      members: { originalStatusCode: 500, resourceName: 'gpt-4.1' },
      converse: streamError({ originalStatusCode: 500 }),
      invoke: streamError({ originalStatusCode: 500 }),
    },
    ModelStreamErrorException: {
      members: { originalStatusCode: 502, originalMessage: 'Bad gateway' },
      converse: streamError({ originalStatusCode: 502, originalMessage: 'Bad gateway' }),
      invoke: streamError({ originalStatusCode: 502, originalMessage: 'Bad gateway' }),
    },
    ModelNotReadyException: { converse: streamError({ originalStatusCode: 429 }), invoke: streamError({ originalStatusCode: 429 }) },
    ResourceNotFoundException: { converse: streamError({ originalStatusCode: 404 }), invoke: streamError({ originalStatusCode: 404 }) },
    AccessDeniedException: { converse: streamError({ originalStatusCode: 403 }), invoke: streamError({ originalStatusCode: 403 }) },
    ServiceQuotaExceededException: { converse: streamError({ originalStatusCode: 400 }), invoke: streamError({ originalStatusCode: 400 }) },
    UnrecognizedClientException: { converse: streamError({ originalStatusCode: 403 }), invoke: streamError({ originalStatusCode: 403 }) },
    InvalidSignatureException: { converse: streamError({ originalStatusCode: 403 }), invoke: streamError({ originalStatusCode: 403 }) },
  };

  for (const [name, row] of Object.entries(table) as [BedrockExceptionName, Row][]) {
    it(`maps ${name} for ConverseStream and InvokeModelWithResponseStream`, () => {
      // Prepare
      const error = new BedrockError(name, msg, row.members);

      // Act
      const converse = streamExceptionFor(error, CONVERSE_STREAM_EXCEPTIONS);
      const invoke = streamExceptionFor(error, INVOKE_STREAM_EXCEPTIONS);

      // Assess
      expect(converse).to.deep.equal(row.converse);
      expect(invoke).to.deep.equal(row.invoke);
      expect(CONVERSE_STREAM_EXCEPTIONS).to.include(converse.type);
      expect(INVOKE_STREAM_EXCEPTIONS).to.include(invoke.type);
    });
  }

  it('falls back to modelStreamErrorException when a type is not in the allowed list', () => {
    // Prepare
    const error = new BedrockError('ThrottlingException', msg);

    // Act
    const result = streamExceptionFor(error, ['modelStreamErrorException']);

    // Assess
    expect(result).to.deep.equal(streamError({ originalStatusCode: 429 }));
  });

  it('produces a payload encodeException can send and the SDK decodes', async () => {
    // Prepare
    const error = new BedrockError('ModelErrorException', 'The model failed.', { originalStatusCode: 500 });
    const { type, payload } = streamExceptionFor(error, CONVERSE_STREAM_EXCEPTIONS);

    // Act
    const { error: received } = await converseStreamThroughSdk(encodeException(type, payload));

    // Assess
    expect(received).to.include({ name: 'ModelStreamErrorException', message: 'The model failed.', originalStatusCode: 500 });
  });
});

