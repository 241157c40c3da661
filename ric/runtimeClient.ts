/**
 * Runs a bundled handler (dist/handler.mjs) under the real AWS Lambda Runtime Interface Client
 * (aws-lambda-ric, installed in ric/node_modules by `npm run setup:lambda-runtime`) against a
 * loopback Runtime API, as the nodejs:24 image runs it: cwd and LAMBDA_TASK_ROOT the task root,
 * _HANDLER `handler.handler`, the Lambda context variables set. The RIC reads only the environment.
 *
 *   const runtime = await startRuntimeClient({ taskRoot: dist, env: { OPENAI_BASE_URL, ... } });
 *   const result = await runtime.api.invoke(event);
 *   await runtime.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startRuntimeApi, type RuntimeApi } from './runtimeApi.ts';

const RIC_ROOT = path.join(import.meta.dirname, 'node_modules', 'aws-lambda-ric');
const RIC_ENTRY = path.join(RIC_ROOT, 'index.mjs');
/** The native addon the install builds; without it the runtime client cannot start. */
const RIC_ADDON = path.join(RIC_ROOT, 'rapid-client.node');

/** Undefined when the runtime client is installed and built, else what is missing. */
export function runtimeClientProblem(): string | undefined {
  if (!existsSync(RIC_ENTRY)) return `${path.relative(process.cwd(), RIC_ENTRY)} is missing`;
  if (!existsSync(RIC_ADDON)) return `${path.relative(process.cwd(), RIC_ADDON)} was not built`;
  return undefined;
}

export interface RuntimeClientOptions {
  /** The folder holding handler.mjs (the image's /var/task). */
  readonly taskRoot: string;
  readonly handler?: string;
  /** The function's own environment (template.yaml's Variables), over the Lambda ones. */
  readonly env?: Record<string, string>;
  readonly functionVersion?: string;
}

export interface RunningRuntimeClient {
  readonly api: RuntimeApi;
  readonly child: ChildProcess;
  /** Spawn to the first GET /next: the cold start the runtime client and the handler's init cost. */
  readonly initMs: number;
  /** Everything the runtime wrote (the function's logs). */
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** The variables Lambda sets and the RIC requires (it crashes at the first event without some of them). */
function lambdaEnvironment(api: RuntimeApi, taskRoot: string, handler: string, version: string): Record<string, string> {
  return {
    AWS_LAMBDA_RUNTIME_API: api.address,
    _HANDLER: handler,
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_LAMBDA_FUNCTION_NAME: 'gateway',
    AWS_LAMBDA_FUNCTION_VERSION: version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/gateway',
    AWS_LAMBDA_LOG_STREAM_NAME: `2026/01/01/[${version}]0123456789abcdef`,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
  };
}

export async function startRuntimeClient(options: RuntimeClientOptions): Promise<RunningRuntimeClient> {
  const api = await startRuntimeApi();
  const logs: string[] = [];
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...lambdaEnvironment(api, options.taskRoot, options.handler ?? 'handler.handler', options.functionVersion ?? '7'),
    ...options.env,
  };
  const spawnedAt = performance.now();
  // This process's Node: the project's Node 24, as the nodejs:24 image.
  const child = spawn(process.execPath, [RIC_ENTRY], { cwd: options.taskRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (bytes: Buffer) => logs.push(bytes.toString('utf8')));
  child.stderr!.on('data', (bytes: Buffer) => logs.push(bytes.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const started = await Promise.race([api.firstNext, exited.then(() => undefined), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 30_000))]);
  if (started === undefined) {
    child.kill('SIGKILL');
    await api.close();
    throw new Error(`the runtime client did not ask for an event: ${logs.join('').slice(-2000)}`);
  }
  return {
    api,
    child,
    initMs: started - spawnedAt,
    output: () => logs.join(''),
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await api.close();
    },
  };
}
