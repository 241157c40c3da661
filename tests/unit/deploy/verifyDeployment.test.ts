import { expect } from 'chai';
import type { ConverseCommand, ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import type {
  DescribeAlarmsCommand,
  DescribeAlarmsCommandOutput,
  GetMetricDataCommand,
  GetMetricDataCommandOutput,
  MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import {
  checkAlarms,
  parseOptions,
  readMetrics,
  serviceFromAlarms,
  verifyDeployment,
  type AlarmReader,
  type ConverseSender,
  type MetricReader,
  type VerifyOptions,
} from '../../../scripts/verify-deployment.ts';

const STACK = 'bedrock-gateway-prod';

const OPTIONS: VerifyOptions = {
  stack: STACK,
  region: 'us-east-1',
  apiUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod',
  apiKey: 'caller-key',
  modelId: 'gpt-4o-mini',
  minutes: 15,
  service: undefined,
};

function alarm(name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', extra: Partial<MetricAlarm> = {}): MetricAlarm {
  return { AlarmName: `${STACK}-${name}`, StateValue: state, ...extra };
}

const LATENCY_ALARM = alarm('latency-p99', 'OK', {
  Namespace: 'BedrockGateway',
  Dimensions: [{ Name: 'service', Value: 'bedrock-gateway-prod-svc' }],
});

/** Serves DescribeAlarms from pages (NextToken = next page index) and records the inputs. */
function fakeAlarms(pages: readonly MetricAlarm[][]) {
  const inputs: DescribeAlarmsCommand['input'][] = [];
  const reader: AlarmReader = {
    async send(command): Promise<DescribeAlarmsCommandOutput> {
      inputs.push(command.input);
      const index = Number(command.input.NextToken ?? '0');
      const next = index + 1 < pages.length ? String(index + 1) : undefined;
      return { $metadata: {}, MetricAlarms: pages[index] ?? [], NextToken: next };
    },
  };
  return { reader, inputs };
}

function fakeMetrics(values: Record<string, number[]> = { requests: [120], serverErrors: [1], upstreamErrors: [2], latencyP99: [850] }) {
  const inputs: GetMetricDataCommand['input'][] = [];
  const reader: MetricReader = {
    async send(command): Promise<GetMetricDataCommandOutput> {
      inputs.push(command.input);
      return {
        $metadata: {},
        MetricDataResults: (command.input.MetricDataQueries ?? []).map((query) => ({ Id: query.Id, Values: values[query.Id ?? ''] ?? [] })),
      };
    },
  };
  return { reader, inputs };
}

function fakeRuntime(outcome: Partial<ConverseCommandOutput> | Error) {
  const inputs: ConverseCommand['input'][] = [];
  const runtime: ConverseSender = {
    async send(command): Promise<ConverseCommandOutput> {
      inputs.push(command.input);
      if (outcome instanceof Error) throw outcome;
      return { $metadata: {}, output: undefined, stopReason: 'end_turn', usage: undefined, metrics: undefined, ...outcome } as ConverseCommandOutput;
    },
  };
  return { runtime, inputs };
}

const GOOD_ANSWER: Partial<ConverseCommandOutput> = {
  output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 12, outputTokens: 1, totalTokens: 13 },
};

function throttling(): Error {
  const error = new Error('Rate exceeded');
  error.name = 'ThrottlingException';
  return error;
}

describe('verify-deployment: exit code', () => {
  const cases: {
    name: string;
    alarms: MetricAlarm[][];
    smoke: Partial<ConverseCommandOutput> | Error | 'none';
    expected: number;
    mentions: RegExp;
  }[] = [
    { name: 'all alarms OK and the smoke call answers', alarms: [[alarm('alias-errors', 'OK'), LATENCY_ALARM]], smoke: GOOD_ANSWER, expected: 0, mentions: /ok {3}smoke/ },
    { name: 'insufficient data is not a failure', alarms: [[alarm('alias-errors', 'INSUFFICIENT_DATA')]], smoke: GOOD_ANSWER, expected: 0, mentions: /none in ALARM/ },
    { name: 'no --api-url skips the smoke call', alarms: [[alarm('alias-errors', 'OK')]], smoke: 'none', expected: 0, mentions: /skip smoke/ },
    { name: 'an alarm in ALARM', alarms: [[alarm('alias-errors', 'OK'), alarm('server-error-rate', 'ALARM')]], smoke: GOOD_ANSWER, expected: 1, mentions: /server-error-rate/ },
    { name: 'an alarm in ALARM on a later page', alarms: [[alarm('alias-errors', 'OK')], [alarm('latency-p99', 'ALARM')]], smoke: GOOD_ANSWER, expected: 1, mentions: /1 of 2 in ALARM/ },
    { name: 'no alarms at all (wrong stack or region)', alarms: [[]], smoke: GOOD_ANSWER, expected: 1, mentions: /none named/ },
    { name: 'the smoke call throws', alarms: [[alarm('alias-errors', 'OK')]], smoke: throttling(), expected: 1, mentions: /FAIL smoke.*ThrottlingException/ },
    { name: 'the smoke call answers without a message', alarms: [[alarm('alias-errors', 'OK')]], smoke: {}, expected: 1, mentions: /FAIL smoke/ },
  ];
  for (const c of cases) {
    it(`is ${c.expected} when ${c.name}`, async () => {
      // Prepare
      const { reader: alarms } = fakeAlarms(c.alarms);
      const { reader: metrics } = fakeMetrics();
      const runtime = c.smoke === 'none' ? undefined : fakeRuntime(c.smoke).runtime;
      const lines: string[] = [];

      // Act
      const code = await verifyDeployment(OPTIONS, { alarms, metrics, runtime }, (line) => lines.push(line));

      // Assess
      expect(code).to.equal(c.expected);
      expect(lines.join('\n')).to.match(c.mentions);
    });
  }
});

describe('verify-deployment: checks', () => {
  it('looks alarms up by the stack-name prefix and follows NextToken', async () => {
    // Prepare
    const { reader, inputs } = fakeAlarms([[alarm('a', 'OK')], [alarm('b', 'ALARM')], [alarm('c', 'OK')]]);

    // Act
    const report = await checkAlarms(reader, STACK);

    // Assess
    expect(inputs.map((input) => input.AlarmNamePrefix)).to.deep.equal([`${STACK}-`, `${STACK}-`, `${STACK}-`]);
    expect(inputs.map((input) => input.NextToken)).to.deep.equal([undefined, '1', '2']);
    expect(report.alarms).to.have.length(3);
    expect(report.firing).to.deep.equal([`${STACK}-b`]);
  });

  it('finds the service dimension on a plain or a metric-math EMF alarm', () => {
    // Prepare
    const mathAlarm = alarm('server-error-rate', 'OK', {
      Metrics: [{ Id: 'errors', MetricStat: { Metric: { Namespace: 'BedrockGateway', MetricName: 'ServerErrors', Dimensions: [{ Name: 'service', Value: 'svc-math' }] }, Period: 60, Stat: 'Sum' } }],
    });

    // Act
    const fromPlain = serviceFromAlarms([alarm('alias-errors', 'OK'), LATENCY_ALARM]);
    const fromMath = serviceFromAlarms([mathAlarm]);
    const fromNone = serviceFromAlarms([alarm('alias-errors', 'OK', { Namespace: 'AWS/Lambda' })]);

    // Assess
    expect(fromPlain).to.equal('bedrock-gateway-prod-svc');
    expect(fromMath).to.equal('svc-math');
    expect(fromNone).to.equal(undefined);
  });

  it('reads Requests, ServerErrors, UpstreamErrors and Latency p99 for the service over the window', async () => {
    // Prepare
    const { reader, inputs } = fakeMetrics({ requests: [100, 20], serverErrors: [], upstreamErrors: [3], latencyP99: [900] });
    const now = new Date('2026-01-01T12:00:00Z');

    // Act
    const report = await readMetrics(reader, 'svc', 15, now);

    // Assess
    expect(report).to.deep.equal({ requests: 120, serverErrors: undefined, upstreamErrors: 3, latencyP99Ms: 900 });
    const input = inputs[0]!;
    expect(input.StartTime?.toISOString()).to.equal('2026-01-01T11:45:00.000Z');
    const queries = (input.MetricDataQueries ?? []).map((q) => [q.MetricStat?.Metric?.MetricName, q.MetricStat?.Stat, q.MetricStat?.Period]);
    expect(queries).to.deep.equal([
      ['Requests', 'Sum', 900],
      ['ServerErrors', 'Sum', 900],
      ['UpstreamErrors', 'Sum', 900],
      ['Latency', 'p99', 900],
    ]);
    for (const q of input.MetricDataQueries ?? []) {
      expect(q.MetricStat?.Metric?.Namespace).to.equal('BedrockGateway');
      expect(q.MetricStat?.Metric?.Dimensions).to.deep.equal([{ Name: 'service', Value: 'svc' }]);
    }
  });

  it('prefers --service, then the alarms, for the metrics dimension', async () => {
    // Prepare
    const { reader: alarms } = fakeAlarms([[LATENCY_ALARM]]);
    const fromAlarms = fakeMetrics();
    const explicit = fakeMetrics();

    // Act
    await verifyDeployment({ ...OPTIONS, apiUrl: undefined }, { alarms, metrics: fromAlarms.reader, runtime: undefined }, () => {});
    await verifyDeployment({ ...OPTIONS, service: 'given' }, { alarms, metrics: explicit.reader, runtime: undefined }, () => {});

    // Assess
    const dimension = (input: GetMetricDataCommand['input'] | undefined) => input?.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions?.[0]?.Value;
    expect(dimension(fromAlarms.inputs[0])).to.equal('bedrock-gateway-prod-svc');
    expect(dimension(explicit.inputs[0])).to.equal('given');
  });

  it('sends one small Converse call to the chosen model', async () => {
    // Prepare
    const { reader: alarms } = fakeAlarms([[alarm('alias-errors', 'OK')]]);
    const { reader: metrics } = fakeMetrics();
    const { runtime, inputs } = fakeRuntime(GOOD_ANSWER);

    // Act
    await verifyDeployment({ ...OPTIONS, modelId: 'anthropic.claude-3-haiku-20240307-v1:0' }, { alarms, metrics, runtime }, () => {});

    // Assess
    expect(inputs).to.have.length(1);
    expect(inputs[0]?.modelId).to.equal('anthropic.claude-3-haiku-20240307-v1:0');
    expect(inputs[0]?.inferenceConfig?.maxTokens).to.be.at.most(32);
  });
});

describe('verify-deployment: options', () => {
  it('reads flags, with the bearer token and region from the environment as fallbacks', () => {
    // Prepare
    const argv = ['--stack', STACK, '--api-url', 'https://x/prod', '--minutes', '30'];
    const env = { AWS_BEARER_TOKEN_BEDROCK: 'from-env', AWS_REGION: 'eu-west-1' };

    // Act
    const options = parseOptions(argv, env);

    // Assess
    expect(options).to.deep.equal({
      stack: STACK,
      region: 'eu-west-1',
      apiUrl: 'https://x/prod',
      apiKey: 'from-env',
      modelId: 'gpt-4o-mini',
      minutes: 30,
      service: undefined,
    });
  });

  const invalid: { name: string; argv: string[]; message: RegExp }[] = [
    { name: 'a missing --stack', argv: ['--region', 'us-east-1'], message: /--stack/ },
    { name: 'a bad --minutes', argv: ['--stack', STACK, '--minutes', '0'], message: /--minutes/ },
    { name: 'an unknown flag', argv: ['--stack', STACK, '--bogus', 'x'], message: /bogus/ },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name}`, () => {
      // Prepare
      const { argv } = c;

      // Act
      const act = () => parseOptions(argv, {});

      // Assess
      expect(act).to.throw(c.message);
    });
  }
});
