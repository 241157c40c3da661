import { expect } from 'chai';
import { PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import type { PutLifecycleEventHookExecutionStatusCommandOutput } from '@aws-sdk/client-codedeploy';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { Gateway } from '../../../app/gateway/pipeline.ts';
import type { GatewayRequest } from '../../../app/core/request.ts';
import { jsonResponse } from '../../../app/core/response.ts';
import {
  buildDeepHealthEvent,
  parseInvokePayload,
  runPreTrafficHook,
  type HookStatusReporter,
  type LambdaInvoker,
} from '../../../app/hooks/preTraffic.ts';
import { createBufferedHandler, createStreamingHandler } from '../../../app/lambda/handlers.ts';
import { httpResponseStream } from '../../../app/lambda/runtime.ts';
import { CapturedResponseStream } from '../../helpers/responseStream.ts';

const TARGET = 'arn:aws:lambda:us-east-1:123456789012:function:gw-GatewayFunction-abc:7';
const silent = (): void => {};
const HOOK_EVENT = { DeploymentId: 'd-ABC123', LifecycleEventHookExecutionId: 'exec-42' };

/** A streamed response as Invoke returns it, written by the runtime adapter the gateway uses: JSON prelude, 8 NUL bytes, body. */
function streamed(statusCode: number, body: string): Uint8Array {
  const stream = new CapturedResponseStream();
  httpResponseStream(stream.responseStream, { statusCode, headers: { 'content-type': 'application/json' } }).write(body);
  return stream.bytes;
}

function proxyResult(statusCode: number, body: string, isBase64Encoded = false): Uint8Array {
  return Buffer.from(JSON.stringify({ statusCode, body: isBase64Encoded ? Buffer.from(body).toString('base64') : body, isBase64Encoded }));
}

/** What a fake invocation yields: a plain byte payload (the SDK wraps it in a blob adapter). */
type InvokeOutcome = { readonly Payload?: Uint8Array; readonly FunctionError?: string } | Error;

/** Records every Invoke and answers with the given outcome. */
function fakeLambda(outcome: InvokeOutcome) {
  const calls: InvokeCommand[] = [];
  const lambda: LambdaInvoker = {
    async send(command) {
      calls.push(command);
      if (outcome instanceof Error) throw outcome;
      const output: InvokeCommandOutput = {
        $metadata: {},
        StatusCode: 200,
        FunctionError: outcome.FunctionError,
        Payload: outcome.Payload as InvokeCommandOutput['Payload'],
      };
      return output;
    },
  };
  return { lambda, calls };
}

function fakeCodeDeploy(failWith?: Error) {
  const calls: PutLifecycleEventHookExecutionStatusCommand[] = [];
  const codedeploy: HookStatusReporter = {
    async send(command): Promise<PutLifecycleEventHookExecutionStatusCommandOutput> {
      calls.push(command);
      if (failWith) throw failWith;
      return { $metadata: {}, lifecycleEventHookExecutionId: command.input.lifecycleEventHookExecutionId };
    },
  };
  return { codedeploy, calls };
}

describe('PreTraffic hook: deep health event', () => {
  it('is a REST (v1) GET /health?deep=1 without credentials', () => {
    // Prepare
    const requestId = 'pretraffic-exec-42';

    // Act
    const event = buildDeepHealthEvent(requestId, 1_764_115_200_000);

    // Assess
    expect(event.httpMethod).to.equal('GET');
    expect(event.path).to.equal('/health');
    expect(event.resource).to.equal('/health');
    expect(event.queryStringParameters).to.deep.equal({ deep: '1' });
    expect(event.requestContext.requestId).to.equal(requestId);
    for (const headers of [event.headers, event.multiValueHeaders]) {
      const headerNames = Object.keys(headers).map((name) => name.toLowerCase());
      expect(headerNames).to.not.include('authorization');
      expect(headerNames).to.not.include('x-api-key');
    }
  });
});

describe('PreTraffic hook: invoke payload parsing', () => {
  const cases: { name: string; payload: Uint8Array; statusCode: number; body: string }[] = [
    { name: 'streamed 200', payload: streamed(200, '{"status":"ok"}'), statusCode: 200, body: '{"status":"ok"}' },
    { name: 'streamed 503', payload: streamed(503, '{"message":"down"}'), statusCode: 503, body: '{"message":"down"}' },
    { name: 'streamed with empty body', payload: streamed(204, ''), statusCode: 204, body: '' },
    { name: 'buffered proxy result', payload: proxyResult(200, '{"status":"ok"}'), statusCode: 200, body: '{"status":"ok"}' },
    { name: 'base64 proxy result', payload: proxyResult(503, '{"message":"x"}', true), statusCode: 503, body: '{"message":"x"}' },
  ];
  for (const c of cases) {
    it(`reads the status and body of a ${c.name}`, () => {
      // Prepare
      const { payload } = c;

      // Act
      const result = parseInvokePayload(payload);

      // Assess
      expect(result).to.deep.equal({ statusCode: c.statusCode, body: c.body });
    });
  }

  it('rejects a payload that is neither shape', () => {
    // Prepare
    const payload = Buffer.from('{"errorMessage":"boom"}');

    // Act
    const act = () => parseInvokePayload(payload);

    // Assess
    expect(act).to.throw(/neither/);
  });
});

describe('PreTraffic hook: against the gateway\'s own Lambda adapters', () => {
  /** A gateway that records what it was asked and answers like GET /health?deep=1 does when healthy. */
  function healthyGateway() {
    const seen: GatewayRequest[] = [];
    const gateway: Gateway = async (request) => {
      seen.push(request);
      return jsonResponse(200, { status: 'ok', checks: { secrets: 'ok', upstream: 'ok' } });
    };
    return { gateway, seen };
  }

  const adapters: { name: string; invoke: (gateway: Gateway, event: APIGatewayProxyEvent) => Promise<Uint8Array> }[] = [
    {
      name: 'streaming handler',
      invoke: async (gateway, event) => {
        const stream = new CapturedResponseStream();
        await createStreamingHandler(gateway)(event, stream.responseStream, {} as Context);
        return stream.bytes;
      },
    },
    {
      name: 'buffered handler (sam local)',
      invoke: async (gateway, event) => Buffer.from(JSON.stringify(await createBufferedHandler(gateway)(event))),
    },
  ];
  for (const adapter of adapters) {
    it(`is read as a credential-free deep health request, and its answer parsed, by the ${adapter.name}`, async () => {
      // Prepare
      const { gateway, seen } = healthyGateway();
      const event = buildDeepHealthEvent('pretraffic-exec-42');

      // Act
      const result = parseInvokePayload(await adapter.invoke(gateway, event));

      // Assess
      expect(seen).to.have.length(1);
      expect(seen[0]).to.deep.include({ method: 'GET', path: '/health', query: { deep: '1' }, requestId: 'pretraffic-exec-42' });
      expect(seen[0]!.headers).to.not.have.any.keys('authorization', 'x-api-key');
      expect(result.statusCode).to.equal(200);
      expect(JSON.parse(result.body)).to.deep.equal({ status: 'ok', checks: { secrets: 'ok', upstream: 'ok' } });
    });
  }
});

describe('PreTraffic hook: run', () => {
  const verdicts: { name: string; outcome: InvokeOutcome; expected: 'Succeeded' | 'Failed' }[] = [
    { name: 'streamed 200 ok', outcome: { Payload: streamed(200, '{"status":"ok","checks":{"upstream":"ok"}}') }, expected: 'Succeeded' },
    { name: 'buffered 200 ok', outcome: { Payload: proxyResult(200, '{"status":"ok"}') }, expected: 'Succeeded' },
    { name: 'streamed 503', outcome: { Payload: streamed(503, '{"message":"upstream unavailable"}') }, expected: 'Failed' },
    { name: '200 with another status', outcome: { Payload: streamed(200, '{"status":"degraded"}') }, expected: 'Failed' },
    { name: '200 with a non-JSON body', outcome: { Payload: streamed(200, 'ok') }, expected: 'Failed' },
    { name: 'a function error', outcome: { FunctionError: 'Unhandled', Payload: Buffer.from('{"errorMessage":"boom"}') }, expected: 'Failed' },
    { name: 'an unparseable payload', outcome: { Payload: Buffer.from('not json') }, expected: 'Failed' },
    { name: 'a failed invocation', outcome: new Error('AccessDeniedException'), expected: 'Failed' },
  ];
  for (const v of verdicts) {
    it(`reports ${v.expected} for ${v.name}`, async () => {
      // Prepare
      const { lambda } = fakeLambda(v.outcome);
      const { codedeploy, calls } = fakeCodeDeploy();

      // Act
      const status = await runPreTrafficHook(HOOK_EVENT, { lambda, codedeploy, targetVersion: TARGET, log: silent });

      // Assess
      expect(status).to.equal(v.expected);
      expect(calls).to.have.length(1);
      expect(calls[0]?.input).to.deep.equal({
        deploymentId: 'd-ABC123',
        lifecycleEventHookExecutionId: 'exec-42',
        status: v.expected,
      });
    });
  }

  it('invokes exactly the target version, synchronously, with the deep health event', async () => {
    // Prepare
    const { lambda, calls } = fakeLambda({ Payload: streamed(200, '{"status":"ok"}') });
    const { codedeploy } = fakeCodeDeploy();

    // Act
    await runPreTrafficHook(HOOK_EVENT, { lambda, codedeploy, targetVersion: TARGET, log: silent });

    // Assess
    expect(calls).to.have.length(1);
    const input = calls[0]!.input;
    expect(input.FunctionName).to.equal(TARGET);
    expect(input.InvocationType).to.equal('RequestResponse');
    const sent = JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8')) as APIGatewayProxyEvent;
    expect(sent.path).to.equal('/health');
    expect(sent.queryStringParameters).to.deep.equal({ deep: '1' });
  });

  it('fails without invoking anything when TARGET_VERSION is missing', async () => {
    // Prepare
    const { lambda, calls: invokes } = fakeLambda({ Payload: streamed(200, '{"status":"ok"}') });
    const { codedeploy, calls } = fakeCodeDeploy();

    // Act
    const status = await runPreTrafficHook(HOOK_EVENT, { lambda, codedeploy, targetVersion: undefined, log: silent });

    // Assess
    expect(status).to.equal('Failed');
    expect(invokes).to.have.length(0);
    expect(calls[0]?.input.status).to.equal('Failed');
  });

  it('rethrows when the status cannot be reported', async () => {
    // Prepare
    const { lambda } = fakeLambda({ Payload: streamed(200, '{"status":"ok"}') });
    const { codedeploy } = fakeCodeDeploy(new Error('ThrottlingException'));

    // Act
    const outcome = await runPreTrafficHook(HOOK_EVENT, { lambda, codedeploy, targetVersion: TARGET, log: silent }).then(
      () => 'resolved',
      (error: Error) => error.message,
    );

    // Assess
    expect(outcome).to.equal('ThrottlingException');
  });
});
