import { expect } from 'chai';
import { Logger } from '@aws-lambda-powertools/logger';
import { createRequestLog, requestLogLevel, type RequestLogLevel } from '../../../app/observability/requestLog.ts';
import type { RequestRecord } from '../../../app/observability/requestRecord.ts';

const RECORD: RequestRecord = {
  requestId: 'req-1',
  operation: 'Converse',
  modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  modelDimension: 'gpt-4o-mini',
  status: 200,
  latencyMs: 4.25,
  upstreamLatencyMs: 3.5,
  inputTokens: 12,
  outputTokens: 40,
};

const TRACE_HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

/** What Powertools Logger itself prints for `logger[method]('request', record)`, captured from stdout/stderr. */
function powertoolsLine(record: RequestRecord, method: 'info' | 'warn' | 'error'): string {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    new Logger({ serviceName: 'bedrock-gateway', logLevel: 'INFO' })[method]('request', { ...record });
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return lines.join('');
}

function capturedLog(level: number, { traceHeader, sampleRate }: { traceHeader?: string; sampleRate?: number } = {}) {
  const lines: [RequestLogLevel, string][] = [];
  const log = createRequestLog({ level }, { serviceName: 'bedrock-gateway', sampleRate, traceHeader: () => traceHeader, write: (at, line) => lines.push([at, line]) });
  return { lines, log };
}

const withoutTimestamp = (line: string) => {
  const parsed = JSON.parse(line) as Record<string, unknown>;
  expect(parsed.timestamp).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  delete parsed.timestamp;
  return parsed;
};

describe('createRequestLog: the per-request line', () => {
  const cases: readonly (readonly [number, 'info' | 'warn' | 'error'])[] = [
    [200, 'info'],
    [429, 'warn'],
    [503, 'error'],
  ];
  for (const [status, method] of cases) {
    it(`is the line Powertools Logger writes for status ${status}: same keys, same order, same values`, () => {
      // Prepare
      const record = { ...RECORD, status, exception: status >= 400 ? 'ThrottlingException' : undefined };
      const savedTrace = process.env._X_AMZN_TRACE_ID;
      process.env._X_AMZN_TRACE_ID = TRACE_HEADER;
      let expected: string;
      try {
        expected = powertoolsLine(record, method);
      } finally {
        if (savedTrace === undefined) delete process.env._X_AMZN_TRACE_ID;
        else process.env._X_AMZN_TRACE_ID = savedTrace;
      }
      const { lines, log } = capturedLog(12, { traceHeader: TRACE_HEADER });
      // Act
      log(record);
      // Assess
      expect(lines).to.have.length(1);
      const [level, line] = lines[0]!;
      expect(level).to.equal(method.toUpperCase());
      expect(line.endsWith('\n')).to.equal(true);
      const mine = withoutTimestamp(line);
      const theirs = withoutTimestamp(expected);
      expect(Object.keys(mine)).to.deep.equal(Object.keys(theirs));
      expect(mine).to.deep.equal(theirs);
      expect(mine.xray_trace_id).to.equal('1-5759e988-bd862e3fe1be46a994272793');
    });
  }

  it('leaves out xray_trace_id outside Lambda, and sampling_rate follows POWERTOOLS_LOGGER_SAMPLE_RATE', () => {
    // Prepare
    const { lines, log } = capturedLog(12, { sampleRate: 0.25 });
    // Act
    log(RECORD);
    // Assess
    const parsed = withoutTimestamp(lines[0]![1]);
    expect(parsed).to.not.have.property('xray_trace_id');
    expect(parsed).to.include({ level: 'INFO', message: 'request', service: 'bedrock-gateway', sampling_rate: 0.25, requestId: 'req-1' });
  });

  it('honours the level threshold, read at each line (WARN drops successes, keeps failures)', () => {
    // Prepare
    const target = { level: 16 };
    const lines: RequestLogLevel[] = [];
    const log = createRequestLog(target, { serviceName: 's', traceHeader: () => undefined, write: (at) => lines.push(at) });
    // Act
    log({ ...RECORD, status: 200 });
    log({ ...RECORD, status: 404 });
    target.level = 12;
    log({ ...RECORD, status: 200 });
    // Assess
    expect(lines).to.deep.equal(['WARN', 'INFO']);
  });

  it('writes the record as it was when logged, and never a prompt or key it was not given', () => {
    // Prepare
    const { lines, log } = capturedLog(12);
    const record = { ...RECORD };
    // Act
    log(record);
    record.status = 500;
    // Assess
    expect(JSON.parse(lines[0]![1])).to.include({ status: 200 });
  });

  it('maps statuses to levels: 5xx error, 4xx warn, the rest info', () => {
    // Prepare
    const statuses = [200, 299, 399, 400, 499, 500, 599];
    // Act
    const levels = statuses.map(requestLogLevel);
    // Assess
    expect(levels).to.deep.equal(['INFO', 'INFO', 'INFO', 'WARN', 'WARN', 'ERROR', 'ERROR']);
  });
});
