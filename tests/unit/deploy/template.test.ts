/**
 * Structural checks of template.yaml (the SAM template), read with the CloudFormation short-form
 * tags turned into their long form ({"Ref": ...}, {"Fn::Sub": ...}). Whether CloudFormation and
 * the SAM translator accept it is cfnLint.test.ts's job. samconfig.toml is checked against it at the end.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as velocity from 'velocityjs';
import { ConfigError, loadConfig } from '../../../app/config/config.ts';
import { parseAllowedOrigins } from '../../../app/config/cors.ts';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, createCors } from '../../../app/gateway/cors.ts';
import { boundedCallerDimension, createMetrics, publishRequestMetrics } from '../../../app/observability/metrics.ts';
import type { RequestRecord } from '../../../app/observability/requestRecord.ts';
import { evaluateMetricMath } from '../../helpers/metricMath.ts';
import { loadTemplate, type Json, type Obj } from '../../helpers/samTemplate.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

const template = loadTemplate();
const resources = template.Resources as Record<string, Obj>;
const parameters = template.Parameters as Record<string, Obj>;
const outputs = template.Outputs as Record<string, Obj>;
const conditions = template.Conditions as Record<string, Json>;

const resource = (id: string): Obj => {
  const found = resources[id];
  if (!found) throw new Error(`template.yaml has no resource ${id}`);
  return found;
};
const props = (id: string): Obj => resource(id).Properties as Obj;
const ofType = (type: string): [string, Obj][] => Object.entries(resources).filter(([, r]) => r.Type === type);
const ref = (name: string): Obj => ({ Ref: name });
const subText = (value: Json): string => {
  const sub = (value as Obj)['Fn::Sub'];
  return typeof sub === 'string' ? sub : (((sub as Json[])[0] as string) ?? '');
};
const statementsOf = (policies: Json): Obj[] =>
  (policies as Obj[]).flatMap((policy) => ((policy.Statement ?? []) as Json[]))
    .flatMap((statement) => {
      const conditional = (statement as Obj)['Fn::If'] as Json[] | undefined;
      return conditional ? [conditional[1] as Obj, conditional[2] as Obj] : [statement as Obj];
    })
    .filter((statement) => statement && !('Ref' in statement));

const gateway = props('GatewayFunction');

/** The version being deployed, as the alarms name it. */
const NEW_VERSION = { 'Fn::GetAtt': ['GatewayFunction', 'Version.Version'] };

/**
 * An alarm's metric math on one minute of traffic (the values of its MetricStat ids), with the
 * template's parameter defaults substituted: the value CloudWatch would compare with the threshold.
 */
function evaluateAlarm(alarm: Obj, traffic: Record<string, number | undefined>): number | undefined {
  const values: Record<string, number | undefined> = {};
  let returned: number | undefined;
  for (const query of alarm.Metrics as Obj[]) {
    const id = query.Id as string;
    if (query.MetricStat) values[id] = traffic[id];
    else {
      const expression = typeof query.Expression === 'string' ? query.Expression : subText(query.Expression as Json);
      const substituted = expression.replace(/\$\{(\w+)\}/g, (_, name: string) => String(parameters[name]!.Default));
      values[id] = evaluateMetricMath(substituted, values);
    }
    if (query.ReturnData === true) returned = values[id];
  }
  return returned;
}
const hook = props('PreTrafficHook');

const ROUTES: [string, string][] = [
  ['post', '/model/{modelId}/converse'],
  ['post', '/model/{modelId}/converse-stream'],
  ['post', '/model/{modelId}/invoke'],
  ['post', '/model/{modelId}/invoke-with-response-stream'],
  ['post', '/model/{modelId}/count-tokens'],
  ['get', '/foundation-models'],
  ['get', '/foundation-models/{modelId}'],
  ['get', '/health'],
];

describe('template.yaml: basics', () => {
  it('is a SAM template', () => {
    // Prepare
    const transform = template.Transform;

    // Act
    const version = template.AWSTemplateFormatVersion;

    // Assess
    expect(transform).to.equal('AWS::Serverless-2016-10-31');
    expect(version).to.equal('2010-09-09');
  });

  it('gives every parameter a default, so a first deploy needs no answers', () => {
    // Prepare
    const names = Object.keys(parameters);

    // Act
    const withoutDefault = names.filter((name) => !('Default' in parameters[name]!));

    // Assess
    expect(withoutDefault).to.deep.equal([]);
  });
});

