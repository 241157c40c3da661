import { expect } from 'chai';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { RequestRecord } from '../../../app/observability/requestRecord.ts';
import { createTelemetry } from '../../../app/observability/telemetry.ts';

type Level = 'info' | 'warn' | 'error';

/** A logger that keeps each call as [level, message, attributes]. */
function recordingLogger() {
  const lines: [Level, string, unknown][] = [];
  const at = (level: Level) => (message: string, attributes: unknown) => {
    lines.push([level, message, attributes]);
  };
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger };
}

const RECORD: RequestRecord = { requestId: 'req-1', operation: 'Converse', modelId: 'gpt-4o', status: 200, latencyMs: 4.2 };

describe('createTelemetry: the request log line', () => {
  const levels: readonly (readonly [number, Level])[] = [
    [200, 'info'],
    [404, 'warn'],
    [429, 'warn'],
    [500, 'error'],
    [503, 'error'],
  ];
  for (const [status, level] of levels) {
    it(`logs status ${status} at ${level}, with the whole record`, () => {
      // Prepare
      const { lines, logger } = recordingLogger();
      const record = { ...RECORD, status };
      // Act
      createTelemetry(logger, undefined).record(record);
      // Assess
      expect(lines).to.deep.equal([[level, 'request', record]]);
    });
  }

  it('logs a copy, so later changes to the record do not reach the line', () => {
    // Prepare
    const { lines, logger } = recordingLogger();
    const record = { ...RECORD };
    // Act
    createTelemetry(logger, undefined).record(record);
    record.status = 500;
    // Assess
    expect(lines[0]?.[2]).to.include({ status: 200 });
  });

  it('keeps serving when publishing metrics fails, and says so at warn', () => {
    // Prepare
    const { lines, logger } = recordingLogger();
    const broken = {
      addDimensions() {
        throw new Error('EMF buffer full');
      },
    } as unknown as Metrics;
    // Act
    const record = () => createTelemetry(logger, broken).record(RECORD);
    // Assess
    expect(record).to.not.throw();
    expect(lines).to.deep.equal([
      ['info', 'request', RECORD],
      ['warn', 'metrics publish failed', { error: 'EMF buffer full' }],
    ]);
  });
});
