/**
 * The one log line per request, written as the JSON Powertools Logger would write for
 * `logger.info('request', record)`: the same keys in the same order, the same level filter,
 * info on stdout and warn/error on stderr.
 *
 * Why not `logger.info()` itself: per call, Powertools merges its attribute layers, reads the
 * environment several times and stringifies through a replacer. On the gateway's hottest path
 * that was a tenth of its CPU per request (bench/README.md); this writer costs a fifth of it.
 * Every other log line still goes through Powertools Logger. Timestamps are always UTC.
 */
import { xrayTraceHeader } from '../config/lambdaRuntime.ts';
import type { RequestRecord } from './requestRecord.ts';

export type RequestLogLevel = 'INFO' | 'WARN' | 'ERROR';

/** Powertools Logger's level numbers (`logger.level`). */
const LEVEL_NUMBER: Record<RequestLogLevel, number> = { INFO: 12, WARN: 16, ERROR: 20 };

export interface RequestLogTarget {
  /** The current threshold, as Powertools' `logger.level` (read per line: sampling can lower it). */
  readonly level: number;
}

export interface RequestLogOptions {
  readonly serviceName: string;
  /** POWERTOOLS_LOGGER_SAMPLE_RATE, printed on every line as Powertools does. */
  readonly sampleRate?: number;
  /** The invocation's X-Ray header (Lambda sets it per invocation); tests pass their own. */
  readonly traceHeader?: () => string | undefined;
  /** Where lines go; tests capture them. */
  readonly write?: (level: RequestLogLevel, line: string) => void;
}

export type RequestLog = (record: RequestRecord) => void;

const writeToStdio = (level: RequestLogLevel, line: string): void => {
  (level === 'INFO' ? process.stdout : process.stderr).write(line);
};

export function requestLogLevel(status: number): RequestLogLevel {
  return status >= 500 ? 'ERROR' : status >= 400 ? 'WARN' : 'INFO';
}

/** `Root=1-abc;Parent=...;Sampled=1` -> `1-abc`, as Powertools reads _X_AMZN_TRACE_ID. */
function xrayTraceId(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const root = header.split(';').find((part) => part.startsWith('Root='));
  return root ? root.slice(5) : undefined;
}

export function createRequestLog(target: RequestLogTarget, options: RequestLogOptions): RequestLog {
  const write = options.write ?? writeToStdio;
  const traceHeader = options.traceHeader ?? xrayTraceHeader;
  const sampleRate = options.sampleRate ?? 0;
  // Everything after the timestamp that does not change between requests, serialised once.
  const service = `"service":${JSON.stringify(options.serviceName)},"sampling_rate":${sampleRate}`;

  return (record) => {
    const level = requestLogLevel(record.status);
    if (LEVEL_NUMBER[level] < target.level) return;
    // Lambda sets the trace header per invocation, so it is read per line.
    const traceId = xrayTraceId(traceHeader());
    const trace = traceId ? `,"xray_trace_id":${JSON.stringify(traceId)}` : '';
    const fields = JSON.stringify(record);
    const rest = fields.length > 2 ? `,${fields.slice(1)}` : '}';
    write(level, `{"level":"${level}","message":"request","timestamp":"${new Date().toISOString()}",${service}${trace}${rest}\n`);
  };
}