describe('template.yaml: gateway function', () => {
  it('is an arm64 container image built from the Dockerfile', () => {
    // Prepare
    const metadata = resource('GatewayFunction').Metadata as Obj;

    // Act
    const command = (gateway.ImageConfig as Obj | undefined)?.Command;

    // Assess
    expect(gateway.PackageType).to.equal('Image');
    expect(metadata.DockerContext).to.equal('.');
    expect(metadata.Dockerfile).to.equal('Dockerfile');
    expect(metadata.DockerTag).to.be.a('string').and.not.equal('');
    expect(gateway.Architectures).to.deep.equal(['arm64']);
    expect(command).to.deep.equal(['handler.handler']);
  });

  it('takes memory and timeout from parameters (1024 MB, 900 s) and traces actively', () => {
    // Prepare
    const memory = gateway.MemorySize;

    // Act
    const timeout = gateway.Timeout;

    // Assess
    expect(memory).to.deep.equal(ref('FunctionMemorySize'));
    expect(parameters.FunctionMemorySize?.Default).to.equal(1024);
    expect(timeout).to.deep.equal(ref('FunctionTimeout'));
    expect(parameters.FunctionTimeout?.Default).to.equal(900);
    expect(parameters.FunctionTimeout?.MaxValue).to.equal(900);
    expect(gateway.Tracing).to.equal('Active');
  });

  it('publishes the live alias on every change', () => {
    // Prepare
    const alias = gateway.AutoPublishAlias;

    // Act
    const allProperties = gateway.AutoPublishAliasAllProperties;

    // Assess
    expect(alias).to.equal('live');
    expect(allProperties).to.equal(true);
  });

  it('reads its configuration from the fixed environment names', () => {
    // Prepare
    const variables = (gateway.Environment as Obj).Variables as Obj;

    // Act
    const names = Object.keys(variables);

    // Assess
    expect(names).to.include.members([
      'OPENAI_BASE_URL',
      'OPENAI_API_KEY_SECRET_ID',
      'PROXY_API_KEYS_SECRET_ID',
      'MODEL_MAP',
      'OPENAI_TIMEOUT_MS',
      'OPENAI_MAX_RETRIES',
      'LOG_LEVEL',
      'POWERTOOLS_SERVICE_NAME',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
    ]);
    expect(variables.POWERTOOLS_METRICS_NAMESPACE).to.equal('BedrockGateway');
    expect(variables.POWERTOOLS_TRACER_CAPTURE_RESPONSE).to.equal('false');
    expect(variables.POWERTOOLS_SERVICE_NAME).to.deep.equal(ref('ServiceName'));
    expect(parameters.ServiceName?.Default).to.equal('bedrock-gateway');
    expect(names.some((name) => name.startsWith('AWS_LWA'))).to.equal(false);
  });

  it('logs to its own log group with the retention parameter', () => {
    // Prepare
    const logging = gateway.LoggingConfig as Obj;

    // Act
    const groups = ofType('AWS::Logs::LogGroup');

    // Assess
    expect(logging.LogGroup).to.deep.equal(ref('GatewayFunctionLogGroup'));
    expect(groups.length).to.be.at.least(3);
    for (const [id, group] of groups) {
      expect((group.Properties as Obj).RetentionInDays, id).to.deep.equal(ref('LogRetentionInDays'));
    }
  });
});

