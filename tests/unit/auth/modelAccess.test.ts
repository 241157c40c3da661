/** Model allow-lists: which model names a caller's `models` entries match. */
import { expect } from 'chai';
import { checkModelAccess, mayUseModel } from '../../../app/auth/modelAccess.ts';
import type { Caller } from '../../../app/core/caller.ts';
import { thrownBedrockError } from '../../helpers/bedrockErrors.ts';

const SONNET_NAMES = ['us.anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic.claude-3-5-sonnet-20240620-v1:0', 'gpt-4o'];
const caller = (allowedModels?: readonly string[]): Caller => ({ name: 'c', method: 'api-key', ...(allowedModels && { allowedModels }) });

describe('model access', () => {
  const cases: readonly (readonly [string, readonly string[] | undefined, boolean])[] = [
    ['no list (every model)', undefined, true],
    ['*', ['*'], true],
    ['the id as sent', ['us.anthropic.claude-3-5-sonnet-20240620-v1:0'], true],
    ['the id without its inference-profile prefix', ['anthropic.claude-3-5-sonnet-20240620-v1:0'], true],
    ['the upstream model it maps to', ['gpt-4o'], true],
    ['a prefix pattern', ['anthropic.*'], true],
    ['another model only', ['gpt-4o-mini'], false],
    ['a prefix of the name without *', ['anthropic.'], false],
    ['an empty list (no model)', [], false],
  ];
  for (const [label, allowed, expected] of cases) {
    it(`${expected ? 'allows' : 'refuses'} a caller whose list is ${label}`, () => {
      // Assess
      expect(mayUseModel(caller(allowed), SONNET_NAMES)).to.equal(expected);
    });
  }

  it("refuses with Bedrock's own AccessDeniedException wording", () => {
    // Act
    const error = thrownBedrockError(() => checkModelAccess(caller(['gpt-4o-mini']), SONNET_NAMES));
    // Assess
    expect(error.exception).to.equal('AccessDeniedException');
    expect(error.status).to.equal(403);
    expect(error.message).to.equal("You don't have access to the model with the specified model ID.");
  });

  it('lets the health check (no caller) through', () => {
    // Assess
    expect(mayUseModel(undefined, SONNET_NAMES)).to.equal(true);
  });
});
