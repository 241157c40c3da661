/**
 * Post-deployment check of a gateway stack:
 *   node scripts/verify-deployment.ts --stack <name> [--region r] [--api-url u] [--api-key k]
 *        [--model m] [--minutes n] [--service s]
 * 1. every CloudWatch alarm named `<stack>-*` (the template names them so) must not be in ALARM;
 * 2. prints the gateway's EMF metrics (Requests, ServerErrors, UpstreamErrors, Latency and time to
 *    first token p99) for the last N minutes, for the whole service and for the version deployed last;
 * 3. judges that version after the shift: each rollback alarm's own metric math (the new version
 *    against the rest of the traffic) run over the whole window, one value against its threshold,
 *    which catches a version that stayed just under the alarm minute by minute;
 * 4. with --api-url, one Converse call through the deployed endpoint with the stock JS client.
 * Exit code 0 only when all of them pass. The logic takes its clients as parameters (tests pass fakes).
 */
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import type { ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { DescribeAlarmsCommandOutput, GetMetricDataCommandOutput, MetricAlarm, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { parseArgs } from 'node:util';

// The namespace and service default template.yaml gives the function (POWERTOOLS_METRICS_NAMESPACE, ServiceName).
const METRICS_NAMESPACE = 'BedrockGateway';
const DEFAULT_SERVICE = 'bedrock-gateway';
const DEFAULT_SMOKE_MODEL = 'gpt-4o-mini';

export interface VerifyOptions {
  readonly stack: string;
  readonly region: string | undefined;
  readonly apiUrl: string | undefined;
  readonly apiKey: string | undefined;
  readonly modelId: string;
  readonly minutes: number;
  readonly service: string | undefined;
}

/** Narrow views of the SDK clients; the real clients and test fakes both satisfy them. */
export interface AlarmReader {
  send(command: DescribeAlarmsCommand): Promise<DescribeAlarmsCommandOutput>;
}
export interface MetricReader {
  send(command: GetMetricDataCommand): Promise<GetMetricDataCommandOutput>;
}
export interface ConverseSender {
  send(command: ConverseCommand): Promise<ConverseCommandOutput>;
}

export interface VerifyClients {
  readonly alarms: AlarmReader;
  readonly metrics: MetricReader;
  /** Absent when no --api-url was given: the smoke call is skipped. */
  readonly runtime: ConverseSender | undefined;
}

export interface AlarmReport {
  readonly alarms: readonly MetricAlarm[];
  readonly firing: readonly string[];
}

export interface MetricsReport {
  readonly requests: number | undefined;
  readonly serverErrors: number | undefined;
  readonly upstreamErrors: number | undefined;
  readonly latencyP99Ms: number | undefined;
  readonly timeToFirstTokenP99Ms: number | undefined;
}

/** One rollback alarm's rule, run over the whole window after the shift. */
export interface VersionVerdict {
  readonly alarm: string;
  /** The rule's value over the window; undefined when the new version had no traffic. */
  readonly value: number | undefined;
  readonly threshold: number;
  readonly breaching: boolean;
}

export interface SmokeReport {
  readonly ok: boolean;
  readonly detail: string;
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): VerifyOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      stack: { type: 'string' },
      region: { type: 'string' },
      'api-url': { type: 'string' },
      'api-key': { type: 'string' },
      model: { type: 'string' },
      minutes: { type: 'string' },
      service: { type: 'string' },
    },
    strict: true,
  });
  if (!values.stack) throw new Error('--stack <name> is required');
  const minutes = Number(values.minutes ?? '15');
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) throw new Error('--minutes must be an integer from 1 to 1440');
  return {
    stack: values.stack,
    region: values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    apiUrl: values['api-url'],
    apiKey: values['api-key'] ?? env.AWS_BEARER_TOKEN_BEDROCK,
    modelId: values.model ?? DEFAULT_SMOKE_MODEL,
    minutes,
    service: values.service,
  };
}

