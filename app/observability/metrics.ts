/**
 * CloudWatch EMF metrics through Powertools Metrics. Per request: Requests, Latency,
 * UpstreamLatency, TimeToFirstToken, InputTokens, OutputTokens, ServerErrors and UpstreamErrors on
 * the dimension sets [service], [service, operation, model], in Lambda [service, version] (the
 * canary alarms judge the new version by it) and (when on) [service, caller]; Errors on
 * [service, operation, exception] and [service, caller]. ServerErrors and UpstreamErrors count
 * failures by whom they came from (failureOrigin), in-stream failures after the 200 included.
 *
 * One Metrics instance buffers one request at a time: Lambda serves one request per
 * container at a time, and the local server (concurrent) only emits when asked to.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { failureOrigin, type RequestRecord } from './requestRecord.ts';

export function createMetrics(namespace: string, serviceName: string): Metrics {
  return new Metrics({ namespace, serviceName });
}

/** The caller's name as a dimension value: each distinct name costs a metric series, so at most `limit` per container, the rest as `other`. */
export type CallerDimension = (caller: string | undefined) => string | undefined;

const OTHER_CALLERS = 'other';

export function boundedCallerDimension(limit: number): CallerDimension {
  const seen = new Set<string>();
  return (caller) => {
    if (caller === undefined || seen.has(caller)) return caller;
    if (seen.size >= limit) return OTHER_CALLERS;
    seen.add(caller);
    return caller;
  };
}

/** The dimensions a request's metrics may carry besides [service] and [service, operation, model]. */
export interface RequestDimensions {
  /** The caller's name, bounded; absent when the caller dimension is off. */
  readonly caller?: CallerDimension;
  /** The Lambda function version serving; absent outside Lambda. */
  readonly functionVersion?: string;
}

/** Adds one request's metrics and publishes them as EMF lines (stdout, which Lambda ships to CloudWatch). */
export function publishRequestMetrics(metrics: Metrics, record: RequestRecord, dimensions: RequestDimensions = {}): void {
  const operation = record.operation;
  const model = record.modelDimension ?? 'none';
  const caller = dimensions.caller?.(record.caller);
  metrics.addDimensions({ operation, model });
  metrics.addDimensions({}); // also the [service] set, for stack-wide alarms and the dashboard
  if (dimensions.functionVersion !== undefined) metrics.addDimensions({ version: dimensions.functionVersion });
  if (caller !== undefined) metrics.addDimensions({ caller });
  metrics.addMetric('Requests', MetricUnit.Count, 1);
  metrics.addMetric('Latency', MetricUnit.Milliseconds, record.latencyMs);
  if (record.upstreamLatencyMs !== undefined) metrics.addMetric('UpstreamLatency', MetricUnit.Milliseconds, record.upstreamLatencyMs);
  if (record.timeToFirstTokenMs !== undefined) metrics.addMetric('TimeToFirstToken', MetricUnit.Milliseconds, record.timeToFirstTokenMs);
  if (record.inputTokens !== undefined) metrics.addMetric('InputTokens', MetricUnit.Count, record.inputTokens);
  if (record.outputTokens !== undefined) metrics.addMetric('OutputTokens', MetricUnit.Count, record.outputTokens);
  const origin = failureOrigin(record);
  metrics.addMetric('ServerErrors', MetricUnit.Count, origin === 'gateway' ? 1 : 0);
  metrics.addMetric('UpstreamErrors', MetricUnit.Count, origin === 'upstream' ? 1 : 0);
  metrics.publishStoredMetrics();
  if (record.exception) {
    const single = metrics.singleMetric();
    single.addDimensions({ operation, exception: record.exception });
    if (caller !== undefined) single.addDimensions({ caller });
    single.addMetric('Errors', MetricUnit.Count, 1);
  }
}
