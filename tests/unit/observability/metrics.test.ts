import { expect } from 'chai';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { boundedCallerDimension, createMetrics, publishRequestMetrics } from '../../../app/observability/metrics.ts';
import type { RequestRecord } from '../../../app/observability/requestRecord.ts';

const NAMESPACE = 'GatewayUnitTest';
const SERVICE_NAME = 'metrics-unit-test';

interface EmfLine {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

/** Env variables that would switch Powertools Metrics off (dev mode) while the test builds its instance. */
const SWITCHES = ['POWERTOOLS_DEV', 'POWERTOOLS_METRICS_DISABLED'] as const;

/** Runs `work` with metrics enabled, whatever the developer's environment says. */
function withMetricsOn<T>(work: () => T): T {
  const saved = SWITCHES.map((name) => [name, process.env[name]] as const);
  for (const name of SWITCHES) delete process.env[name];
  try {
    return work();
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}

const enabledMetrics = (): Metrics => withMetricsOn(() => createMetrics(NAMESPACE, SERVICE_NAME));

/** Runs `work` with stdout captured (Powertools writes EMF with a Console on process.stdout); returns the EMF lines. */
function captureEmf(work: () => void): EmfLine[] {
  const written: string[] = [];
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  try {
    // The singleMetric for Errors is a new Metrics built inside the call: keep dev mode off for it too.
    withMetricsOn(work);
  } finally {
    process.stdout.write = original;
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as EmfLine)
    .filter((line) => line._aws !== undefined);
}

const metricNames = (line: EmfLine) => line._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name) ?? [];
const unitOf = (line: EmfLine, name: string) => line._aws.CloudWatchMetrics[0]?.Metrics.find((m) => m.Name === name)?.Unit;
const dimensionSets = (line: EmfLine) => line._aws.CloudWatchMetrics[0]?.Dimensions ?? [];

const FULL: RequestRecord = {
  requestId: 'req-1',
  operation: 'ConverseStream',
  modelId: 'us.anthropic.claude-3-5-sonnet-20240620-v1:0',
  modelDimension: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  status: 424,
  exception: 'ModelErrorException',
  latencyMs: 812.5,
  upstreamLatencyMs: 790,
  timeToFirstTokenMs: 120,
  inputTokens: 42,
  outputTokens: 7,
  upstreamError: true,
  streamed: true,
};

const MINIMAL: RequestRecord = { requestId: 'req-2', operation: 'ListFoundationModels', status: 200, latencyMs: 3 };

describe('publishRequestMetrics: the request line', () => {
  it('emits one EMF line in the namespace with [service, operation, model] and [service]', () => {
    // Prepare
    const metrics = enabledMetrics();
    // Act
    const lines = captureEmf(() => publishRequestMetrics(metrics, MINIMAL));
    // Assess
    expect(lines).to.have.length(1);
    const line = lines[0] as EmfLine;
    expect(line._aws.CloudWatchMetrics).to.have.length(1);
    expect(line._aws.CloudWatchMetrics[0]?.Namespace).to.equal(NAMESPACE);
    const sets = dimensionSets(line);
    expect(sets).to.have.length(2);
    expect(sets[0]).to.have.members(['service', 'operation', 'model']);
    expect(sets[1]).to.deep.equal(['service']);
    expect(line).to.include({ service: SERVICE_NAME, operation: 'ListFoundationModels', model: 'none' });
  });

  it('emits every metric with its unit for a full record', () => {
    // Prepare
    const metrics = enabledMetrics();
    // Act
    const lines = captureEmf(() => publishRequestMetrics(metrics, FULL));
    // Assess
    const line = lines[0] as EmfLine;
    const expected: readonly (readonly [string, string, number])[] = [
      ['Requests', 'Count', 1],
      ['Latency', 'Milliseconds', 812.5],
      ['UpstreamLatency', 'Milliseconds', 790],
      ['TimeToFirstToken', 'Milliseconds', 120],
      ['InputTokens', 'Count', 42],
      ['OutputTokens', 'Count', 7],
      // A failure the upstream caused counts as UpstreamErrors only, never as ServerErrors.
      ['ServerErrors', 'Count', 0],
      ['UpstreamErrors', 'Count', 1],
    ];
    expect(metricNames(line)).to.have.members(expected.map(([name]) => name));
    for (const [name, unit, value] of expected) {
      expect(unitOf(line, name), `${name} unit`).to.equal(unit);
      expect(line[name], `${name} value`).to.equal(value);
    }
    expect(line).to.include({ operation: 'ConverseStream', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0' });
  });

  it('leaves out the optional metrics a record does not have', () => {
    // Prepare
    const metrics = enabledMetrics();
    // Act
    const lines = captureEmf(() => publishRequestMetrics(metrics, MINIMAL));
    // Assess
    expect(metricNames(lines[0] as EmfLine)).to.have.members(['Requests', 'Latency', 'ServerErrors', 'UpstreamErrors']);
    expect(lines[0]).to.include({ ServerErrors: 0, UpstreamErrors: 0, Requests: 1, Latency: 3 });
  });

  // [what, status, exception, upstreamError, ServerErrors, UpstreamErrors]: counted by whom the failure came from.
  const outcomes: readonly (readonly [string, number, string | undefined, boolean | undefined, number, number])[] = [
    ['a success', 200, undefined, undefined, 0, 0],
    ["the caller's own 400", 400, 'ValidationException', false, 0, 0],
    ['an upstream 429', 429, 'ThrottlingException', true, 0, 1],
    ['an upstream 500 (424)', 424, 'ModelErrorException', true, 0, 1],
    ['a gateway 500', 500, 'InternalServerException', false, 1, 0],
    ['an upstream outage (503)', 503, 'ServiceUnavailableException', true, 0, 1],
    ['an identity provider outage (503, not the upstream)', 503, 'ServiceUnavailableException', false, 1, 0],
    ['an upstream cut after the 200 (exception frame)', 200, 'ModelStreamErrorException', true, 0, 1],
    ['a gateway failure after the 200 (exception frame)', 200, 'InternalServerException', false, 1, 0],
    ['a caller gone mid-stream', 200, 'ClientDisconnected', false, 0, 0],
  ];
  for (const [what, status, exception, upstreamError, serverErrors, upstreamErrors] of outcomes) {
    it(`${what} -> ServerErrors ${serverErrors}, UpstreamErrors ${upstreamErrors}`, () => {
      // Prepare
      const metrics = enabledMetrics();
      // Act
      const lines = captureEmf(() => publishRequestMetrics(metrics, { ...MINIMAL, status, exception, upstreamError }));
      // Assess
      expect(lines[0]).to.include({ ServerErrors: serverErrors, UpstreamErrors: upstreamErrors });
    });
  }

  it('does not carry dimensions or metrics over to the next request', () => {
    // Prepare
    const metrics = enabledMetrics();
    // Act
    const lines = captureEmf(() => {
      publishRequestMetrics(metrics, FULL);
      publishRequestMetrics(metrics, MINIMAL);
    });
    // Assess
    const second = lines.find((line) => line.operation === 'ListFoundationModels') as EmfLine;
    expect(dimensionSets(second)).to.have.length(2);
    expect(second).to.include({ model: 'none' });
    expect(metricNames(second)).to.not.include('InputTokens');
  });
});

describe('publishRequestMetrics: the Errors line', () => {
  it('emits a separate Errors line on [service, operation, exception] when the record has an exception', () => {
    // Prepare
    const metrics = enabledMetrics();
    // Act
    const lines = captureEmf(() => publishRequestMetrics(metrics, FULL));
    // Assess
    expect(lines).to.have.length(2);
    const errors = lines.find((line) => metricNames(line).includes('Errors')) as EmfLine;
    expect(errors).to.not.equal(undefined);
    expect(metricNames(errors)).to.deep.equal(['Errors']);
    expect(unitOf(errors, 'Errors')).to.equal('Count');
    expect(errors.Errors).to.equal(1);
    expect(errors._aws.CloudWatchMetrics[0]?.Namespace).to.equal(NAMESPACE);
    expect(dimensionSets(errors)).to.have.length(1);
    expect(dimensionSets(errors)[0]).to.have.members(['service', 'operation', 'exception']);
    expect(errors).to.include({ service: SERVICE_NAME, operation: 'ConverseStream', exception: 'ModelErrorException' });
    expect(errors).to.not.have.property('model');
  });

  it('emits no Errors line without an exception', () => {
    // Prepare
    const metrics = enabledMetrics();
    // Act
    const lines = captureEmf(() => publishRequestMetrics(metrics, MINIMAL));
    // Assess
    expect(lines).to.have.length(1);
    expect(lines.flatMap(metricNames)).to.not.include('Errors');
  });
});

describe('publishRequestMetrics: the function version dimension', () => {
  it('adds [service, version] to the request line in Lambda, the set the canary alarms select the new version by', () => {
    // Prepare
    const metrics = enabledMetrics();
    // Act
    const lines = captureEmf(() => publishRequestMetrics(metrics, FULL, { functionVersion: '42' }));
    // Assess
    const request = lines.find((line) => metricNames(line).includes('Requests')) as EmfLine;
    expect(dimensionSets(request)).to.deep.include(['service', 'version']);
    expect(dimensionSets(request)).to.deep.include(['service']);
    expect(request).to.include({ version: '42', Requests: 1, UpstreamErrors: 1, ServerErrors: 0, TimeToFirstToken: 120 });
  });

  it('has no version set outside Lambda', () => {
    // Prepare
    const metrics = enabledMetrics();
    // Act
    const lines = captureEmf(() => publishRequestMetrics(metrics, FULL));
    // Assess
    for (const line of lines) expect(dimensionSets(line).flat()).to.not.include('version');
  });
});

describe('publishRequestMetrics: the caller dimension', () => {
  it('adds [service, caller] to the request line and to Errors', () => {
    // Prepare
    const metrics = enabledMetrics();
    // Act
    const lines = captureEmf(() => publishRequestMetrics(metrics, { ...FULL, caller: 'alice' }, { caller: boundedCallerDimension(10) }));
    // Assess
    const [request, errors] = lines as [EmfLine, EmfLine];
    expect(dimensionSets(request)).to.deep.include(['service', 'caller']);
    expect(request).to.include({ caller: 'alice', InputTokens: 42, OutputTokens: 7, Requests: 1 });
    expect(dimensionSets(errors)).to.deep.include(['service', 'caller']);
    expect(errors).to.include({ caller: 'alice', Errors: 1 });
  });

  it('has no caller set without a caller (the health check) or with the dimension switched off', () => {
    // Prepare
    const metrics = enabledMetrics();
    // Act
    const lines = captureEmf(() => {
      publishRequestMetrics(metrics, { ...MINIMAL, operation: 'Health' }, { caller: boundedCallerDimension(10) });
      publishRequestMetrics(metrics, { ...MINIMAL, caller: 'alice' });
    });
    // Assess
    for (const line of lines) expect(dimensionSets(line).flat()).to.not.include('caller');
  });

  it('counts callers past the cap as "other", and keeps the ones it already had', () => {
    // Prepare
    const dimension = boundedCallerDimension(2);
    // Act
    const values = ['a', 'b', 'c', 'a', 'd', 'b', undefined].map(dimension);
    // Assess
    expect(values).to.deep.equal(['a', 'b', 'other', 'a', 'other', 'b', undefined]);
  });
});
