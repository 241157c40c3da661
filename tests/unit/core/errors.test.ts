import { expect } from 'chai';
import {
  accessDenied,
  BedrockError,
  internal,
  notFound,
  toBedrockError,
  validation,
  type BedrockExceptionName,
} from '../../../app/core/errors.ts';

describe('BedrockError: status of every exception (wire spec section 5)', () => {
  const cases: readonly (readonly [BedrockExceptionName, number])[] = [
    ['ValidationException', 400],
    ['AccessDeniedException', 403],
    ['ResourceNotFoundException', 404],
    ['ModelTimeoutException', 408],
    ['ThrottlingException', 429],
    ['ModelNotReadyException', 429],
    ['ModelErrorException', 424],
    ['ModelStreamErrorException', 424],
    ['ServiceQuotaExceededException', 400],
    ['InternalServerException', 500],
    ['ServiceUnavailableException', 503],
  ];
  for (const [name, status] of cases) {
    it(`${name} -> ${status}`, () => {
      // Act
      const error = new BedrockError(name, 'boom');
      // Assess
      expect(error.status).to.equal(status);
      expect(error.exception).to.equal(name);
      expect(error.name).to.equal(name);
      expect(error.fromUpstream).to.equal(false);
      expect(error).to.be.instanceOf(Error);
    });
  }

  it('lets an explicit status override the modelled one', () => {
    // Act
    const error = new BedrockError('ValidationException', 'too big', {}, 413);
    // Assess
    expect(error.status).to.equal(413);
    expect(error.exception).to.equal('ValidationException');
  });
});

describe('BedrockError.toBody', () => {
  const cases: readonly (readonly [string, BedrockError, Record<string, unknown>])[] = [
    ['a plain exception', new BedrockError('ThrottlingException', 'slow down'), { message: 'slow down' }],
    [
      'ModelErrorException with its members',
      new BedrockError('ModelErrorException', 'model failed', { originalStatusCode: 500, resourceName: 'gpt-4o' }),
      { message: 'model failed', originalStatusCode: 500, resourceName: 'gpt-4o' },
    ],
    [
      'ModelStreamErrorException with its members',
      new BedrockError('ModelStreamErrorException', 'cut', { originalStatusCode: 502, originalMessage: 'bad gateway' }),
      { message: 'cut', originalStatusCode: 502, originalMessage: 'bad gateway' },
    ],
  ];
  for (const [label, error, expected] of cases) {
    it(`has message and members for ${label}, and no code key`, () => {
      // Act
      const body = error.toBody();
      // Assess
      expect(body).to.deep.equal(expected);
      expect(Object.keys(body).map((key) => key.toLowerCase())).to.not.include('code');
      expect(JSON.parse(JSON.stringify(body))).to.deep.equal(expected);
    });
  }
});

describe('error helpers', () => {
  const cases: readonly (readonly [string, BedrockError, BedrockExceptionName, number])[] = [
    ['validation', validation('bad field'), 'ValidationException', 400],
    ['accessDenied', accessDenied(), 'AccessDeniedException', 403],
    ['notFound', notFound('no such model'), 'ResourceNotFoundException', 404],
    ['internal', internal(), 'InternalServerException', 500],
  ];
  for (const [label, error, name, status] of cases) {
    it(`${label}() builds a ${name} ${status}`, () => {
      // Assess
      expect(error.exception).to.equal(name);
      expect(error.status).to.equal(status);
      expect(error.message).to.be.a('string').and.not.equal('');
    });
  }
});

describe('toBedrockError', () => {
  it('returns a BedrockError unchanged', () => {
    // Prepare
    const original = new BedrockError('ThrottlingException', 'slow down');
    // Act
    const mapped = toBedrockError(original);
    // Assess
    expect(mapped).to.equal(original);
  });

  const hidden: readonly (readonly [string, unknown])[] = [
    ['an Error with a secret', new Error('connect to db with password hunter2 failed')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'hunter2')")],
    ['a thrown string', 'hunter2'],
    ['a thrown object', { message: 'hunter2' }],
    ['undefined', undefined],
  ];
  for (const [label, thrown] of hidden) {
    it(`hides ${label} behind a generic InternalServerException`, () => {
      // Act
      const mapped = toBedrockError(thrown);
      // Assess
      expect(mapped.exception).to.equal('InternalServerException');
      expect(mapped.status).to.equal(500);
      expect(mapped.message).to.not.include('hunter2');
      expect(JSON.stringify(mapped.toBody())).to.not.include('hunter2');
      expect(mapped.toBody()).to.not.have.property('stack');
    });
  }
});
