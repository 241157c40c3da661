import { expect } from 'chai';
import { sanitizeMessage } from '../../../app/core/redact.ts';

const SECRET_KEY = 'sk-proj-AbCdEf1234567890SECRET';

describe('sanitizeMessage', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['an sk- key', `Incorrect API key provided: ${SECRET_KEY}.`, SECRET_KEY],
    ['a masked sk- key', 'Incorrect key sk-proj-****************abcd.', 'sk-proj-****************abcd'],
    ['a Bearer token', 'Authorization: Bearer xyz', 'xyz'],
    ['a lower-case bearer token', 'authorization: bearer tok123', 'tok123'],
    ['api_key=', 'url?api_key=abc123def', 'abc123def'],
    ['api-key:', 'api-key: abc123def', 'abc123def'],
    ['"apiKey":', '{"apiKey":"abc123def"}', 'abc123def'],
  ];
  for (const [label, message, secret] of cases) {
    it(`redacts ${label}`, () => {
      // Act
      const clean = sanitizeMessage(message, 'fallback');
      // Assess
      expect(clean).to.not.include(secret);
      expect(clean).to.include('[redacted]');
    });
  }

  it('keeps the name of an api_key assignment', () => {
    // Act
    const clean = sanitizeMessage('bad api_key=abc123def here', 'fallback');
    // Assess
    expect(clean).to.equal('bad api_key=[redacted] here');
  });

  it('leaves an ordinary message alone', () => {
    // Act
    const clean = sanitizeMessage("Invalid value for 'top_p'.", 'fallback');
    // Assess
    expect(clean).to.equal("Invalid value for 'top_p'.");
  });

  it('truncates long messages to 1000 characters plus an ellipsis', () => {
    // Act
    const clean = sanitizeMessage('x'.repeat(5000), 'fallback');
    // Assess
    expect(clean).to.equal(`${'x'.repeat(1000)}...`);
  });

  for (const empty of [undefined, '']) {
    it(`uses the fallback for ${JSON.stringify(empty) ?? 'undefined'}`, () => {
      // Act
      const clean = sanitizeMessage(empty, 'fallback');
      // Assess
      expect(clean).to.equal('fallback');
    });
  }

  it('redacts every occurrence, not only the first', () => {
    // Act
    const clean = sanitizeMessage(`${SECRET_KEY} and again ${SECRET_KEY}`, 'fallback');
    // Assess
    expect(clean).to.equal('[redacted] and again [redacted]');
  });
});
