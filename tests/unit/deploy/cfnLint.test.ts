/**
 * template.yaml must pass cfn-lint (which runs the SAM translator first). cfn-lint is a Python
 * tool, not an npm package: without it these suites are skipped with a line saying what to
 * install, and CI (.ci/run, REQUIRE_EXTERNAL_TOOLS=1) fails instead, so a template nobody linted
 * never looks green there.
 *
 * cfn-lint blanks an Api's DefinitionBody before translating, so the merged OpenAPI (streaming
 * integrations + conditional API-key security) is checked here with the SAM translator itself,
 * from the Python that has cfn-lint's dependencies (SAM_PYTHON, default python3).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CFN_LINT, CFN_LINT_TOOL, requireTool, SAM_PYTHON } from '../../helpers/externalTools.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Translates template.yaml like CloudFormation's AWS::Serverless transform (an image URI filled in). */
const TRANSLATE = `
import json, os, sys
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
from cfnlint.decode import decode
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
template, problems = decode("template.yaml")
if problems:
    sys.exit("template.yaml does not parse: %s" % problems)
for item in template["Resources"].values():
    if item["Type"] == "AWS::Serverless::Function":
        item["Properties"]["ImageUri"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/gateway:test"
plain = json.loads(json.dumps(template))
print(json.dumps(Translator({}, Parser()).translate(sam_template=plain, parameter_values={}, passthrough_metadata=True)))
`;

type Obj = Record<string, unknown>;

interface LintRun {
  readonly status: number | null;
  readonly output: string;
  readonly error: NodeJS.ErrnoException | undefined;
}

