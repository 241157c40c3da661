/**
 * CloudWatch EMF metrics through Powertools Metrics. Per request: Requests, Latency,
 * UpstreamLatency, TimeToFirstToken, InputTokens, OutputTokens on the dimension sets
 * [service], [service, operation, model] and (when on) [service, caller]; Errors on
 * [service, operation, exception] and [service, caller]; ServerErrors and UpstreamErrors for
 * the deployment alarms.
 *
 * One Metrics instance buffers one request at a time: Lambda serves one request per
 * container at a time, and the local server (concurrent) only emits when asked to.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RequestRecord } from './requestRecord.ts';

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

/** Adds one request's metrics and publishes them as EMF lines (stdout, which Lambda ships to CloudWatch). */
export function publishRequestMetrics(metrics: Metrics, record: RequestRecord, callerDimension?: CallerDimension): void {
  const operation = record.operation;
  const model = record.modelDimension ?? 'none';
  const caller = callerDimension?.(record.caller);
  metrics.addDimensions({ operation, model });
  metrics.addDimensions({}); // also the [service] set, for stack-wide alarms
  if (caller !== undefined) metrics.addDimensions({ caller });
  metrics.addMetric('Requests', MetricUnit.Count, 1);
  metrics.addMetric('Latency', MetricUnit.Milliseconds, record.latencyMs);
  if (record.upstreamLatencyMs !== undefined) metrics.addMetric('UpstreamLatency', MetricUnit.Milliseconds, record.upstreamLatencyMs);
  if (record.timeToFirstTokenMs !== undefined) metrics.addMetric('TimeToFirstToken', MetricUnit.Milliseconds, record.timeToFirstTokenMs);
  if (record.inputTokens !== undefined) metrics.addMetric('InputTokens', MetricUnit.Count, record.inputTokens);
  if (record.outputTokens !== undefined) metrics.addMetric('OutputTokens', MetricUnit.Count, record.outputTokens);
  metrics.addMetric('ServerErrors', MetricUnit.Count, record.status >= 500 ? 1 : 0);
  metrics.addMetric('UpstreamErrors', MetricUnit.Count, record.upstreamError ? 1 : 0);
  metrics.publishStoredMetrics();
  if (record.exception) {
    const single = metrics.singleMetric();
    single.addDimensions({ operation, exception: record.exception });
    if (caller !== undefined) single.addDimensions({ caller });
    single.addMetric('Errors', MetricUnit.Count, 1);
  }
}
