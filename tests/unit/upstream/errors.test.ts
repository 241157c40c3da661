import { expect } from 'chai';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from 'openai';
import { BedrockError, type BedrockExceptionName } from '../../../app/core/errors.ts';
import { CallerAbortedError } from '../../../app/core/errors.ts';
import { fromUpstreamError, UpstreamCredentialsError } from '../../../app/upstream/errors.ts';

/** What the SDK throws for an HTTP error answer: the status-specific APIError subclass. */
function httpError(status: number, message: string, code?: string): APIError {
  return APIError.generate(status, { error: { message, code: code ?? null, type: 'invalid_request_error' } }, message, new Headers());
}

const SECRET_KEY = 'sk-proj-AbCdEf1234567890SECRET';
const INTERNAL_DETAIL = 'INTERNAL-DETAIL-7f3a stack at Object.<anonymous> (/srv/app.js:10:5)';

/** A message looks like a stack trace when it has a frame such as `at fn (file.js:1:2)`. */
const STACK_FRAME = /\bat .*:\d+:\d+/;

describe('fromUpstreamError: the SDK class for each status', () => {
  const cases: readonly (readonly [number, Function])[] = [
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
  ];
  for (const [status, errorClass] of cases) {
    it(`test setup: APIError.generate(${status}) builds a ${errorClass.name}`, () => {
      // Act
      const error = httpError(status, 'x');
      // Assess
      expect(error).to.be.instanceOf(errorClass);
    });
  }
});

describe('fromUpstreamError: HTTP statuses', () => {
  interface Row {
    readonly label: string;
    readonly error: unknown;
    readonly exception: BedrockExceptionName;
    readonly status: number;
    /** Exact message, or a fragment it must contain. */
    readonly message: { readonly equals?: string; readonly includes?: string };
    readonly members?: Record<string, unknown>;
    readonly errorClass?: Function;
  }
  /** A client fault whose (clean) upstream message reaches the caller unchanged. */
  const keepsMessage = (status: number, message: string, exception: BedrockExceptionName, bedrockStatus = status): Row => ({
    label: `${status} -> ${exception} with the upstream message`,
    error: httpError(status, message),
    exception,
    status: bedrockStatus,
    message: { equals: message },
  });
  /** A server fault: the upstream detail never reaches the caller. */
  const hidesDetail = (status: number, exception: BedrockExceptionName, bedrockStatus: number, fragment: string, members?: Row['members']): Row => ({
    label: `${status} -> ${exception} ${bedrockStatus}${members ? ` with originalStatusCode ${status}` : ''}`,
    error: httpError(status, INTERNAL_DETAIL),
    exception,
    status: bedrockStatus,
    message: { includes: fragment },
    members,
  });
  const rows: readonly Row[] = [
    keepsMessage(400, "Invalid value for 'temperature': must be <= 2.", 'ValidationException'),
    {
      label: '400 context_length_exceeded -> the Bedrock "too long" message',
      error: httpError(400, "This model's maximum context length is 128000 tokens.", 'context_length_exceeded'),
      exception: 'ValidationException',
      status: 400,
      message: { equals: 'Input is too long for requested model.' },
    },
    {
      label: '400 whose message says the context is too long (no code)',
      error: httpError(400, "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens."),
      exception: 'ValidationException',
      status: 400,
      message: { equals: 'Input is too long for requested model.' },
    },
    {
      label: '401 -> InternalServerException: the gateway is misconfigured',
      error: httpError(401, `Incorrect API key provided: ${SECRET_KEY}.`),
      exception: 'InternalServerException',
      status: 500,
      message: { includes: 'misconfigured' },
      errorClass: UpstreamCredentialsError,
    },
    keepsMessage(403, 'Project does not have access to model gpt-5.', 'AccessDeniedException'),
    keepsMessage(404, 'The model `gpt-9` does not exist or you do not have access to it.', 'ResourceNotFoundException'),
    {
      label: '408 -> ModelTimeoutException',
      error: httpError(408, 'Request timed out.'),
      exception: 'ModelTimeoutException',
      status: 408,
      message: { includes: 'timed out' },
    },
    keepsMessage(409, 'Conflict on the request.', 'ValidationException', 400),
    keepsMessage(422, 'Unprocessable: messages must not be empty.', 'ValidationException', 400),
    keepsMessage(429, 'Rate limit reached for gpt-4o on requests per min (RPM).', 'ThrottlingException'),
    hidesDetail(500, 'ModelErrorException', 424, 'model', { originalStatusCode: 500 }),
    hidesDetail(501, 'ModelErrorException', 424, 'model', { originalStatusCode: 501 }),
    ...[502, 503, 504].map((status) => hidesDetail(status, 'ServiceUnavailableException', 503, 'unavailable')),
  ];
  for (const row of rows) {
    it(row.label, () => {
      // Act
      const mapped = fromUpstreamError(row.error);
      // Assess
      expect(mapped).to.be.instanceOf(BedrockError);
      expect(mapped.exception).to.equal(row.exception);
      expect(mapped.status).to.equal(row.status);
      if (row.message.equals !== undefined) expect(mapped.message).to.equal(row.message.equals);
      if (row.message.includes !== undefined) expect(mapped.message).to.include(row.message.includes);
      expect(mapped.members).to.deep.equal(row.members ?? {});
      expect(mapped.fromUpstream).to.equal(true);
      if (row.errorClass) expect(mapped).to.be.instanceOf(row.errorClass);
      expect(mapped.message).to.not.include(SECRET_KEY);
      expect(mapped.message).to.not.include('INTERNAL-DETAIL');
      expect(mapped.message).to.not.match(STACK_FRAME);
    });
  }
});