/** All metric alarms of the stack (found by name prefix), and the names of those in ALARM. */
export async function checkAlarms(reader: AlarmReader, stack: string): Promise<AlarmReport> {
  const alarms: MetricAlarm[] = [];
  let nextToken: string | undefined;
  do {
    const page = await reader.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: `${stack}-`, AlarmTypes: ['MetricAlarm'], NextToken: nextToken }),
    );
    alarms.push(...(page.MetricAlarms ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  const firing = alarms.filter((alarm) => alarm.StateValue === 'ALARM').map((alarm) => alarm.AlarmName ?? '(unnamed)');
  return { alarms, firing };
}

/** The `service` dimension the stack's EMF alarms watch; the template default otherwise. */
export function serviceFromAlarms(alarms: readonly MetricAlarm[]): string | undefined {
  for (const alarm of alarms) {
    const direct = alarm.Dimensions?.find((dimension) => dimension.Name === 'service')?.Value;
    if (alarm.Namespace === METRICS_NAMESPACE && direct) return direct;
    for (const query of alarm.Metrics ?? []) {
      const metric = query.MetricStat?.Metric;
      const fromQuery = metric?.Dimensions?.find((dimension) => dimension.Name === 'service')?.Value;
      if (metric?.Namespace === METRICS_NAMESPACE && fromQuery) return fromQuery;
    }
  }
  return undefined;
}

/** The version the last deployment shifted to: the rollback alarms select its metrics by it. */
export function deployedVersion(alarms: readonly MetricAlarm[]): string | undefined {
  for (const alarm of alarms) {
    const direct = alarm.Dimensions?.find((dimension) => dimension.Name === 'ExecutedVersion')?.Value;
    if (direct) return direct;
    for (const query of alarm.Metrics ?? []) {
      const version = query.MetricStat?.Metric?.Dimensions?.find((dimension) => dimension.Name === 'version')?.Value;
      if (version) return version;
    }
  }
  return undefined;
}

/**
 * One datapoint per metric over the whole window: EMF dimension set [service], or [service, version]
 * for one function version.
 */
export async function readMetrics(reader: MetricReader, service: string, minutes: number, now = new Date(), version?: string): Promise<MetricsReport> {
  const period = minutes * 60;
  const dimensions = [{ Name: 'service', Value: service }, ...(version === undefined ? [] : [{ Name: 'version', Value: version }])];
  const metric = (id: string, name: string, stat: string) => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: METRICS_NAMESPACE, MetricName: name, Dimensions: dimensions },
      Period: period,
      Stat: stat,
    },
  });
  const output = await reader.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - period * 1000),
      EndTime: now,
      MetricDataQueries: [
        metric('requests', 'Requests', 'Sum'),
        metric('serverErrors', 'ServerErrors', 'Sum'),
        metric('upstreamErrors', 'UpstreamErrors', 'Sum'),
        metric('latencyP99', 'Latency', 'p99'),
        metric('ttftP99', 'TimeToFirstToken', 'p99'),
      ],
    }),
  );
  const value = (id: string): number | undefined => {
    const values = output.MetricDataResults?.find((result) => result.Id === id)?.Values ?? [];
    return values.length === 0 ? undefined : values.reduce((sum, v) => sum + v, 0);
  };
  return {
    requests: value('requests'),
    serverErrors: value('serverErrors'),
    upstreamErrors: value('upstreamErrors'),
    latencyP99Ms: output.MetricDataResults?.find((result) => result.Id === 'latencyP99')?.Values?.[0],
    timeToFirstTokenP99Ms: output.MetricDataResults?.find((result) => result.Id === 'ttftP99')?.Values?.[0],
  };
}

const COMPARE: Record<string, (value: number, threshold: number) => boolean> = {
  GreaterThanThreshold: (value, threshold) => value > threshold,
  GreaterThanOrEqualToThreshold: (value, threshold) => value >= threshold,
  LessThanThreshold: (value, threshold) => value < threshold,
  LessThanOrEqualToThreshold: (value, threshold) => value <= threshold,
};

/**
 * The rollback alarms that judge the new version by its EMF metrics (a `version` dimension), each
 * run as the alarm runs it but over the whole window as one period: the same rule, the same
 * threshold, read after the traffic has shifted.
 */
export async function judgeNewVersion(reader: MetricReader, alarms: readonly MetricAlarm[], minutes: number, now = new Date()): Promise<VersionVerdict[]> {
  const period = minutes * 60;
  const verdicts: VersionVerdict[] = [];
  for (const alarm of alarms) {
    const queries = alarm.Metrics ?? [];
    const byVersion = queries.some((query) => query.MetricStat?.Metric?.Dimensions?.some((dimension) => dimension.Name === 'version'));
    const compare = COMPARE[alarm.ComparisonOperator ?? ''];
    if (!byVersion || !compare || alarm.Threshold === undefined) continue;
    const windowed: MetricDataQuery[] = queries.map((query) => (query.MetricStat ? { ...query, MetricStat: { ...query.MetricStat, Period: period } } : { ...query }));
    const output = await reader.send(
      new GetMetricDataCommand({ StartTime: new Date(now.getTime() - period * 1000), EndTime: now, MetricDataQueries: windowed }),
    );
    const returned = queries.find((query) => query.ReturnData !== false)?.Id;
    const value = output.MetricDataResults?.find((result) => result.Id === returned)?.Values?.[0];
    verdicts.push({ alarm: alarm.AlarmName ?? '(unnamed)', value, threshold: alarm.Threshold, breaching: value !== undefined && compare(value, alarm.Threshold) });
  }
  return verdicts;
}

/** One small Converse call through the deployed endpoint. Never throws. */
export async function smokeTest(runtime: ConverseSender, modelId: string): Promise<SmokeReport> {
  try {
    const output = await runtime.send(
      new ConverseCommand({
        modelId,
        messages: [{ role: 'user', content: [{ text: 'Reply with the single word: ok' }] }],
        inferenceConfig: { maxTokens: 16 },
      }),
    );
    const text = output.output?.message?.content?.map((block) => block.text ?? '').join('') ?? '';
    if (!output.output?.message) return { ok: false, detail: 'Converse answered without an output message' };
    return { ok: true, detail: `stopReason=${output.stopReason} text=${JSON.stringify(text.slice(0, 80))} usage=${JSON.stringify(output.usage)}` };
  } catch (error) {
    const name = (error as Error).name;
    return { ok: false, detail: `${name}: ${(error as Error).message}` };
  }
}

