/**
 * Stock clients authenticate three ways against the local server, run as its own process so that
 * every line it logs is read: a named API key, a JWT from a loopback OIDC issuer (sent exactly as
 * an API key, AWS_BEARER_TOKEN_BEDROCK), and SigV4 with gateway-issued credentials, over the JS
 * SDK's HTTP/2 and HTTP/1.1 handlers and with boto3, behind a stage-like base path. Every refusal is
 * asserted by the exception name the SDK surfaces, and the log is searched for every secret used.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BedrockClient, ListFoundationModelsCommand } from '@aws-sdk/client-bedrock';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  type BedrockRuntimeClientConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { FinalizeRequestMiddleware } from '@smithy/types';
import { expect } from 'chai';
import { loadConfig } from '../../app/config/config.ts';
import { startFakeUpstream, type FakeUpstream } from '../../app/dev/fakeUpstream.ts';
import { buildGateway, type Built } from '../../app/gateway/composition.ts';
import { createStreamingHandler } from '../../app/lambda/handlers.ts';
import { startLambdaFrontDoor, type FrontDoor, type RunningFrontDoor } from '../helpers/lambdaFrontDoor.ts';
import { BOTO3_TOOL, PYTHON, requireTool } from '../helpers/externalTools.ts';
import { startOidcIssuer, type OidcIssuer } from '../helpers/oidcIssuer.ts';
import { waitFor } from '../helpers/wait.ts';
import { TRANSPORTS, type Transport } from './harness.ts';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../../app/local/main.ts', import.meta.url));
const BOTO3_SCRIPT = fileURLToPath(new URL('./boto3_callers.py', import.meta.url));

const API_KEY = 'team-a-key-7f3c9a1e5b2d4f60-SECRET';
const SIGV4 = { accessKeyId: 'AKIDGATEWAYE2E0001', secretAccessKey: 'gateway-issued-e2e-secret-9d8c7b6a-SECRET' };
const AUDIENCE = 'gateway-e2e';
const CLAUDE = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const MODEL_MAP = { [CLAUDE]: 'gpt-4o' };

interface Server {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** `node app/local/main.ts` with `env`, its stdout and stderr kept whole. */
async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'INFO', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => /listening on (http:\/\/\S+)/.test(output) || child.exitCode !== null, 30_000);
  const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
  if (!url) throw new Error(`the server did not start:\n${output}`);
  return {
    url,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await waitFor(() => child.exitCode !== null, 5_000);
    },
  };
}

const user = (text: string) => [{ role: 'user' as const, content: [{ text }] }];