describe('fromUpstreamError: transport and local failures', () => {
  const rows: readonly (readonly [string, unknown, BedrockExceptionName, number, Function?])[] = [
    ['a timeout -> ModelTimeoutException 408', new APIConnectionTimeoutError(), 'ModelTimeoutException', 408],
    [
      'a connection error -> ServiceUnavailableException',
      new APIConnectionError({ message: INTERNAL_DETAIL, cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }),
      'ServiceUnavailableException',
      503,
    ],
    ['a user abort -> CallerAbortedError', new APIUserAbortError(), 'ValidationException', 499, CallerAbortedError],
    ['a DOM AbortError -> CallerAbortedError', new DOMException('This operation was aborted', 'AbortError'), 'ValidationException', 499, CallerAbortedError],
    ['a SyntaxError (unparseable body) -> ModelErrorException', new SyntaxError(`Unexpected token < in JSON ${INTERNAL_DETAIL}`), 'ModelErrorException', 424],
    ['a random Error -> InternalServerException', new Error(INTERNAL_DETAIL), 'InternalServerException', 500],
    ['a thrown string -> InternalServerException', INTERNAL_DETAIL, 'InternalServerException', 500],
  ];
  for (const [label, error, exception, status, errorClass] of rows) {
    it(label, () => {
      // Act
      const mapped = fromUpstreamError(error);
      // Assess
      expect(mapped.exception).to.equal(exception);
      expect(mapped.status).to.equal(status);
      if (errorClass) expect(mapped).to.be.instanceOf(errorClass);
      expect(mapped.message).to.not.include('INTERNAL-DETAIL');
      expect(mapped.message).to.not.match(STACK_FRAME);
    });
  }

  it('gives a random Error a generic message', () => {
    // Act
    const mapped = fromUpstreamError(new Error(INTERNAL_DETAIL));
    // Assess
    expect(mapped.message).to.equal('The gateway failed while calling the model.');
  });

  it('marks upstream failures but not caller aborts', () => {
    // Act
    const upstream = fromUpstreamError(new APIConnectionTimeoutError());
    const aborted = fromUpstreamError(new APIUserAbortError());
    // Assess
    expect(upstream.fromUpstream).to.equal(true);
    expect(aborted.fromUpstream).to.equal(false);
  });

  it('returns a BedrockError unchanged', () => {
    // Prepare
    const original = new BedrockError('ValidationException', 'already mapped');
    // Act
    const mapped = fromUpstreamError(original);
    // Assess
    expect(mapped).to.equal(original);
    expect(mapped.fromUpstream).to.equal(false);
  });

  it('maps an error event inside an SSE stream (APIError without a status) to ModelStreamErrorException', () => {
    // Prepare
    const inStream = new APIError(undefined, { message: `The server had an error with ${SECRET_KEY}` }, undefined, new Headers());
    // Act
    const mapped = fromUpstreamError(inStream);
    // Assess
    expect(mapped.exception).to.equal('ModelStreamErrorException');
    expect(mapped.fromUpstream).to.equal(true);
    expect(mapped.members).to.deep.equal({ originalStatusCode: 200, originalMessage: 'The server had an error with [redacted]' });
  });

  it('keeps the SyntaxError originalStatusCode at 200 (the upstream answered)', () => {
    // Act
    const mapped = fromUpstreamError(new SyntaxError('Unexpected end of JSON input'));
    // Assess
    expect(mapped.members).to.deep.equal({ originalStatusCode: 200 });
  });
});

describe('fromUpstreamError: credentials in 4xx messages are redacted', () => {
  const cases: readonly (readonly [number, string, string])[] = [
    [400, `Invalid key ${SECRET_KEY} for this project`, SECRET_KEY],
    [403, 'Header was Bearer abc.def.ghi-SECRET', 'abc.def.ghi-SECRET'],
    [404, 'No model for api_key=plainSECRETvalue', 'plainSECRETvalue'],
    [429, `Rate limit for key ${SECRET_KEY}`, SECRET_KEY],
  ];
  for (const [status, message, secret] of cases) {
    it(`${status}: redacts the credential`, () => {
      // Act
      const mapped = fromUpstreamError(httpError(status, message));
      // Assess
      expect(mapped.message).to.not.include(secret);
      expect(mapped.message).to.include('[redacted]');
    });
  }
});