describe('template.yaml: safe deployment', () => {
  const preference = gateway.DeploymentPreference as Obj;

  it('shifts traffic by the DeploymentType parameter, canary by default', () => {
    // Prepare
    const allowed = parameters.DeploymentType?.AllowedValues as string[];

    // Act
    const type = preference.Type;

    // Assess
    expect(type).to.deep.equal(ref('DeploymentType'));
    expect(parameters.DeploymentType?.Default).to.equal('Canary10Percent5Minutes');
    expect(allowed).to.include.members(['Canary10Percent5Minutes', 'Linear10PercentEvery1Minute', 'AllAtOnce']);
    for (const value of allowed) expect(value).to.match(/^(Canary10Percent\d+Minutes|Linear10PercentEvery\d+Minutes?|AllAtOnce)$/);
  });

  const ROLLBACK_ALARMS = [
    'NewVersionErrorsAlarm',
    'NewVersionServerErrorRateAlarm',
    'NewVersionUpstreamErrorRateAlarm',
    'NewVersionLatencyP99Alarm',
    'NewVersionTimeToFirstTokenP99Alarm',
  ];

  it('rolls back only on alarms that judge the new version, all real CloudWatch alarms named after the stack', () => {
    // Prepare
    const alarmIds = (preference.Alarms as Obj[]).map((alarm) => alarm.Ref as string);

    // Act
    const names = ofType('AWS::CloudWatch::Alarm').map(([id]) => subText(props(id).AlarmName as Json));

    // Assess
    expect(alarmIds).to.have.members(ROLLBACK_ALARMS);
    for (const id of alarmIds) expect(resource(id).Type, id).to.equal('AWS::CloudWatch::Alarm');
    for (const name of names) expect(name).to.match(/^\$\{AWS::StackName\}-[a-z0-9-]+$/);
    expect(new Set(names).size).to.equal(names.length);
    // Alarms that also see other versions page the operator but never decide a rollback.
    expect(alarmIds).to.not.include.members(['AliasErrorsAlarm', 'UpstreamOutageAlarm']);
    expect(props('AliasErrorsAlarm').AlarmDescription).to.match(/^Not a rollback alarm/);
    expect(props('UpstreamOutageAlarm').AlarmDescription).to.match(/^Not a rollback alarm/);
  });

  it('watches Lambda errors of the new version (rollback) and of the whole alias (not a rollback alarm)', () => {
    // Prepare
    const alias = props('AliasErrorsAlarm');

    // Act
    const newVersion = props('NewVersionErrorsAlarm');

    // Assess
    for (const alarm of [alias, newVersion]) {
      expect(alarm.Namespace).to.equal('AWS/Lambda');
      expect(alarm.MetricName).to.equal('Errors');
      expect(alarm.Dimensions).to.deep.include({ Name: 'Resource', Value: { 'Fn::Sub': '${GatewayFunction}:live' } });
    }
    expect(newVersion.Dimensions).to.deep.include({ Name: 'ExecutedVersion', Value: NEW_VERSION });
  });

  for (const id of ROLLBACK_ALARMS.filter((name) => name !== 'NewVersionErrorsAlarm')) {
    it(`${id} reads the new version's own EMF metrics next to the whole service's`, () => {
      // Prepare
      const queries = props(id).Metrics as Obj[];

      // Act
      const stats = queries.filter((q) => q.MetricStat).map((q) => ({ id: q.Id as string, metric: (q.MetricStat as Obj).Metric as Obj }));

      // Assess
      expect(stats.filter(({ id: queryId }) => queryId.endsWith('New')).length, 'metrics of the new version').to.be.greaterThan(1);
      for (const { id: queryId, metric } of stats) {
        expect(metric.Namespace, queryId).to.equal('BedrockGateway');
        const service = { Name: 'service', Value: ref('ServiceName') };
        expect(metric.Dimensions, queryId).to.deep.equal(queryId.endsWith('New') ? [service, { Name: 'version', Value: NEW_VERSION }] : [service]);
      }
      expect(queries.filter((q) => q.ReturnData === true)).to.have.length(1);
      expect(props(id).TreatMissingData).to.equal('notBreaching');
    });
  }

  // The rule, run on invented traffic of one minute (a 10% canary: 20 requests on the new version, 180 on the rest).
  type Traffic = Record<string, number | undefined>;
  const rateTraffic = (newRequests: number, newFailed: number, restRequests: number, restFailed: number): Traffic => ({
    reqNew: newRequests,
    errNew: newFailed,
    reqAll: newRequests + restRequests,
    errAll: newFailed + restFailed,
  });
  const latencyTraffic = (newCount: number, newMean: number, newP99: number, restCount: number, restMean: number): Traffic => ({
    p99New: newP99,
    sumNew: newCount * newMean,
    countNew: newCount,
    sumAll: newCount * newMean + restCount * restMean,
    countAll: newCount + restCount,
  });
  const scenarios: [string, string, Traffic, boolean][] = [
    ['NewVersionUpstreamErrorRateAlarm', 'a new version whose every upstream call fails', rateTraffic(20, 20, 180, 0), true],
    ['NewVersionUpstreamErrorRateAlarm', 'an upstream outage that fails every version alike', rateTraffic(20, 20, 180, 180), false],
    ['NewVersionUpstreamErrorRateAlarm', 'an upstream failing half the calls of every version', rateTraffic(20, 10, 180, 90), false],
    ['NewVersionUpstreamErrorRateAlarm', 'a healthy new version', rateTraffic(20, 0, 180, 1), false],
    ['NewVersionUpstreamErrorRateAlarm', 'a failing new version with no other traffic to compare (AllAtOnce)', rateTraffic(200, 200, 0, 0), true],
    ['NewVersionUpstreamErrorRateAlarm', 'one upstream failure in a minute under RollbackMinRequests', rateTraffic(2, 1, 180, 0), false],
    ['NewVersionServerErrorRateAlarm', 'a new version that fails every request itself', rateTraffic(20, 20, 180, 0), true],
    ['NewVersionServerErrorRateAlarm', 'a new version failing one request in ten itself', rateTraffic(20, 2, 180, 0), true],
    ['NewVersionServerErrorRateAlarm', 'an identity-provider outage failing every version alike', rateTraffic(20, 20, 180, 180), false],
    ['NewVersionServerErrorRateAlarm', 'a new version no worse than the old one', rateTraffic(20, 1, 180, 9), false],
    ['NewVersionServerErrorRateAlarm', 'a minute without traffic on the new version', { reqNew: undefined, errNew: undefined, reqAll: 180, errAll: 0 }, false],
    ['NewVersionTimeToFirstTokenP99Alarm', 'a new version slow to start every stream', latencyTraffic(20, 35_000, 60_000, 180, 800), true],
    ['NewVersionTimeToFirstTokenP99Alarm', 'an upstream slow for every version alike', latencyTraffic(20, 35_000, 60_000, 180, 34_000), false],
    ['NewVersionTimeToFirstTokenP99Alarm', 'a healthy new version', latencyTraffic(20, 700, 2_000, 180, 800), false],
    ['NewVersionLatencyP99Alarm', 'a new version that hangs its answers', latencyTraffic(20, 200_000, 400_000, 180, 9_000), true],
    ['NewVersionLatencyP99Alarm', 'an upstream slow for every version alike', latencyTraffic(20, 200_000, 400_000, 180, 190_000), false],
  ];
  for (const [id, what, traffic, rollsBack] of scenarios) {
    it(`${id}: ${what} ${rollsBack ? 'rolls back' : 'rolls nothing back'}`, () => {
      // Prepare
      const alarm = props(id);
      const threshold = parameters[(alarm.Threshold as Obj).Ref as string]!.Default as number;

      // Act
      const value = evaluateAlarm(alarm, traffic);

      // Assess
      expect(alarm.ComparisonOperator).to.equal('GreaterThanThreshold');
      expect(value !== undefined && value > threshold, `alarm value ${value} against threshold ${threshold}`).to.equal(rollsBack);
    });
  }

  it('pages on an upstream outage without rolling back (UpstreamOutageAlarm is service-wide)', () => {
    // Prepare
    const alarm = props('UpstreamOutageAlarm');
    const threshold = parameters.UpstreamOutageThresholdPercent!.Default as number;

    // Act
    const value = evaluateAlarm(alarm, { requests: 200, errors: 200 });

    // Assess
    expect(value).to.be.greaterThan(threshold);
    expect(((alarm.Metrics as Obj[])[0]!.MetricStat as Obj).Metric).to.deep.include({ Dimensions: [{ Name: 'service', Value: ref('ServiceName') }] });
  });

  it('runs the PreTraffic hook before shifting', () => {
    // Prepare
    const hooks = preference.Hooks as Obj;

    // Act
    const preTraffic = hooks.PreTraffic;

    // Assess
    expect(preTraffic).to.deep.equal(ref('PreTrafficHook'));
  });
});

describe('template.yaml: PreTraffic hook', () => {
  it('is named CodeDeployHook_* and fits the 64-character limit for any stack name', () => {
    // Prepare
    const name = hook.FunctionName as Obj;
    const [pattern, variables] = name['Fn::Sub'] as [string, Obj];

    // Act
    const longest = pattern.replace('${StackUuid}', 'x'.repeat(36)); // a stack id ends with a 36-char UUID

    // Assess
    expect(pattern.startsWith('CodeDeployHook_')).to.equal(true);
    expect(pattern).to.not.include('${AWS::StackName}');
    expect(variables.StackUuid).to.deep.equal({ 'Fn::Select': [2, { 'Fn::Split': ['/', ref('AWS::StackId')] }] });
    expect(longest.length).to.be.at.most(64);
  });

  it('runs the same image with the preTraffic entry point', () => {
    // Prepare
    const metadata = resource('PreTrafficHook').Metadata;

    // Act
    const command = (hook.ImageConfig as Obj).Command;

    // Assess
    expect(hook.PackageType).to.equal('Image');
    expect(metadata).to.deep.equal(resource('GatewayFunction').Metadata);
    expect(command).to.deep.equal(['preTraffic.handler']);
    expect(hook.Architectures).to.deep.equal(['arm64']);
    expect(hook.AutoPublishAlias).to.equal(undefined);
    expect(hook.DeploymentPreference).to.equal(undefined);
  });

  it('targets the version being deployed', () => {
    // Prepare
    const variables = (hook.Environment as Obj).Variables as Obj;

    // Act
    const target = variables.TARGET_VERSION;

    // Assess
    expect(target).to.deep.equal(ref('GatewayFunction.Version'));
  });

  it('may only report its status on this deployment group and invoke versions of the gateway', () => {
    // Prepare
    const statements = statementsOf(hook.Policies as Json);

    // Act
    const byAction = Object.fromEntries(statements.map((s) => [s.Action as string, subText(s.Resource as Json)]));

    // Assess
    expect(Object.keys(byAction)).to.have.members(['codedeploy:PutLifecycleEventHookExecutionStatus', 'lambda:InvokeFunction']);
    expect(byAction['codedeploy:PutLifecycleEventHookExecutionStatus']).to.equal(
      'arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:${ServerlessDeploymentApplication}/${GatewayFunctionDeploymentGroup}',
    );
    expect(byAction['lambda:InvokeFunction']).to.equal('${GatewayFunction.Arn}:*');
  });
});

