/**
 * Upstream (OpenAI SDK) failures -> Bedrock exceptions. The table is the error
 * contract; the JS SDK and botocore pick the exception class from `x-amzn-ErrorType`.
 * Upstream messages reach the caller only for client faults (4xx), and only after
 * anything resembling a credential is redacted.
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import { BedrockError, CallerAbortedError } from '../core/errors.ts';
import { sanitizeMessage } from '../core/redact.ts';

/** The upstream rejected the gateway's own key: the operator's problem, not the caller's. */
export class UpstreamCredentialsError extends BedrockError {
  constructor() {
    super(
      'InternalServerException',
      'The gateway is misconfigured: its upstream rejected the gateway credentials. Contact the gateway operator.',
    );
  }
}

function upstreamMessage(error: APIError): string | undefined {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : undefined;
}

const CONTEXT_LENGTH = /context[_ ]length|maximum context|too many tokens|prompt is too long/i;

export function fromUpstreamError(error: unknown): BedrockError {
  if (error instanceof BedrockError) return error;
  const mapped = mapUpstreamError(error);
  mapped.fromUpstream = !(mapped instanceof CallerAbortedError);
  return mapped;
}

function mapUpstreamError(error: unknown): BedrockError {
  if (error instanceof APIUserAbortError) return new CallerAbortedError();
  if (error instanceof APIConnectionTimeoutError) {
    return new BedrockError('ModelTimeoutException', 'The model did not answer within the gateway timeout.');
  }
  if (error instanceof APIConnectionError) {
    return new BedrockError('ServiceUnavailableException', 'The model endpoint could not be reached. Try again.');
  }
  if (error instanceof APIError && typeof error.status === 'number') return fromStatus(error);
  if (error instanceof APIError) {
    // No status: an `error` event inside an SSE stream.
    return new BedrockError('ModelStreamErrorException', 'The model reported an error while streaming.', {
      originalStatusCode: 200,
      originalMessage: sanitizeMessage(upstreamMessage(error) ?? error.message, 'stream error'),
    });
  }
  if (error instanceof SyntaxError) {
    return new BedrockError('ModelErrorException', 'The model returned a response the gateway could not parse.', { originalStatusCode: 200 });
  }
  if (isAbort(error)) return new CallerAbortedError();
  return new BedrockError('InternalServerException', 'The gateway failed while calling the model.');
}

function fromStatus(error: APIError): BedrockError {
  const status = error.status as number;
  const message = upstreamMessage(error);
  if (status === 401) return new UpstreamCredentialsError();
  if (status === 403) {
    return new BedrockError('AccessDeniedException', sanitizeMessage(message, 'The model endpoint denied access to this model.'));
  }
  if (status === 404) {
    return new BedrockError('ResourceNotFoundException', sanitizeMessage(message, 'The requested model was not found.'));
  }
  if (status === 408) return new BedrockError('ModelTimeoutException', 'The model timed out.');
  if (status === 429) {
    return new BedrockError('ThrottlingException', sanitizeMessage(message, 'Too many requests; the model is throttling. Retry later.'));
  }
  if (status === 502 || status === 503 || status === 504) {
    return new BedrockError('ServiceUnavailableException', 'The model endpoint is temporarily unavailable. Try again.');
  }
  if (status >= 500) {
    return new BedrockError('ModelErrorException', 'The model returned an error.', { originalStatusCode: status });
  }
  if (error.code === 'context_length_exceeded' || CONTEXT_LENGTH.test(message ?? '')) {
    return new BedrockError('ValidationException', 'Input is too long for requested model.');
  }
  return new BedrockError('ValidationException', sanitizeMessage(message, `The model rejected the request (status ${status}).`));
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR');
}
