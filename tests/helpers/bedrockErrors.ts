/** The BedrockError a call throws or a promise rejects with; no error, or any other error, fails the test. */
import { expect } from 'chai';
import { BedrockError } from '../../app/core/errors.ts';

export function thrownBedrockError(work: () => unknown): BedrockError {
  try {
    work();
  } catch (error) {
    expect(error).to.be.instanceOf(BedrockError);
    return error as BedrockError;
  }
  expect.fail('expected a BedrockError to be thrown');
}

export async function rejectedBedrockError(promise: Promise<unknown>): Promise<BedrockError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(BedrockError);
    return error as BedrockError;
  }
  expect.fail('expected a rejection with a BedrockError');
}