describe('template.yaml: API', () => {
  const api = props('GatewayApi');
  const events = gateway.Events as Record<string, Obj>;

  it('routes every Bedrock path to the function, streaming, with a 15-minute timeout', () => {
    // Prepare
    const routes = Object.values(events).map((event) => [((event.Properties as Obj).Method as string).toLowerCase(), (event.Properties as Obj).Path]);

    // Act
    const apiEvents = Object.entries(events).map(([id, event]) => [id, event.Type, event.Properties as Obj] as const);

    // Assess
    expect(routes).to.have.deep.members(ROUTES);
    for (const [id, type, properties] of apiEvents) {
      expect(type, id).to.equal('Api');
      expect(properties.RestApiId, id).to.deep.equal(ref('GatewayApi'));
      expect(properties.ResponseTransferMode, id).to.equal('RESPONSE_STREAM');
      expect(properties.TimeoutInMillis, id).to.equal(900000);
    }
  });

  it('has a traced, regional stage with throttling and no body logging', () => {
    // Prepare
    const settings = (api.MethodSettings as Obj[])[0]!;

    // Act
    const stage = api.StageName;

    // Assess
    expect(stage).to.deep.equal(ref('StageName'));
    expect(api.TracingEnabled).to.equal(true);
    expect((api.EndpointConfiguration as Obj).Type).to.equal('REGIONAL');
    expect(settings.DataTraceEnabled).to.equal(false);
    expect(settings.MetricsEnabled).to.equal(true);
    expect(settings.ThrottlingRateLimit).to.deep.equal(ref('ApiThrottleRateLimit'));
  });

  it('writes JSON access logs to a log group with retention', () => {
    // Prepare
    const setting = api.AccessLogSetting as Obj;

    // Act
    const format = JSON.parse(setting.Format as string) as Record<string, string>;

    // Assess
    expect(setting.DestinationArn).to.deep.equal({ 'Fn::GetAtt': ['ApiAccessLogGroup', 'Arn'] });
    expect(format.requestId).to.equal('$context.requestId');
    expect(format.status).to.equal('$context.status');
    expect(props('ApiAccessLogGroup').RetentionInDays).to.deep.equal(ref('LogRetentionInDays'));
  });

  it('requires API Gateway keys on the model routes only when ApiKeyRequired is true', () => {
    // Prepare
    const paths = (api.DefinitionBody as Obj).paths as Record<string, Obj>;
    const conditional = { 'Fn::If': ['ApiKeysEnabled', [{ api_key: [] }], []] };

    // Act
    const securityByRoute = ROUTES.map(([method, route]) => [route, (paths[route]?.[method] as Obj | undefined)?.security]);

    // Assess
    expect(api.MergeDefinitions).to.equal(true);
    expect(parameters.ApiKeyRequired?.Default).to.equal('false');
    expect(conditions.ApiKeysEnabled).to.deep.equal({ 'Fn::Equals': [ref('ApiKeyRequired'), 'true'] });
    for (const [route, security] of securityByRoute) {
      expect(security, route as string).to.deep.equal(route === '/health' ? [] : conditional);
    }
    for (const id of ['ApiUsagePlan', 'ApiKey', 'ApiUsagePlanKey']) expect(resource(id).Condition, id).to.equal('ApiKeysEnabled');
    expect(props('ApiUsagePlan').ApiStages).to.deep.equal([{ ApiId: ref('GatewayApi'), Stage: ref('GatewayApi.Stage') }]);
  });

  it('answers API Gateway rejections in the Bedrock error shape', () => {
    // Prepare
    const responses = api.GatewayResponses as Record<string, Obj>;

    // Act
    const types = Object.fromEntries(
      Object.entries(responses).map(([name, r]) => [name, ((r.ResponseParameters as Obj).Headers as Obj)['x-amzn-ErrorType']]),
    );

    // Assess
    expect(types.THROTTLED).to.equal("'ThrottlingException'");
    expect(types.INVALID_API_KEY).to.equal("'AccessDeniedException'");
    expect(types.DEFAULT_5XX).to.equal("'InternalServerException'");
  });
});

describe('template.yaml: Function URL', () => {
  it('is optional, on the alias, public (the function checks keys) and streaming', () => {
    // Prepare
    const url = resource('GatewayFunctionUrl');

    // Act
    const properties = url.Properties as Obj;

    // Assess
    expect(parameters.EnableFunctionUrl?.Default).to.equal('false');
    expect(url.Condition).to.equal('FunctionUrlEnabled');
    expect(properties.AuthType).to.equal('NONE');
    expect(properties.InvokeMode).to.equal('RESPONSE_STREAM');
    expect(properties.TargetFunctionArn).to.deep.equal(ref('GatewayFunction.Alias'));
    for (const [id, permission] of ofType('AWS::Lambda::Permission')) {
      expect(permission.Condition, id).to.equal('FunctionUrlEnabled');
      expect((permission.Properties as Obj).FunctionName, id).to.deep.equal(ref('GatewayFunction.Alias'));
    }
  });
});