function runCfnLint(args: readonly string[]): LintRun {
  const result = spawnSync(CFN_LINT, [...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`, error: result.error as NodeJS.ErrnoException | undefined };
}

/** Turns a failed spawn into a message an engineer can act on. */
function explainSpawnError(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') {
    return `cfn-lint must be installed to check template.yaml (pip install cfn-lint; .ci/run requires it). Tried "${CFN_LINT}" on PATH; set CFN_LINT to point elsewhere.`;
  }
  return `cfn-lint could not be run: ${error.message}`;
}

describe('template.yaml: cfn-lint', function () {
  // Loading the resource specs and the SAM translator takes a few seconds.
  this.timeout(120_000);
  requireTool(CFN_LINT_TOOL);

  it('is installed', () => {
    // Prepare
    const args = ['--version'];

    // Act
    const run = runCfnLint(args);

    // Assess
    if (run.error) expect.fail(explainSpawnError(run.error));
    expect(run.status, run.output).to.equal(0);
    expect(run.output).to.match(/cfn-lint \d+\./);
  });

  it('reports no errors and no warnings', () => {
    // Prepare
    const args = ['--format', 'parseable', 'template.yaml'];

    // Act
    const run = runCfnLint(args);

    // Assess
    if (run.error) expect.fail(explainSpawnError(run.error));
    // Exit code bits: 2 = error, 4 = warning, 8 = informational; 0 = clean.
    expect(run.status, `cfn-lint findings:\n${run.output}`).to.equal(0);
  });
});

describe('template.yaml: cfn-lint informational checks', function () {
  this.timeout(120_000);
  requireTool(CFN_LINT_TOOL);

  /** The I3011 findings (stateful resource without DeletionPolicy/UpdateReplacePolicy) for a template file. */
  function deletionPolicyFindings(file: string): string[] {
    const run = runCfnLint(['--include-checks', 'I', '--format', 'parseable', file]);
    if (run.error) expect.fail(explainSpawnError(run.error));
    return run.output.split('\n').filter((line) => line.includes(':I3011:'));
  }

  it('finds no secret or log group without DeletionPolicy and UpdateReplacePolicy (I3011)', () => {
    // Act
    const findings = deletionPolicyFindings('template.yaml');

    // Assess
    expect(findings).to.deep.equal([]);
  });

  it('would find them if the template dropped its Retain policies (the check is live)', () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'template-'));
    const stripped = path.join(dir, 'template.yaml');
    writeFileSync(stripped, readFileSync(path.join(ROOT, 'template.yaml'), 'utf8').replace(/^ {4}(DeletionPolicy|UpdateReplacePolicy): Retain\n/gm, ''));
    try {
      // Act
      const findings = deletionPolicyFindings(stripped);

      // Assess: every secret and log group, each missing both policies
      const stateful = (readFileSync(path.join(ROOT, 'template.yaml'), 'utf8').match(/^ {4}Type: AWS::(SecretsManager::Secret|Logs::LogGroup)$/gm) ?? []).length;
      expect(stateful).to.be.at.least(5);
      expect(findings).to.have.length(stateful * 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('template.yaml: SAM translation', function () {
  requireTool(CFN_LINT_TOOL);
  this.timeout(120_000);

  let translated: Obj;
  before(() => {
    const result = spawnSync(SAM_PYTHON, ['-c', TRANSLATE], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    if (result.error) throw new Error(`${SAM_PYTHON} could not be run (set SAM_PYTHON to the Python that has cfn-lint): ${result.error.message}`);
    if (result.status !== 0) throw new Error(`SAM translation failed (the Python needs cfn-lint and aws-sam-translator):\n${result.stderr}`);
    translated = JSON.parse(result.stdout) as Obj;
  });

  const resourcesOf = () => translated.Resources as Record<string, { Type: string; Properties: Obj; UpdatePolicy?: Obj }>;

  it('streams every route from the live alias with a 900 s integration timeout', () => {
    // Prepare
    const body = resourcesOf().GatewayApi!.Properties.Body as { paths: Record<string, Record<string, Obj>> };

    // Act
    const integrations = Object.entries(body.paths).flatMap(([route, methods]) =>
      Object.entries(methods)
        .filter(([method]) => method !== 'options')
        .map(([method, operation]) => [`${method} ${route}`, operation['x-amazon-apigateway-integration'] as Obj] as const),
    );

    // Assess
    expect(integrations).to.have.length(8);
    for (const [name, integration] of integrations) {
      expect(integration.type, name).to.equal('aws_proxy');
      expect(integration.responseTransferMode, name).to.equal('STREAM');
      expect(integration.timeoutInMillis, name).to.equal(900000);
      expect(JSON.stringify(integration.uri), name).to.include('2021-11-15/functions/${GatewayFunctionAliaslive}/response-streaming-invocations');
    }
  });

  it('keeps the conditional API-key requirement next to the generated integrations', () => {
    // Prepare
    const body = resourcesOf().GatewayApi!.Properties.Body as { paths: Record<string, Record<string, Obj>>; securityDefinitions: Obj };

    // Act
    const converse = body.paths['/model/{modelId}/converse']!.post!;

    // Assess
    expect(converse.security).to.deep.equal({ 'Fn::If': ['ApiKeysEnabled', [{ api_key: [] }], []] });
    expect(body.securityDefinitions).to.have.key('api_key');
    expect(body.paths['/health']!.get!.security).to.deep.equal([]);
  });

  it('creates exactly one API stage (no implicit `Stage` stage)', () => {
    // Prepare
    const all = Object.values(resourcesOf());

    // Act
    const stages = all.filter((r) => r.Type === 'AWS::ApiGateway::Stage');
    // A Deployment with a StageName creates a stage of that name as well.
    const deploymentStages = all.filter((r) => r.Type === 'AWS::ApiGateway::Deployment' && r.Properties.StageName !== undefined);

    // Assess
    expect(stages).to.have.length(1);
    expect(stages[0]!.Properties.StageName).to.deep.equal({ Ref: 'StageName' });
    expect(deploymentStages).to.deep.equal([]);
  });

  it("has the rollback alarms read the new version's own metrics: the version the alias is shifted to", () => {
    // Prepare
    const all = resourcesOf();
    const alias = Object.values(all).find((r) => r.Type === 'AWS::Lambda::Alias')!;
    const newVersion = alias.Properties.FunctionVersion as { 'Fn::GetAtt': [string, string] };
    const rollbackAlarms = ((all.GatewayFunctionDeploymentGroup!.Properties.AlarmConfiguration as Obj).Alarms as { Name: { Ref: string } }[]).map((a) => a.Name.Ref);

    // Act: every dimension value each rollback alarm selects its metrics by
    const versionsRead = rollbackAlarms.map((id) => {
      const alarm = all[id]!.Properties;
      const metrics = alarm.Metrics ? (alarm.Metrics as Obj[]).flatMap((q) => (q.MetricStat ? [(q.MetricStat as Obj).Metric as Obj] : [])) : [alarm];
      const dimensions = metrics.flatMap((metric) => metric.Dimensions as { Name: string; Value: unknown }[]);
      return [id, dimensions.filter((d) => d.Name === 'version' || d.Name === 'ExecutedVersion').map((d) => d.Value)] as const;
    });

    // Assess
    expect(all[newVersion['Fn::GetAtt'][0]]!.Type).to.equal('AWS::Lambda::Version');
    expect(rollbackAlarms).to.have.length(5);
    for (const [id, versions] of versionsRead) {
      expect(versions.length, `${id} selects metrics by version`).to.be.greaterThan(0);
      for (const version of versions) expect(version, id).to.deep.equal(newVersion);
    }
    // The EMF alarms compare against the whole service: the rest of the traffic is service minus new version.
    for (const id of rollbackAlarms.filter((name) => name !== 'NewVersionErrorsAlarm')) {
      const expressions = (all[id]!.Properties.Metrics as Obj[]).filter((q) => q.Expression).map((q) => JSON.stringify(q.Expression));
      expect(expressions.join(' '), id).to.match(/(reqAll - reqNew|countAll - countNew)/);
    }
  });

  it('wires the canary: alias update policy with the hook, deployment group with the five alarms', () => {
    // Prepare
    const all = resourcesOf();
    const alias = Object.values(all).find((r) => r.Type === 'AWS::Lambda::Alias')!;

    // Act
    const group = all.GatewayFunctionDeploymentGroup!;

    // Assess
    const update = alias.UpdatePolicy?.CodeDeployLambdaAliasUpdate as Obj;
    expect(update.BeforeAllowTrafficHook).to.deep.equal({ Ref: 'PreTrafficHook' });
    expect(((group.Properties.AlarmConfiguration as Obj).Alarms as unknown[]).length).to.equal(5);
    expect(group.Type).to.equal('AWS::CodeDeploy::DeploymentGroup');
  });
});