const show = (value: number | undefined, unit = ''): string => (value === undefined ? 'no data' : `${Math.round(value * 100) / 100}${unit}`);

/** Runs the three checks in order, printing as it goes; resolves to the process exit code. */
export async function verifyDeployment(
  options: VerifyOptions,
  clients: VerifyClients,
  print: (line: string) => void = console.log,
): Promise<number> {
  let failed = false;

  const { alarms, firing } = await checkAlarms(clients.alarms, options.stack);
  if (alarms.length === 0) {
    print(`FAIL alarms: none named "${options.stack}-*" (wrong --stack or --region?)`);
    failed = true;
  } else if (firing.length > 0) {
    print(`FAIL alarms: ${firing.length} of ${alarms.length} in ALARM: ${firing.join(', ')}`);
    failed = true;
  } else {
    print(`ok   alarms: ${alarms.length} checked, none in ALARM (${alarms.map((a) => `${a.AlarmName}=${a.StateValue}`).join(', ')})`);
  }

  const service = options.service ?? serviceFromAlarms(alarms) ?? DEFAULT_SERVICE;
  const line = (metrics: MetricsReport) =>
    `requests=${show(metrics.requests)} serverErrors=${show(metrics.serverErrors)} upstreamErrors=${show(metrics.upstreamErrors)} ` +
    `latencyP99=${show(metrics.latencyP99Ms, ' ms')} timeToFirstTokenP99=${show(metrics.timeToFirstTokenP99Ms, ' ms')}`;
  print(`info metrics (service=${service}, last ${options.minutes} min): ${line(await readMetrics(clients.metrics, service, options.minutes))}`);

  const version = deployedVersion(alarms);
  if (version === undefined) {
    print('skip new version: no rollback alarm names a version (a stack from before version metrics?)');
  } else {
    print(`info metrics (version ${version}, last ${options.minutes} min): ${line(await readMetrics(clients.metrics, service, options.minutes, undefined, version))}`);
    for (const verdict of await judgeNewVersion(clients.metrics, alarms, options.minutes)) {
      const status = verdict.value === undefined ? 'info' : verdict.breaching ? 'FAIL' : 'ok  ';
      print(`${status} version ${version} over ${options.minutes} min: ${verdict.alarm} = ${show(verdict.value)} (threshold ${verdict.threshold})${verdict.value === undefined ? ', no traffic on it' : ''}`);
      failed ||= verdict.breaching;
    }
  }

  if (clients.runtime) {
    const smoke = await smokeTest(clients.runtime, options.modelId);
    print(`${smoke.ok ? 'ok  ' : 'FAIL'} smoke Converse ${options.modelId}: ${smoke.detail}`);
    failed ||= !smoke.ok;
  } else {
    print('skip smoke Converse: no --api-url');
  }

  return failed ? 1 : 0;
}

/**
 * The stock client against the gateway: bearer token instead of SigV4, and HTTP/1.1 because
 * API Gateway REST endpoints do not offer h2 (the default JS handler since ~3.798 is HTTP/2 only).
 */
export function createRuntimeClient(apiUrl: string, apiKey: string | undefined, region: string | undefined): BedrockRuntimeClient {
  if (!apiKey) throw new Error('--api-key (or AWS_BEARER_TOKEN_BEDROCK) is required with --api-url');
  return new BedrockRuntimeClient({
    region: region ?? 'us-east-1',
    endpoint: apiUrl,
    requestHandler: new NodeHttpHandler({ requestTimeout: 120_000 }),
    authSchemePreference: ['httpBearerAuth'],
    token: { token: apiKey },
    maxAttempts: 1,
  });
}

const USAGE = `Usage: npm run verify-deployment -- --stack <stack-name> [--region <region>]
         [--api-url https://<api>.execute-api.<region>.amazonaws.com/<stage>] [--api-key <caller key>]
Checks the stack's CloudWatch alarms (exit 1 when any is in ALARM), prints the gateway's recent
metrics for the service and for the version deployed last, judges that version by the rollback
alarms' own rules over the whole window (exit 1 when one is breached), then makes one Converse call
through the deployed API (when --api-url is given).
Also: --model <modelId> (smoke-call model), --minutes <n> (metrics window, default 15),
--service <name> (the EMF service dimension, default read from the alarms).
The caller key may also come from AWS_BEARER_TOKEN_BEDROCK.`;

if (import.meta.main) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  try {
    const options = parseOptions(process.argv.slice(2));
    const cloudwatch = new CloudWatchClient(options.region ? { region: options.region } : {});
    const runtime = options.apiUrl ? createRuntimeClient(options.apiUrl, options.apiKey, options.region) : undefined;
    process.exitCode = await verifyDeployment(options, { alarms: cloudwatch, metrics: cloudwatch, runtime });
  } catch (error) {
    console.error(`verify-deployment: ${(error as Error).message}`);
    process.exitCode = 2;
  }
}