describe('template.yaml: secrets and IAM', () => {
  const secrets: [string, string, string][] = [
    ['OpenAiKeySecret', 'OpenAiKeySecretArn', 'CreateOpenAiKeySecret'],
    ['CallerKeysSecret', 'CallerKeysSecretArn', 'CreateCallerKeysSecret'],
    ['SigV4CredentialsSecret', 'SigV4CredentialsSecretArn', 'CreateSigV4CredentialsSecret'],
  ];

  for (const [secretId, parameter, condition] of secrets) {
    it(`creates ${secretId} only when ${parameter} is empty, and tells the operator what to put in`, () => {
      // Prepare
      const secret = resource(secretId);

      // Act
      const description = (secret.Properties as Obj).Description as string;

      // Assess
      expect(parameters[parameter]?.Default).to.equal('');
      expect(conditions[condition]).to.deep.equal({ 'Fn::Equals': [ref(parameter), ''] });
      expect(secret.Type).to.equal('AWS::SecretsManager::Secret');
      expect(secret.Condition).to.equal(condition);
      expect(description).to.match(/put-secret-value|rotate/);
      expect(outputs[parameter]?.Value).to.deep.equal({ 'Fn::If': [condition, ref(secretId), ref(parameter)] });
    });
  }

  it('creates the SigV4 credentials secret empty: no key pair exists until the operator issues one', () => {
    // Act
    const value = (resource('SigV4CredentialsSecret').Properties as Obj).SecretString;
    // Assess
    expect(JSON.parse(String(value))).to.deep.equal({});
  });

  it('lets the function read exactly the three secrets, never "*"', () => {
    // Prepare
    const statements = statementsOf(gateway.Policies as Json);

    // Act
    const secretStatements = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));

    // Assess
    expect(secretStatements).to.have.length(1);
    expect(secretStatements[0]!.Action).to.equal('secretsmanager:GetSecretValue');
    expect(secretStatements[0]!.Resource).to.deep.equal([
      { 'Fn::If': ['CreateOpenAiKeySecret', ref('OpenAiKeySecret'), ref('OpenAiKeySecretArn')] },
      { 'Fn::If': ['CreateCallerKeysSecret', ref('CallerKeysSecret'), ref('CallerKeysSecretArn')] },
      { 'Fn::If': ['CreateSigV4CredentialsSecret', ref('SigV4CredentialsSecret'), ref('SigV4CredentialsSecretArn')] },
    ]);
  });

  it('passes the secret ARNs, not their values, to the function', () => {
    // Prepare
    const variables = (gateway.Environment as Obj).Variables as Obj;

    // Act
    const ids = [variables.OPENAI_API_KEY_SECRET_ID, variables.PROXY_API_KEYS_SECRET_ID, variables.SIGV4_CREDENTIALS_SECRET_ID];

    // Assess
    expect(ids).to.deep.equal([
      { 'Fn::If': ['CreateOpenAiKeySecret', ref('OpenAiKeySecret'), ref('OpenAiKeySecretArn')] },
      { 'Fn::If': ['CreateCallerKeysSecret', ref('CallerKeysSecret'), ref('CallerKeysSecretArn')] },
      { 'Fn::If': ['CreateSigV4CredentialsSecret', ref('SigV4CredentialsSecret'), ref('SigV4CredentialsSecretArn')] },
    ]);
  });

  it('hands every JWT setting to the function from a parameter, and the defaults leave JWT off', () => {
    // Prepare
    const variables = (gateway.Environment as Obj).Variables as Obj;
    const settings = {
      JWT_ISSUER: 'JwtIssuer',
      JWT_AUDIENCE: 'JwtAudience',
      JWT_JWKS_URL: 'JwtJwksUrl',
      JWT_ALGORITHMS: 'JwtAlgorithms',
      JWT_REQUIRED_SCOPES: 'JwtRequiredScopes',
      JWT_CALLER_CLAIM: 'JwtCallerClaim',
      JWT_MODELS_CLAIM: 'JwtModelsClaim',
      JWT_CLOCK_SKEW_SECONDS: 'JwtClockSkewSeconds',
    };
    // Act
    const env = Object.fromEntries(Object.entries(settings).map(([name, parameter]) => [name, String(parameters[parameter]?.Default ?? '')]));
    // Assess
    for (const [name, parameter] of Object.entries(settings)) expect(variables[name], name).to.deep.equal(ref(parameter));
    expect(loadConfig(env).jwt).to.equal(undefined);
    expect(loadConfig({ ...env, JWT_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_x', JWT_AUDIENCE: 'client' }).jwt).to.deep.include({ callerClaim: 'sub', clockSkewSeconds: 60 });
  });

  it('grants nothing on "*" and no PutMetricData (metrics go out as EMF log lines)', () => {
    // Prepare
    const statements = [...statementsOf(gateway.Policies as Json), ...statementsOf(hook.Policies as Json)];

    // Act
    const resourcesText = statements.map((s) => JSON.stringify(s.Resource));

    // Assess
    for (const text of resourcesText) expect(text).to.not.equal('"*"');
    expect(JSON.stringify(statements)).to.not.include('cloudwatch:PutMetricData');
  });
});

describe('template.yaml: dashboard and outputs', () => {
  const body = subText(props('Dashboard').DashboardBody as Json);

  it('has a dashboard body that is valid JSON once substituted', () => {
    // Prepare
    const substituted = body.replace(/\$\{[^}]+\}/g, '0');

    // Act
    const parsed = JSON.parse(substituted) as { widgets: unknown[] };

    // Assess
    expect(parsed.widgets.length).to.be.at.least(8);
  });

  it('only substitutes names the template defines', () => {
    // Prepare
    const names = [...body.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]!);

    // Act
    const unknown = names.filter((name) => {
      if (name.startsWith('AWS::')) return false;
      const base = name.split('.')[0]!;
      return !(base in parameters) && !(base in resources);
    });

    // Assess
    expect(unknown).to.deep.equal([]);
  });

  it('splits every EMF metric by dimension with SEARCH expressions', () => {
    // Prepare
    const searches = [...body.matchAll(/SEARCH\('\{BedrockGateway,([^}]+)\} MetricName=\\"(\w+)\\"/g)].map((m) => [m[2], m[1]]);

    // Act
    const metricNames = new Set(searches.map(([metric]) => metric));

    // Assess
    for (const metric of ['Requests', 'Errors', 'Latency', 'UpstreamLatency', 'TimeToFirstToken', 'InputTokens', 'OutputTokens']) {
      expect(metricNames, metric).to.include(metric);
    }
    expect(searches).to.deep.include(['Errors', 'service,operation,exception']);
    expect(searches).to.deep.include(['Requests', 'service,operation,model']);
    expect(body).to.match(/"p50"/).and.match(/"p99"/);
  });

  it('outputs the API URL, the optional Function URL, the dashboard and the secrets', () => {
    // Prepare
    const apiUrl = subText(outputs.ApiUrl?.Value as Json);

    // Act
    const functionUrl = outputs.FunctionUrl;

    // Assess
    expect(apiUrl).to.equal('https://${GatewayApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${GatewayApi.Stage}');
    expect(functionUrl?.Condition).to.equal('FunctionUrlEnabled');
    expect(functionUrl?.Value).to.deep.equal({ 'Fn::GetAtt': ['GatewayFunctionUrl', 'FunctionUrl'] });
    expect(subText(outputs.DashboardUrl?.Value as Json)).to.include('${Dashboard}');
    expect(outputs).to.include.keys('OpenAiKeySecretArn', 'CallerKeysSecretArn');
  });
});

/** samconfig.toml as {"<env>.<command>.parameters": {key: value}}: it uses only tables and one-line JSON-compatible values. */
function readSamconfig(text: string): Record<string, Record<string, Json>> {
  const tables: Record<string, Record<string, Json>> = { '': {} };
  let current = tables['']!;
  for (const line of text.split(/\r?\n/).map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const table = /^\[([\w.]+)\]$/.exec(line);
    if (table) {
      current = tables[table[1]!] = {};
      continue;
    }
    const pair = /^(\w+)\s*=\s*(.+)$/.exec(line);
    if (!pair) throw new Error(`samconfig.toml: a line this reader does not handle: ${line}`);
    current[pair[1]!] = JSON.parse(pair[2]!) as Json;
  }
  return tables;
}

describe('samconfig.toml: environments', () => {
  const config = readSamconfig(readFileSync(path.join(ROOT, 'samconfig.toml'), 'utf8'));
  const deploy = (env: string): Record<string, Json> => config[`${env}.deploy.parameters`] ?? {};
  const overrides = (env: string): Record<string, string> =>
    Object.fromEntries((deploy(env).parameter_overrides as string).split(/\s+/).map((pair) => pair.split('=') as [string, string]));

  for (const env of ['default', 'prod']) {
    it(`${env}: deploys its own stack with the image repository, bucket and capabilities SAM needs`, () => {
      // Prepare
      const settings = deploy(env);

      // Act
      const capabilities = (settings.capabilities as string).split(/\s+/);

      // Assess
      expect(config[`${env}.global.parameters`]?.stack_name).to.be.a('string').and.match(/^bedrock-gateway-/);
      expect(settings.resolve_image_repos).to.equal(true);
      expect(settings.resolve_s3).to.equal(true);
      expect(capabilities).to.include.members(['CAPABILITY_IAM', 'CAPABILITY_AUTO_EXPAND']);
    });

    it(`${env}: overrides only template parameters, each with a value the template allows`, () => {
      // Prepare
      const given = overrides(env);

      // Act
      const unknown = Object.keys(given).filter((name) => !(name in parameters));

      // Assess
      expect(unknown).to.deep.equal([]);
      for (const [name, value] of Object.entries(given)) {
        const allowed = parameters[name]!.AllowedValues as Json[] | undefined;
        if (allowed) expect(allowed.map(String), name).to.include(value);
      }
    });
  }

  it('gives dev and prod their own stack, service dimension and traffic shifting, and asks before changing prod', () => {
    // Prepare
    const dev = overrides('default');

    // Act
    const prod = overrides('prod');

    // Assess
    expect(config['default.global.parameters']?.stack_name).to.not.equal(config['prod.global.parameters']?.stack_name);
    expect(dev.ServiceName).to.be.a('string').and.not.equal(prod.ServiceName);
    expect(dev.DeploymentType).to.equal('Linear10PercentEvery1Minute');
    expect(prod.DeploymentType).to.equal('Canary10Percent5Minutes');
    expect(deploy('prod').confirm_changeset).to.equal(true);
  });
});

describe('template.yaml: alarms and dashboard read metrics the gateway really emits', () => {
  /** Every (metric name, dimension names) pair one request's EMF lines declare, as `Name|dim,dim`. */
  function emittedMetricKeys(): Set<string> {
    const saved = { dev: process.env.POWERTOOLS_DEV, disabled: process.env.POWERTOOLS_METRICS_DISABLED };
    delete process.env.POWERTOOLS_DEV;
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      const record: RequestRecord = {
        requestId: 'r', operation: 'Converse', modelDimension: 'gpt-4o', status: 503, exception: 'ServiceUnavailableException',
        latencyMs: 5, upstreamLatencyMs: 4, timeToFirstTokenMs: 1, inputTokens: 1, outputTokens: 1, upstreamError: true,
      };
      // As in Lambda, where the function version is a dimension, with the caller dimension on.
      publishRequestMetrics(createMetrics('BedrockGateway', 'bedrock-gateway'), { ...record, caller: 'alice' }, { caller: boundedCallerDimension(10), functionVersion: '7' });
    } finally {
      process.stdout.write = write;
      if (saved.dev !== undefined) process.env.POWERTOOLS_DEV = saved.dev;
      if (saved.disabled !== undefined) process.env.POWERTOOLS_METRICS_DISABLED = saved.disabled;
    }
    const keys = new Set<string>();
    for (const line of lines.join('').split('\n').filter((l) => l.startsWith('{'))) {
      const emf = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } };
      for (const directive of emf._aws.CloudWatchMetrics) {
        expect(directive.Namespace).to.equal('BedrockGateway');
        for (const metric of directive.Metrics) for (const dims of directive.Dimensions) keys.add(`${metric.Name}|${[...dims].sort().join(',')}`);
      }
    }
    return keys;
  }

  const emitted = emittedMetricKeys();
  const used: string[] = [];
  for (const [, alarm] of ofType('AWS::CloudWatch::Alarm')) {
    const p = alarm.Properties as Obj;
    const metrics = p.Metrics ? (p.Metrics as Obj[]).map((m) => (m.MetricStat as Obj | undefined)?.Metric as Obj | undefined) : [p];
    for (const metric of metrics) {
      if (!metric || metric.Namespace !== 'BedrockGateway') continue;
      const dims = ((metric.Dimensions as Obj[] | undefined) ?? []).map((d) => String(d.Name)).sort().join(',');
      used.push(`${String(metric.MetricName)}|${dims}`);
    }
  }
  const dashboard = subText(props('Dashboard').DashboardBody as Json);
  for (const match of dashboard.matchAll(/\{BedrockGateway,([a-z,]+)\} MetricName=\\?"(\w+)\\?"/g)) {
    used.push(`${match[2]}|${match[1]!.split(',').sort().join(',')}`);
  }

  it('finds the EMF alarms and dashboard searches to check', () => {
    expect(used.filter((key) => key.startsWith('Errors|'))).to.have.length.greaterThan(0);
    expect(used.length).to.be.greaterThan(8);
  });

  for (const key of [...new Set(used)]) {
    it(`${key.replace('|', ' on [')}] is emitted by publishRequestMetrics`, () => {
      expect([...emitted]).to.include(key);
    });
  }
});

