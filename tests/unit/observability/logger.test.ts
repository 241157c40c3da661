import { expect } from 'chai';
import { createLogger } from '../../../app/observability/logger.ts';

describe('createLogger: LOG_LEVEL to the Powertools level', () => {
  // Powertools' level numbers.
  const cases: ReadonlyArray<readonly [string, number]> = [
    ['DEBUG', 8],
    ['info', 12],
    ['Warn', 16],
    ['ERROR', 20],
    ['silent', 28],
    ['CRITICAL', 12],
    ['verbose', 12],
  ];
  for (const [level, expected] of cases) {
    it(`${level} -> ${expected}${expected === 12 && !/^info$/i.test(level) ? ' (unknown: INFO)' : ''}`, () => {
      // Act
      const logger = createLogger(level);
      // Assess
      expect(logger.level).to.equal(expected);
    });
  }
});
