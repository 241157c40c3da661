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
  deployedVersion,
  judgeNewVersion,
  parseOptions,
  readMetrics,
  serviceFromAlarms,
  verifyDeployment,
  type AlarmReader,
  type ConverseSender,
  type MetricReader,
  type VerifyOptions,
} from '../../../scripts/verify-deployment.ts';
import { evaluateMetricMath } from '../../helpers/metricMath.ts';
import { loadTemplate, type Json, type Obj } from '../../helpers/samTemplate.ts';

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

function fakeMetrics(values: Record<string, number[]> = { requests: [120], serverErrors: [1], upstreamErrors: [2], latencyP99: [850], ttftP99: [420] }) {
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
    expect(report).to.deep.equal({ requests: 120, serverErrors: undefined, upstreamErrors: 3, latencyP99Ms: 900, timeToFirstTokenP99Ms: undefined });
    const input = inputs[0]!;
    expect(input.StartTime?.toISOString()).to.equal('2026-01-01T11:45:00.000Z');
    const queries = (input.MetricDataQueries ?? []).map((q) => [q.MetricStat?.Metric?.MetricName, q.MetricStat?.Stat, q.MetricStat?.Period]);
    expect(queries).to.deep.equal([
      ['Requests', 'Sum', 900],
      ['ServerErrors', 'Sum', 900],
      ['UpstreamErrors', 'Sum', 900],
      ['Latency', 'p99', 900],
      ['TimeToFirstToken', 'p99', 900],
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

/**
 * The stack's alarms as DescribeAlarms returns them once deployed: template.yaml's, with the
 * service, the new version (7) and the parameter defaults resolved.
 */
function deployedAlarms(): MetricAlarm[] {
  const template = loadTemplate();
  const parameters = template.Parameters as Record<string, Obj>;
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    if ('Ref' in value) return value.Ref === 'ServiceName' ? 'svc' : String(parameters[value.Ref as string]?.Default ?? value.Ref);
    if ('Fn::GetAtt' in value) return '7';
    if ('Fn::Sub' in value) return (value['Fn::Sub'] as string).replace(/\$\{([\w:]+)\}/g, (_, name: string) => (name === 'AWS::StackName' ? STACK : String(parameters[name]?.Default ?? name)));
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolve(inner)]));
  };
  return Object.values(template.Resources as Record<string, Obj>)
    .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
    .map((resource) => ({ ...(resolve(resource.Properties as Json) as MetricAlarm), StateValue: 'OK' }));
}

/** A CloudWatch that answers each MetricStat from `traffic` (by query id) and computes the expressions as the alarms do. */
function trafficMetrics(traffic: Record<string, number>): MetricReader {
  return {
    async send(command): Promise<GetMetricDataCommandOutput> {
      const values: Record<string, number | undefined> = {};
      for (const query of command.input.MetricDataQueries ?? []) {
        values[query.Id!] = query.MetricStat ? traffic[query.Id!] : evaluateMetricMath(query.Expression!, values);
      }
      return { $metadata: {}, MetricDataResults: Object.entries(values).map(([Id, value]) => ({ Id, Values: value === undefined ? [] : [value] })) };
    },
  };
}

describe('verify-deployment: the new version after the shift, by the rollback alarms\' own rules', () => {
  const alarms = deployedAlarms();
  // Fifteen minutes after a full shift: the new version served 900 requests, the old one 100 before it.
  const healthy = { reqNew: 900, errNew: 0, reqAll: 1000, errAll: 0, p99New: 2_000, sumNew: 900_000, countNew: 900, sumAll: 1_000_000, countAll: 1000 };

  it('finds the version deployed last in the rollback alarms', () => {
    // Act
    const version = deployedVersion(alarms);
    // Assess
    expect(version).to.equal('7');
  });

  it('runs each EMF rollback alarm over the whole window as one period', async () => {
    // Prepare
    const { reader, inputs } = fakeMetrics();
    // Act
    const verdicts = await judgeNewVersion(reader, alarms, 15, new Date('2026-01-01T12:00:00Z'));
    // Assess
    expect(verdicts.map((verdict) => verdict.alarm)).to.have.members([
      `${STACK}-new-version-server-error-rate`,
      `${STACK}-new-version-upstream-error-rate`,
      `${STACK}-new-version-latency-p99`,
      `${STACK}-new-version-time-to-first-token-p99`,
    ]);
    for (const input of inputs) {
      const periods = (input.MetricDataQueries ?? []).filter((query) => query.MetricStat).map((query) => query.MetricStat!.Period);
      expect(new Set(periods)).to.deep.equal(new Set([900]));
      expect(input.StartTime?.toISOString()).to.equal('2026-01-01T11:45:00.000Z');
    }
  });

  const cases: [string, Record<string, number>, number, RegExp][] = [
    ['a healthy new version passes', healthy, 0, /ok {3}version 7 over 15 min: .*-new-version-upstream-error-rate = 0/],
    ['a new version failing one upstream call in five on its own fails', { ...healthy, errNew: 180, errAll: 180 }, 1, /FAIL version 7 .*-new-version-upstream-error-rate = 20 \(threshold 10\)/],
    ['an upstream outage hitting both versions alike passes the version check', { ...healthy, errNew: 900, errAll: 1000 }, 0, /ok {3}version 7 .*-new-version-upstream-error-rate = 0/],
  ];
  for (const [name, traffic, code, mentions] of cases) {
    it(name, async () => {
      // Prepare
      const lines: string[] = [];
      const { reader } = fakeAlarms([alarms]);
      // Act
      const exit = await verifyDeployment({ ...OPTIONS, apiUrl: undefined }, { alarms: reader, metrics: trafficMetrics(traffic), runtime: undefined }, (line) => lines.push(line));
      // Assess
      expect(exit, lines.join('\n')).to.equal(code);
      expect(lines.join('\n')).to.match(mentions);
    });
  }
});