describe('E2E: callers authenticate three ways', function () {
  this.timeout(120_000);
  let issuer: OidcIssuer;
  let upstream: FakeUpstream;
  let server: Server;
  let base: string;
  const tokens: Record<'jwt' | 'expired' | 'limited', string> = { jwt: '', expired: '', limited: '' };

  before(async () => {
    issuer = await startOidcIssuer();
    upstream = await startFakeUpstream({ apiKey: 'sk-upstream-callers' });
    server = await startServer({
      OPENAI_BASE_URL: upstream.baseURL,
      OPENAI_API_KEY: 'sk-upstream-callers',
      OPENAI_MAX_RETRIES: '0',
      MODEL_MAP: JSON.stringify(MODEL_MAP),
      PROXY_API_KEYS: `team-a=${API_KEY}`,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: AUDIENCE,
      JWT_MODELS_CLAIM: 'models',
      SIGV4_CREDENTIALS: JSON.stringify({ [SIGV4.accessKeyId]: { secretAccessKey: SIGV4.secretAccessKey, name: 'etl-job' } }),
    });
    // A base path, as an API Gateway stage puts one in front of every route (and in what SigV4 signs).
    base = `${server.url}/prod`;
    const now = Math.floor(Date.now() / 1000);
    tokens.jwt = await issuer.sign({ sub: 'svc-reporting', aud: AUDIENCE });
    tokens.expired = await issuer.sign({ sub: 'svc-old', aud: AUDIENCE, exp: now - 3600 });
    tokens.limited = await issuer.sign({ sub: 'intern', aud: AUDIENCE, models: ['gpt-4o-mini'] });
  });
  after(async () => {
    await server?.stop();
    await upstream?.close();
    await issuer?.close();
  });

  const client = (transport: Transport, auth: Partial<BedrockRuntimeClientConfig>) =>
    new BedrockRuntimeClient({
      region: 'eu-west-3',
      endpoint: base,
      maxAttempts: 1,
      ...(transport === 'h1' ? { requestHandler: new NodeHttpHandler() } : {}),
      ...auth,
    });
  const bearer = (token: string): Partial<BedrockRuntimeClientConfig> => ({ token: { token }, authSchemePreference: ['httpBearerAuth'] });
  // Credentials and no token: the client signs with SigV4, as it does for Bedrock itself.
  const signedBy = (accessKeyId: string, secretAccessKey: string): Partial<BedrockRuntimeClientConfig> => ({ credentials: { accessKeyId, secretAccessKey } });

  for (const [transport, label] of TRANSPORTS) {
    describe(`the JS SDK over ${label}`, () => {
      const methods: ReadonlyArray<readonly [string, () => Partial<BedrockRuntimeClientConfig>]> = [
        ['a named API key', () => bearer(API_KEY)],
        ['a JWT from the OIDC issuer', () => bearer(tokens.jwt)],
        ['SigV4 with gateway-issued credentials', () => signedBy(SIGV4.accessKeyId, SIGV4.secretAccessKey)],
      ];
      for (const [method, auth] of methods) {
        it(`serves Converse, ConverseStream and InvokeModel to ${method}`, async () => {
          // Prepare
          const runtime = client(transport, auth());
          // Act
          const reply = await runtime.send(new ConverseCommand({ modelId: CLAUDE, messages: user(`hello via ${method}`) }));
          const stream = await runtime.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: user('stream') }));
          const events: string[] = [];
          for await (const event of stream.stream!) events.push(Object.keys(event)[0]!);
          const invoked = await runtime.send(
            new InvokeModelCommand({ modelId: CLAUDE, body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }) }),
          );
          // Assess
          expect(reply.output?.message?.content?.[0]?.text).to.equal(`Echo: hello via ${method}`);
          expect(events.at(0)).to.equal('messageStart');
          expect(events.at(-1)).to.equal('metadata');
          expect(JSON.parse(Buffer.from(invoked.body).toString()).content[0].text).to.equal('Echo: hi');
        });
      }
    });
  }

  describe('refusals, by the exception name the JS SDK surfaces', () => {
    /** Changes the body after the client signed it, as a tampering proxy would. */
    const tamperBody = (runtime: BedrockRuntimeClient) => {
      const tamper: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
        const request = args.request as { body: string };
        request.body = request.body.replace('original', 'tampered');
        return next(args);
      };
      runtime.middlewareStack.addRelativeTo(tamper, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamperAfterSigning' });
    };
    const cases: ReadonlyArray<readonly [string, () => BedrockRuntimeClient, string, string]> = [
      ['a tampered body', () => { const c = client('h2', signedBy(SIGV4.accessKeyId, SIGV4.secretAccessKey)); tamperBody(c); return c; }, 'InvalidSignatureException', 'x-amz-content-sha256'],
      ['a wrong secret', () => client('h2', signedBy(SIGV4.accessKeyId, 'not-the-issued-secret-000000000000')), 'InvalidSignatureException', 'does not match'],
      ['a clock 6 minutes off', () => client('h2', { ...signedBy(SIGV4.accessKeyId, SIGV4.secretAccessKey), systemClockOffset: -6 * 60_000 }), 'InvalidSignatureException', 'Signature expired'],
      ['an unknown access key id', () => client('h1', signedBy('AKIDNOTISSUED00001', SIGV4.secretAccessKey)), 'UnrecognizedClientException', 'security token included in the request is invalid'],
      ['temporary credentials (a session token)', () => client('h1', { credentials: { ...SIGV4, sessionToken: 'FwoGZXIvYXdzEXAMPLE-SECRET' } }), 'UnrecognizedClientException', 'no session token'],
      ['an expired JWT', () => client('h2', bearer(tokens.expired)), 'AccessDeniedException', 'expired'],
      ['a JWT signed by another issuer', () => client('h2', bearer(tokens.jwt.replace(/\.[^.]+$/, '.AAAA'))), 'AccessDeniedException', 'signature'],
      ['a wrong API key', () => client('h1', bearer('not-a-key-SECRET')), 'AccessDeniedException', 'not valid'],
      ['a model outside the caller’s allow-list', () => client('h2', bearer(tokens.limited)), 'AccessDeniedException', "You don't have access to the model"],
    ];
    for (const [label, make, name, fragment] of cases) {
      it(`refuses ${label}: ${name}`, async () => {
        // Act
        const error = (await make()
          .send(new ConverseCommand({ modelId: CLAUDE, messages: user('original text') }))
          .catch((e: unknown) => e)) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
        // Assess
        expect(error.name).to.equal(name);
        expect(error.$metadata?.httpStatusCode).to.equal(403);
        expect(error.message).to.include(fragment);
      });
    }

    it('lists only the models a limited caller may use', async () => {
      // Prepare
      const control = new BedrockClient({ region: 'eu-west-3', endpoint: base, maxAttempts: 1, token: { token: tokens.limited }, authSchemePreference: ['httpBearerAuth'] });
      // Act
      const listed = await control.send(new ListFoundationModelsCommand({}));
      // Assess
      expect(listed.modelSummaries?.map((model) => model.modelId)).to.deep.equal(['gpt-4o-mini']);
    });
  });

  describe('through the Lambda handler, behind API Gateway REST (with a stage) and a Function URL', () => {
    let gateway: Built;
    const doors: Partial<Record<FrontDoor, RunningFrontDoor>> = {};
    before(async () => {
      const config = loadConfig({
        OPENAI_BASE_URL: upstream.baseURL,
        OPENAI_API_KEY: 'sk-upstream-callers',
        OPENAI_MAX_RETRIES: '0',
        MODEL_MAP: JSON.stringify(MODEL_MAP),
        PROXY_API_KEYS: `team-a=${API_KEY}`,
        JWT_ISSUER: issuer.issuer,
        JWT_AUDIENCE: AUDIENCE,
        SIGV4_CREDENTIALS: JSON.stringify({ [SIGV4.accessKeyId]: { secretAccessKey: SIGV4.secretAccessKey, name: 'etl-job' } }),
      });
      gateway = buildGateway({ config, mode: 'lambda', telemetry: { record: () => undefined } });
      doors.rest = await startLambdaFrontDoor(createStreamingHandler(gateway.gateway), 'rest');
      doors.url = await startLambdaFrontDoor(createStreamingHandler(gateway.gateway), 'url');
    });
    after(async () => {
      await doors.rest?.close();
      await doors.url?.close();
      await gateway?.close();
    });

    for (const door of ['rest', 'url'] as const) {
      // API Gateway REST and Function URLs speak HTTP/1.1 only: the JS SDK needs its NodeHttpHandler there.
      const lambdaClient = (auth: Partial<BedrockRuntimeClientConfig>) =>
        new BedrockRuntimeClient({ region: 'eu-west-3', endpoint: doors[door]!.endpoint, maxAttempts: 1, requestHandler: new NodeHttpHandler(), ...auth });
      const methods: ReadonlyArray<readonly [string, () => Partial<BedrockRuntimeClientConfig>]> = [
        ['SigV4 with gateway-issued credentials', () => signedBy(SIGV4.accessKeyId, SIGV4.secretAccessKey)],
        ['a JWT', () => bearer(tokens.jwt)],
        ['a named API key', () => bearer(API_KEY)],
      ];
      for (const [method, auth] of methods) {
        it(`${door === 'rest' ? 'REST' : 'Function URL'}: serves Converse, ConverseStream and InvokeModel to ${method}`, async () => {
          // Prepare
          const runtime = lambdaClient(auth());
          // Act
          const reply = await runtime.send(new ConverseCommand({ modelId: CLAUDE, messages: user(`lambda via ${method}`) }));
          const stream = await runtime.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: user('stream') }));
          const events: string[] = [];
          for await (const event of stream.stream!) events.push(Object.keys(event)[0]!);
          const invoked = await runtime.send(
            new InvokeModelCommand({ modelId: CLAUDE, body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }) }),
          );
          // Assess
          expect(reply.output?.message?.content?.[0]?.text).to.equal(`Echo: lambda via ${method}`);
          expect([events.at(0), events.at(-1)]).to.deep.equal(['messageStart', 'metadata']);
          expect(JSON.parse(Buffer.from(invoked.body).toString()).content[0].text).to.equal('Echo: hi');
        });
      }

      it(`${door === 'rest' ? 'REST' : 'Function URL'}: refuses a wrong secret with InvalidSignatureException`, async () => {
        // Act
        const error = (await lambdaClient(signedBy(SIGV4.accessKeyId, 'not-the-issued-secret-000000000000'))
          .send(new ConverseCommand({ modelId: CLAUDE, messages: user('hi') }))
          .catch((e: unknown) => e)) as { name?: string };
        // Assess
        expect(error.name).to.equal('InvalidSignatureException');
      });
    }
  });

  describe('boto3', function () {
    requireTool(BOTO3_TOOL);
    let result: Record<string, unknown>;
    before(async () => {
      const config = loadConfig({
        OPENAI_BASE_URL: upstream.baseURL,
        OPENAI_API_KEY: 'sk-upstream-callers',
        MODEL_MAP: JSON.stringify(MODEL_MAP),
        SIGV4_CREDENTIALS: JSON.stringify({ [SIGV4.accessKeyId]: { secretAccessKey: SIGV4.secretAccessKey, name: 'etl-job' } }),
      });
      const lambda = buildGateway({ config, mode: 'lambda', telemetry: { record: () => undefined } });
      const rest = await startLambdaFrontDoor(createStreamingHandler(lambda.gateway), 'rest');
      try {
        const env = {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          GATEWAY_URL: base,
          LAMBDA_REST_URL: rest.endpoint,
          SIGV4_ID: SIGV4.accessKeyId,
          SIGV4_SECRET: SIGV4.secretAccessKey,
          JWT_TOKEN: tokens.jwt,
          EXPIRED_JWT: tokens.expired,
          LIMITED_TOKEN: tokens.limited,
        };
        result = JSON.parse((await run(PYTHON, [BOTO3_SCRIPT], { env })).stdout) as Record<string, unknown>;
      } finally {
        await rest.close();
        await lambda.close();
      }
    });

    it('signs through the Lambda handler behind API Gateway REST, the stage in the signed path', () => {
      expect(result.sigv4_lambda).to.equal('Echo: boto3 via lambda');
      expect(result.sigv4_lambda_stream).to.equal('metadata');
    });

    it('signs with gateway-issued credentials: converse, converse_stream, invoke_model', () => {
      expect(result.sigv4).to.deep.equal({
        converse: 'Echo: signed by boto3',
        stream: ['messageStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata'],
        invoke: 'Echo: hi',
      });
    });

    it('surfaces an unknown key, a wrong secret and a session token by name', () => {
      expect([result.sigv4_unknown_key, result.sigv4_wrong_secret, result.sigv4_session_token]).to.deep.equal([
        'UnrecognizedClientException',
        'InvalidSignatureException',
        'UnrecognizedClientException',
      ]);
    });

    it('sends a JWT as AWS_BEARER_TOKEN_BEDROCK, and an expired one is AccessDeniedException', () => {
      expect(result.jwt).to.equal('Echo: jwt via boto3');
      expect(result.jwt_expired).to.equal('AccessDeniedException');
    });

    it("enforces a JWT's model allow-list on converse and list_foundation_models", () => {
      expect(result.limited_other_model).to.equal('AccessDeniedException');
      expect(result.limited_models).to.deep.equal(['gpt-4o-mini']);
    });
  });

  describe('the log', () => {
    const requestLines = () =>
      server
        .output()
        .split('\n')
        .filter((line) => line.includes('"message":"request"'))
        .map((line) => JSON.parse(line) as { caller?: string; authMethod?: string; status: number });

    it('names the caller of every served request, by the method it used', () => {
      // Act
      const served = requestLines().filter((line) => line.status === 200);
      const callers = new Set(served.map((line) => `${line.authMethod}:${line.caller}`));
      // Assess
      expect(served.length).to.be.greaterThan(9);
      expect([...callers]).to.include.members(['api-key:team-a', 'jwt:svc-reporting', 'sigv4:etl-job']);
      expect(served.every((line) => line.caller !== undefined)).to.equal(true);
    });

    it('holds no key, token, secret or signature used in this run', () => {
      // Prepare
      const signatures = [...server.output().matchAll(/Signature=([0-9a-f]{64})/g)];
      const secrets = [API_KEY, SIGV4.secretAccessKey, 'not-the-issued-secret', 'FwoGZXIvYXdzEXAMPLE', 'not-a-key-SECRET', 'sk-upstream-callers', ...Object.values(tokens)];
      // Act
      const log = server.output();
      // Assess
      expect(log.length).to.be.greaterThan(1000);
      expect(signatures).to.deep.equal([]);
      for (const secret of secrets) expect(log, 'a secret in the log').to.not.include(secret);
      // A JWT's signature part alone is secret enough not to be logged either.
      for (const token of Object.values(tokens)) expect(log).to.not.include(token.split('.')[2]!);
    });
  });
});
