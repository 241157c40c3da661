/** The per-request sink: a log line always, EMF metrics when enabled. */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DEFAULT_SERVICE_NAME } from './logger.ts';
import { publishRequestMetrics } from './metrics.ts';
import { createRequestLog, type RequestLog } from './requestLog.ts';
import type { RequestRecord, Telemetry } from './requestRecord.ts';

export interface TelemetryOptions {
  readonly logger: Logger;
  /** EMF metrics, when enabled. */
  readonly metrics?: Metrics;
  /** The request line; by default the Powertools-shaped line on stdout/stderr at the logger's level. */
  readonly requestLog?: RequestLog;
  readonly serviceName?: string;
  readonly sampleRate?: number;
}

export function createTelemetry({ logger, metrics, requestLog, serviceName = DEFAULT_SERVICE_NAME, sampleRate = 0 }: TelemetryOptions): Telemetry {
  const logRequest = requestLog ?? createRequestLog(logger, { serviceName, sampleRate });
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