describe('template.yaml: safe defaults and limits that agree', () => {
  it('leaves the account-wide API Gateway logging role alone unless asked (ConfigureApiGatewayLogging false)', () => {
    // Prepare
    const parameter = parameters.ConfigureApiGatewayLogging!;

    // Act
    const condition = conditions.ApiGatewayLoggingRoleWanted;

    // Assess
    expect(parameter.Default).to.equal('false');
    expect(condition).to.deep.equal({ 'Fn::Equals': [ref('ConfigureApiGatewayLogging'), 'true'] });
    for (const id of ['ApiGatewayCloudWatchRole', 'ApiGatewayAccount']) expect(resource(id).Condition, id).to.equal('ApiGatewayLoggingRoleWanted');
  });

  it('keeps the secrets and log groups when the stack is deleted or they are replaced', () => {
    // Prepare
    const kept = [...ofType('AWS::SecretsManager::Secret'), ...ofType('AWS::Logs::LogGroup')];

    // Act
    const policies = kept.map(([id, r]) => [id, r.DeletionPolicy, r.UpdateReplacePolicy]);

    // Assess
    expect(kept.map(([id]) => id)).to.include.members(['OpenAiKeySecret', 'CallerKeysSecret', 'GatewayFunctionLogGroup', 'ApiAccessLogGroup']);
    for (const [id, deletion, replace] of policies) expect([deletion, replace], id as string).to.deep.equal(['Retain', 'Retain']);
  });

  it('creates no second stage: OpenApiVersion is set on the API', () => {
    // Prepare
    const api = props('GatewayApi');

    // Act
    const version = api.OpenApiVersion;

    // Assess
    expect(version).to.equal('2.0');
    expect(((api.DefinitionBody as Obj).swagger as string)).to.equal(version);
  });

  it('reserves concurrency only when ReservedConcurrency is given', () => {
    // Prepare
    const parameter = parameters.ReservedConcurrency!;

    // Act
    const reserved = gateway.ReservedConcurrentExecutions;

    // Assess
    expect(parameter.Default).to.equal('');
    expect(new RegExp(parameter.AllowedPattern as string).test('')).to.equal(true);
    expect(new RegExp(parameter.AllowedPattern as string).test('50')).to.equal(true);
    expect(new RegExp(parameter.AllowedPattern as string).test('-1')).to.equal(false);
    expect(reserved).to.deep.equal({ 'Fn::If': ['HasReservedConcurrency', ref('ReservedConcurrency'), ref('AWS::NoValue')] });
    expect(conditions.HasReservedConcurrency).to.deep.equal({ 'Fn::Not': [{ 'Fn::Equals': [ref('ReservedConcurrency'), ''] }] });
  });

  /** The function's environment with every parameter at its default (what a first `sam deploy` gives it). */
  function defaultEnvironment(overrides: Record<string, number> = {}): NodeJS.ProcessEnv {
    const variables = (gateway.Environment as Obj).Variables as Obj;
    const env: NodeJS.ProcessEnv = { AWS_LAMBDA_FUNCTION_NAME: 'gateway', AWS_LAMBDA_FUNCTION_VERSION: '7' };
    for (const [name, value] of Object.entries(variables)) {
      const parameter = (value as Obj | null)?.Ref as string | undefined;
      if (typeof value === 'string') env[name] = value;
      else if (parameter && parameter in parameters) env[name] = String(overrides[parameter] ?? parameters[parameter]!.Default);
    }
    return env;
  }

  it('passes the function timeout to the function, and the default upstream budget fits in it', () => {
    // Prepare
    const env = defaultEnvironment();

    // Act
    const config = loadConfig(env);

    // Assess
    expect(((gateway.Environment as Obj).Variables as Obj).FUNCTION_TIMEOUT_SECONDS).to.deep.equal(ref('FunctionTimeout'));
    expect(config.functionTimeoutSeconds).to.equal(900);
    expect(config.openaiTimeoutMs * (config.openaiMaxRetries + 1)).to.be.at.most(900_000);
    expect(config.functionVersion).to.equal('7');
  });

  it('gives a function whose upstream budget cannot fit its timeout a configuration error naming the variables', () => {
    // Prepare
    const env = defaultEnvironment({ OpenAiTimeoutMs: 600_000, FunctionTimeout: 900 });

    // Act
    const load = () => loadConfig(env);

    // Assess
    expect(load).to.throw(ConfigError, /OPENAI_TIMEOUT_MS \(600000\) x 3 attempts .*FUNCTION_TIMEOUT_SECONDS 900/);
  });
});

