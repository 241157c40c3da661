/** The per-request sink: a log line always, EMF metrics when enabled. */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { publishRequestMetrics } from './metrics.ts';
import type { RequestRecord, Telemetry } from './requestRecord.ts';

export function createTelemetry(logger: Logger, metrics: Metrics | undefined): Telemetry {
  return {
    record(record: RequestRecord) {
      const level = record.status >= 500 ? 'error' : record.status >= 400 ? 'warn' : 'info';
      logger[level]('request', { ...record });
      if (metrics) {
        try {
          publishRequestMetrics(metrics, record);
        } catch (error) {
          logger.warn('metrics publish failed', { error: (error as Error).message });
        }
      }
    },
  };
}
