/**
 * The one place where failures become Bedrock exceptions.
 *
 * Every error that leaves the gateway is a `BedrockError`: a modelled Bedrock
 * exception name, its HTTP status, and a message that is safe to show the
 * caller. Anything else is turned into one by `toBedrockError`, which hides
 * internals behind a generic InternalServerException.
 */

/**
 * Exception names from the Bedrock Runtime model (wire spec section 5), plus the two AWS-wide
 * authentication errors every AWS SDK recognises by name for a SigV4-signed request.
 */
export type BedrockExceptionName =
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException'
  | 'ValidationException'
  | 'AccessDeniedException'
  | 'ResourceNotFoundException'
  | 'ModelTimeoutException'
  | 'ThrottlingException'
  | 'ModelNotReadyException'
  | 'ModelErrorException'
  | 'ModelStreamErrorException'
  | 'ServiceQuotaExceededException'
  | 'InternalServerException'
  | 'ServiceUnavailableException';

const STATUS: Record<BedrockExceptionName, number> = {
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  ModelErrorException: 424,
  ModelStreamErrorException: 424,
  ServiceQuotaExceededException: 400,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

/** Extra members some exceptions carry (ModelErrorException, ModelStreamErrorException). */
export interface ExceptionMembers {
  originalStatusCode?: number;
  originalMessage?: string;
  resourceName?: string;
}

export class BedrockError extends Error {
  readonly exception: BedrockExceptionName;
  readonly status: number;
  readonly members: ExceptionMembers;
  /** True when the failure came from the upstream model endpoint (feeds the UpstreamErrors metric). */
  fromUpstream = false;
  /** For the operator's log line only, never the caller: what exactly is misconfigured (never a secret). */
  operatorDetail: string | undefined;

  constructor(exception: BedrockExceptionName, message: string, members: ExceptionMembers = {}, status?: number) {
    super(message);
    this.name = exception;
    this.exception = exception;
    this.status = status ?? STATUS[exception];
    this.members = members;
  }

  /** The JSON body Bedrock sends: `{"message": ...}` plus modelled members, never a `code` key. */
  toBody(): Record<string, unknown> {
    return { message: this.message, ...this.members };
  }
}

export const validation = (message: string): BedrockError => new BedrockError('ValidationException', message);
export const accessDenied = (message = 'Invalid or missing API key.'): BedrockError =>
  new BedrockError('AccessDeniedException', message);
/** Bedrock's own wording for a model the caller may not use. */
export const modelAccessDenied = (): BedrockError => accessDenied("You don't have access to the model with the specified model ID.");
export const notFound = (message: string): BedrockError => new BedrockError('ResourceNotFoundException', message);
/** The request body is over the configured limit (413, as API Gateway answers for its own limit). */
export const bodyTooLarge = (limitBytes: number): BedrockError =>
  new BedrockError('ValidationException', `The request body exceeds the ${limitBytes}-byte limit.`, {}, 413);
/** The operator's configuration is wrong: the caller learns only that, the request record learns what. */
export function misconfigured(message: string, operatorDetail: string): BedrockError {
  const error = new BedrockError('InternalServerException', message);
  error.operatorDetail = operatorDetail;
  return error;
}

export const internal = (message = 'The gateway hit an internal error. Try again; if it persists, contact the operator.'): BedrockError =>
  new BedrockError('InternalServerException', message);

/** Thrown when the caller went away; the adapters treat it as "nothing to send". */
export class CallerAbortedError extends BedrockError {
  constructor() {
    super('ValidationException', 'The request was aborted by the caller.', {}, 499);
  }
}

/** Any thrown value -> a BedrockError. Unknown errors never leak their message or stack. */
export function toBedrockError(error: unknown): BedrockError {
  if (error instanceof BedrockError) return error;
  return internal();
}