describe('template.yaml: CORS follows AllowedOrigins in the function and in the preflight mocks', () => {
  const api = props('GatewayApi');
  const paths = (api.DefinitionBody as Obj).paths as Record<string, Obj>;

  /** The preflight mock's mapping template of a route, with AllowedOrigins substituted as CloudFormation would. */
  function preflightTemplate(route: string, allowedOrigins: string): string {
    const integration = (paths[route]!.options as Obj)['x-amazon-apigateway-integration'] as Obj;
    const template = subText((((integration.responses as Obj).default as Obj).responseTemplates as Obj)['application/json'] as Json);
    return template.replace('${AllowedOrigins}', allowedOrigins);
  }

  /** What API Gateway would answer a preflight with: the mock's static headers plus the mapping template's overrides. */
  function mockPreflight(route: string, allowedOrigins: string, headers: Record<string, string>): Record<string, string> {
    const integration = (paths[route]!.options as Obj)['x-amazon-apigateway-integration'] as Obj;
    const fixed = ((integration.responses as Obj).default as Obj).responseParameters as Record<string, string>;
    const answer: Record<string, string> = {};
    for (const [name, value] of Object.entries(fixed)) answer[name.replace('method.response.header.', '')] = value.replace(/^'|'$/g, '');
    const context = { responseOverride: { header: {} as Record<string, string> } };
    const input = { params: () => ({ header: { get: (name: string) => headers[name] } }) };
    velocity.render(preflightTemplate(route, allowedOrigins), { input, context });
    return { ...answer, ...context.responseOverride.header };
  }

  /** The function's answer to the same preflight (the local server and a Function URL get this one). */
  function functionPreflight(allowedOrigins: string, origin: string): Record<string, string> {
    const parsed = parseAllowedOrigins(allowedOrigins);
    if (!('origins' in parsed)) throw new Error(parsed.problem);
    const response = createCors(parsed.origins)?.preflight({ method: 'OPTIONS', path: '/health', query: {}, body: '', headers: { origin, 'access-control-request-method': 'POST' } });
    return response?.headers ?? {};
  }

  it('passes AllowedOrigins to the function, no CORS by default', () => {
    // Prepare
    const variables = (gateway.Environment as Obj).Variables as Obj;

    // Act
    const parameter = parameters.AllowedOrigins!;

    // Assess
    expect(variables.CORS_ALLOWED_ORIGINS).to.deep.equal(ref('AllowedOrigins'));
    expect(parameter.Default).to.equal('');
    expect(api.Cors, "SAM's Cors sends one fixed origin").to.equal(undefined);
  });

  it('has one identical preflight mock, open to everyone (no API key), on every route', () => {
    // Prepare
    const mocks = ROUTES.map(([, route]) => paths[route]?.options as Obj | undefined);

    // Act
    const distinct = new Set(mocks.map((mock) => JSON.stringify(mock)));

    // Assess
    expect(mocks.every((mock) => mock !== undefined)).to.equal(true);
    expect(distinct.size).to.equal(1);
    expect(mocks[0]!.security).to.deep.equal([]);
    expect((mocks[0]!['x-amazon-apigateway-integration'] as Obj).type).to.equal('mock');
  });

  const cases: [string, string, Record<string, string>][] = [
    ['an allowed origin', 'https://app.example.com,http://127.0.0.1:5173', { Origin: 'http://127.0.0.1:5173' }],
    ['an allowed origin sent in lower case (HTTP/2)', 'https://app.example.com', { origin: 'https://app.example.com' }],
    ['another origin', 'https://app.example.com', { Origin: 'https://evil.example' }],
    ['a prefix of an allowed origin', 'https://app.example.com', { Origin: 'https://app.example.co' }],
    ['any origin with *', '*', { Origin: 'https://anywhere.example' }],
    ['any origin when CORS is off', '', { Origin: 'https://app.example.com' }],
  ];
  for (const [what, allowedOrigins, headers] of cases) {
    it(`answers the preflight of ${what} exactly as the function does`, () => {
      // Prepare
      const origin = Object.values(headers)[0]!;

      // Act
      const mock = mockPreflight('/model/{modelId}/converse', allowedOrigins, headers);

      // Assess
      const expected = functionPreflight(allowedOrigins, origin);
      expect(mock).to.deep.equal(allowedOrigins === '' ? { Vary: 'Origin' } : expected);
    });
  }

  it('lists the same allowed request headers as the function', () => {
    // Act
    const template = preflightTemplate('/health', 'https://app.example.com');

    // Assess
    expect(template).to.include(`Access-Control-Allow-Headers = "${CORS_ALLOWED_HEADERS.join(',')}"`);
    expect(template).to.include(`Access-Control-Allow-Methods = "${CORS_ALLOWED_METHODS}"`);
  });

  it("echoes the Origin on API Gateway's own errors only when CORS is on, and exposes the error type", () => {
    // Prepare
    const responses = api.GatewayResponses as Record<string, Obj>;

    // Act
    const headers = Object.values(responses).map((response) => (response.ResponseParameters as Obj).Headers as Obj);

    // Assess
    for (const header of headers) {
      expect(header['Access-Control-Allow-Origin']).to.deep.equal({ 'Fn::If': ['CorsEnabled', 'method.request.header.origin', ref('AWS::NoValue')] });
      expect(header['Access-Control-Expose-Headers']).to.deep.equal({ 'Fn::If': ['CorsEnabled', "'x-amzn-RequestId,x-amzn-ErrorType'", ref('AWS::NoValue')] });
    }
    expect(conditions.CorsEnabled).to.deep.equal({ 'Fn::Not': [{ 'Fn::Equals': [ref('AllowedOrigins'), ''] }] });
  });
});
