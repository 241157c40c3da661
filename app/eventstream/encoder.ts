/**
 * AWS event-stream frames (application/vnd.amazon.eventstream) for ConverseStream and
 * InvokeModelWithResponseStream (wire spec sections 3 and 4).
 *
 * Framing and CRCs come from the SDK's own codec. Headers go in the order Bedrock sends them;
 * Bedrock's random `p` padding field is omitted (clients ignore it). This runs once per token,
 * so the codec and the header sets are built once and each payload is stringified once.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import type { MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { assertNever } from '../core/assertNever.ts';
import type { BedrockError } from '../core/errors.ts';
import type { StreamExceptionType } from '../convert/converse/types.ts';

/** Body of an exception frame; modelStreamErrorException adds the original status and message. */
export interface StreamExceptionPayload {
  message: string;
  originalStatusCode?: number;
  originalMessage?: string;
}

export interface StreamException {
  type: StreamExceptionType;
  payload: StreamExceptionPayload;
}

/** The in-stream exceptions ConverseStream may carry (botocore model). */
export const CONVERSE_STREAM_EXCEPTIONS: readonly StreamExceptionType[] = Object.freeze([
  'internalServerException',
  'modelStreamErrorException',
  'validationException',
  'throttlingException',
  'serviceUnavailableException',
] as const);

/** InvokeModelWithResponseStream also allows modelTimeoutException. */
export const INVOKE_STREAM_EXCEPTIONS: readonly StreamExceptionType[] = Object.freeze([
  ...CONVERSE_STREAM_EXCEPTIONS,
  'modelTimeoutException',
] as const);

const codec = new EventStreamCodec(toUtf8, fromUtf8);

const JSON_CONTENT = { type: 'string', value: 'application/json' } as const;
const EVENT_MESSAGE = { type: 'string', value: 'event' } as const;
const EXCEPTION_MESSAGE = { type: 'string', value: 'exception' } as const;

/** Header sets per event/exception type: a handful of names, built on first use. */
const eventHeaders = new Map<string, MessageHeaders>();
const exceptionHeaders = new Map<StreamExceptionType, MessageHeaders>();

function headersForEvent(eventType: string): MessageHeaders {
  let headers = eventHeaders.get(eventType);
  if (!headers) {
    // Insertion order is wire order: :event-type, :content-type, :message-type.
    headers = { ':event-type': { type: 'string', value: eventType }, ':content-type': JSON_CONTENT, ':message-type': EVENT_MESSAGE };
    eventHeaders.set(eventType, headers);
  }
  return headers;
}

function headersForException(exceptionType: StreamExceptionType): MessageHeaders {
  let headers = exceptionHeaders.get(exceptionType);
  if (!headers) {
    // Insertion order is wire order: :message-type, :exception-type, :content-type.
    headers = { ':message-type': EXCEPTION_MESSAGE, ':exception-type': { type: 'string', value: exceptionType }, ':content-type': JSON_CONTENT };
    exceptionHeaders.set(exceptionType, headers);
  }
  return headers;
}

/** One event frame: `:event-type <eventType>` with the JSON payload as body. */
export function encodeEvent(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({ headers: headersForEvent(eventType), body: fromUtf8(JSON.stringify(payload)) });
}

/** One exception frame: `:message-type exception`, `:exception-type <type>`, JSON body. */
export function encodeException(exceptionType: StreamExceptionType, payload: StreamExceptionPayload): Uint8Array {
  return codec.encode({ headers: headersForException(exceptionType), body: fromUtf8(JSON.stringify(payload)) });
}

/**
 * The in-stream exception for a failure after the first byte. Exceptions the operation allows keep
 * their kind; everything else becomes modelStreamErrorException carrying the original status
 * (the upstream's when known, else the status the error would have had) and original message.
 */
export function streamExceptionFor(error: BedrockError, allowed: readonly StreamExceptionType[]): StreamException {
  const direct = directStreamType(error);
  if (direct && allowed.includes(direct)) return { type: direct, payload: { message: error.message } };
  const payload: StreamExceptionPayload = {
    message: error.message,
    originalStatusCode: error.members.originalStatusCode ?? error.status,
  };
  if (error.members.originalMessage !== undefined) payload.originalMessage = error.members.originalMessage;
  return { type: 'modelStreamErrorException', payload };
}

/** The lowerCamel in-stream member for an exception that has one; undefined for those that don't. */
function directStreamType(error: BedrockError): StreamExceptionType | undefined {
  const name = error.exception;
  switch (name) {
    case 'ThrottlingException':
      return 'throttlingException';
    case 'ValidationException':
      return 'validationException';
    case 'ServiceUnavailableException':
      return 'serviceUnavailableException';
    case 'ModelTimeoutException':
      return 'modelTimeoutException';
    case 'InternalServerException':
      return 'internalServerException';
    case 'ModelStreamErrorException':
    case 'ModelErrorException':
    case 'ModelNotReadyException':
    case 'ResourceNotFoundException':
    case 'AccessDeniedException':
    case 'ServiceQuotaExceededException':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
      return undefined;
    default:
      return assertNever(name, 'exception name');
  }
}
