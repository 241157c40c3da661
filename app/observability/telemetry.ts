/** The per-request sink: a log line always, EMF metrics when enabled. */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SERVICE_NAME } from './logger.ts';
import { publishRequestMetrics } from './metrics.ts';
import { createRequestLog, type RequestLog } from './requestLog.ts';
import type { RequestRecord, Telemetry } from './requestRecord.ts';

/** `requestLog` defaults to the Powertools-shaped line on stdout/stderr at the logger's level. */
export function createTelemetry(logger: Logger, metrics: Metrics | undefined, requestLog?: RequestLog): Telemetry {
  const logRequest = requestLog ?? createRequestLog(logger, { serviceName: SERVICE_NAME });
  return {
    record(record: RequestRecord) {
      logRequest(record);
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
