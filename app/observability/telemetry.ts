/** The per-request sink: a log line always, EMF metrics when enabled. */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DEFAULT_SERVICE_NAME } from './logger.ts';
import { boundedCallerDimension, publishRequestMetrics } from './metrics.ts';
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
  /** The caller as a metrics dimension (bounded), unless switched off. */
  readonly callerMetrics?: { readonly enabled: boolean; readonly limit: number };
  /** The Lambda function version serving, a metrics dimension (the canary alarms select by it). */
  readonly functionVersion?: string;
}

export function createTelemetry(options: TelemetryOptions): Telemetry {
  const { logger, metrics, requestLog, serviceName = DEFAULT_SERVICE_NAME, sampleRate = 0, callerMetrics = { enabled: true, limit: 100 } } = options;
  const logRequest = requestLog ?? createRequestLog(logger, { serviceName, sampleRate });
  const dimensions = { caller: callerMetrics.enabled ? boundedCallerDimension(callerMetrics.limit) : undefined, functionVersion: options.functionVersion };
  return {
    record(record: RequestRecord) {
      logRequest(record);
      if (metrics) {
        try {
          publishRequestMetrics(metrics, record, dimensions);
        } catch (error) {
          logger.warn('metrics publish failed', { error: (error as Error).message });
        }
      }
    },
  };
}
