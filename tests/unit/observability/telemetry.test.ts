import { expect } from 'chai';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { RequestRecord } from '../../../app/observability/requestRecord.ts';
import { createTelemetry } from '../../../app/observability/telemetry.ts';

/** A logger that keeps each warn call as [message, attributes]. */
function recordingLogger() {
  const warnings: [string, unknown][] = [];
  const logger = { level: 12, warn: (message: string, attributes: unknown) => warnings.push([message, attributes]) };
  return { warnings, logger: logger as unknown as Logger };
}

const RECORD: RequestRecord = { requestId: 'req-1', operation: 'Converse', modelId: 'gpt-4o', status: 200, latencyMs: 4.2 };

describe('createTelemetry', () => {
  it('hands every record to the request log, once', () => {
    // Prepare
    const { logger } = recordingLogger();
    const logged: RequestRecord[] = [];
    // Act
    createTelemetry({ logger, requestLog: (record) => logged.push(record) }).record(RECORD);
    // Assess
    expect(logged).to.deep.equal([RECORD]);
  });

  it('keeps serving when publishing metrics fails, and says so at warn', () => {
    // Prepare
    const { warnings, logger } = recordingLogger();
    const logged: RequestRecord[] = [];
    const broken = {
      addDimensions() {
        throw new Error('EMF buffer full');
      },
    } as unknown as Metrics;
    // Act
    const record = () => createTelemetry({ logger, metrics: broken, requestLog: (line) => logged.push(line) }).record(RECORD);
    // Assess
    expect(record).to.not.throw();
    expect(logged).to.deep.equal([RECORD]);
    expect(warnings).to.deep.equal([['metrics publish failed', { error: 'EMF buffer full' }]]);
  });
});
