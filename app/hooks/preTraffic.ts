/**
 * CodeDeploy PreTraffic hook (image CMD `preTraffic.handler`). Before any traffic moves to the
 * new version, it invokes that version directly with GET /health?deep=1 (secrets readable,
 * upstream answers) and reports Succeeded or Failed; Failed makes CodeDeploy roll back.
 * The logic takes its clients as parameters so tests pass fakes; the handler wires real ones.
 */
import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import type { PutLifecycleEventHookExecutionStatusCommandOutput } from '@aws-sdk/client-codedeploy';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { splitPrelude } from '../lambda/runtime.ts';
import { loadHookConfig } from '../config/hookConfig.ts';
import { createLogger } from '../observability/logger.ts';

/** What CodeDeploy sends to a lifecycle hook. */
export interface CodeDeployHookEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
}

export type HookStatus = 'Succeeded' | 'Failed';

/** The slice of the SDK clients the hook uses; real clients and test fakes both fit. */
export interface LambdaInvoker {
  send(command: InvokeCommand, options?: { abortSignal?: AbortSignal }): Promise<InvokeCommandOutput>;
}
export interface HookStatusReporter {
  send(command: PutLifecycleEventHookExecutionStatusCommand): Promise<PutLifecycleEventHookExecutionStatusCommandOutput>;
}

export interface PreTrafficDeps {
  readonly lambda: LambdaInvoker;
  readonly codedeploy: HookStatusReporter;
  /** ARN of the new version (function ARN qualified with the version number). */
  readonly targetVersion: string | undefined;
  /** Where the verdict is logged; the shared Powertools logger by default. */
  readonly log?: (detail: Record<string, unknown>) => void;
}

const config = loadHookConfig();
const logger = createLogger(config.logLevel, config.serviceName);
const logVerdict = (detail: Record<string, unknown>): void => logger.info('pre-traffic check', detail);

interface HealthVerdict {
  readonly healthy: boolean;
  readonly reason: string;
}

/** The HTTP response a streamed or buffered invocation carried. */
export interface HttpResult {
  readonly statusCode: number;
  readonly body: string;
}

/** Upper bound for the health invocation, cold start included. */
const INVOKE_TIMEOUT_MS = 120_000;

/**
 * A synthetic API Gateway REST (payload v1) event for GET /health?deep=1. Built in code: the
 * events/ fixtures are not part of the image. No credentials: the deep check needs none.
 */
export function buildDeepHealthEvent(requestId: string, now = Date.now()): APIGatewayProxyEvent {
  return {
    resource: '/health',
    path: '/health',
    httpMethod: 'GET',
    headers: { accept: 'application/json', 'user-agent': 'codedeploy-pretraffic-hook' },
    multiValueHeaders: { accept: ['application/json'], 'user-agent': ['codedeploy-pretraffic-hook'] },
    queryStringParameters: { deep: '1' },
    multiValueQueryStringParameters: { deep: ['1'] },
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'pretraffic-hook',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: 'GET',
      path: '/health',
      stage: 'pretraffic',
      requestId,
      requestTimeEpoch: now,
      resourceId: 'health',
      resourcePath: '/health',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'codedeploy-pretraffic-hook',
        userArn: null,
      },
    },
  };
}

/**
 * Reads the HTTP result out of an Invoke payload. A streaming function invoked with plain
 * Invoke returns its raw stream: JSON prelude, 8 NUL bytes, body. A buffered handler returns a
 * proxy result `{statusCode, body, isBase64Encoded?}`. Throws when it is neither.
 */
export function parseInvokePayload(payload: Uint8Array): HttpResult {
  const streamed = splitPrelude(payload);
  if (streamed) {
    const statusCode = typeof streamed.prelude.statusCode === 'number' ? streamed.prelude.statusCode : 200;
    return { statusCode, body: streamed.body.toString('utf8') };
  }
  const result = JSON.parse(Buffer.from(payload).toString('utf8')) as { statusCode?: unknown; body?: unknown; isBase64Encoded?: unknown };
  if (typeof result !== 'object' || result === null || typeof result.statusCode !== 'number') {
    throw new Error('payload is neither a streamed HTTP response nor a proxy result');
  }
  const rawBody = typeof result.body === 'string' ? result.body : '';
  const body = result.isBase64Encoded === true ? Buffer.from(rawBody, 'base64').toString('utf8') : rawBody;
  return { statusCode: result.statusCode, body };
}

/** Healthy = HTTP 200 with `{"status":"ok"}`; anything else names what was wrong. */
function judgeHealth(result: HttpResult): HealthVerdict {
  let status: unknown;
  try {
    status = (JSON.parse(result.body) as { status?: unknown }).status;
  } catch {
    status = undefined;
  }
  if (result.statusCode === 200 && status === 'ok') return { healthy: true, reason: 'deep health check passed' };
  return { healthy: false, reason: `deep health check answered ${result.statusCode}: ${result.body.slice(0, 500)}` };
}

/** Invokes the target version with the deep health event and judges the answer. Never throws. */
async function checkTargetVersion(lambda: LambdaInvoker, targetVersion: string, requestId: string): Promise<HealthVerdict> {
  try {
    const output = await lambda.send(
      new InvokeCommand({
        FunctionName: targetVersion,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify(buildDeepHealthEvent(requestId))),
      }),
      { abortSignal: AbortSignal.timeout(INVOKE_TIMEOUT_MS) },
    );
    const payload = output.Payload ?? new Uint8Array();
    if (output.FunctionError) {
      return { healthy: false, reason: `function error (${output.FunctionError}): ${Buffer.from(payload).toString('utf8').slice(0, 500)}` };
    }
    return judgeHealth(parseInvokePayload(payload));
  } catch (error) {
    return { healthy: false, reason: `invocation failed: ${(error as Error).message}` };
  }
}

/**
 * The whole hook: check the new version, then always report a status for this execution.
 * A reporting failure is rethrown so the hook invocation itself fails visibly.
 */
export async function runPreTrafficHook(event: CodeDeployHookEvent, deps: PreTrafficDeps): Promise<HookStatus> {
  const verdict: HealthVerdict = deps.targetVersion
    ? await checkTargetVersion(deps.lambda, deps.targetVersion, `pretraffic-${event.LifecycleEventHookExecutionId}`)
    : { healthy: false, reason: 'TARGET_VERSION is not set' };
  const status: HookStatus = verdict.healthy ? 'Succeeded' : 'Failed';
  (deps.log ?? logVerdict)({
    deploymentId: event.DeploymentId,
    targetVersion: deps.targetVersion,
    status,
    reason: verdict.reason,
  });
  await deps.codedeploy.send(
    new PutLifecycleEventHookExecutionStatusCommand({
      deploymentId: event.DeploymentId,
      lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
      status,
    }),
  );
  return status;
}

// Created once per container, reused across invocations.
const lambdaClient = new LambdaClient({});
const codeDeployClient = new CodeDeployClient({});

export const handler = async (event: CodeDeployHookEvent): Promise<HookStatus> =>
  runPreTrafficHook(event, {
    lambda: lambdaClient,
    codedeploy: codeDeployClient,
    targetVersion: config.targetVersion,
  });
