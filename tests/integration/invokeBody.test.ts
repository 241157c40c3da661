/**
 * A bad InvokeModel body gets the same 400 ValidationException wherever it comes in: raw on
 * InvokeModel and InvokeModelWithResponseStream, base64 in CountTokens' input.invokeModel.body.
 * Each message names the field the body came in. No upstream is mocked: a 400 means none was called.
 */
import { expect } from 'chai';
import type { GatewayRequest } from '../../app/core/request.ts';
import { TEST_KEY, testGateway } from '../helpers/gateway.ts';

const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1%3A0';

function post(path: string, body: Uint8Array): GatewayRequest {
  return { method: 'POST', path, query: {}, headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' }, body, requestId: 'req-body' };
}

const countTokensOf = (invokeBody: Uint8Array): Uint8Array =>
  new TextEncoder().encode(JSON.stringify({ input: { invokeModel: { body: Buffer.from(invokeBody).toString('base64') } } }));

describe('InvokeModel bodies: one parser for InvokeModel and CountTokens', () => {
  const bodies: { name: string; body: Uint8Array; problem: string }[] = [
    { name: 'a JSON array', body: new TextEncoder().encode('[1,2]'), problem: 'the InvokeModel body must be a JSON object.' },
    { name: 'text that is not JSON', body: new TextEncoder().encode('hello'), problem: 'the InvokeModel body is not valid JSON (it must be a JSON object).' },
    { name: 'bytes that are not UTF-8', body: Uint8Array.from([0x7b, 0xff, 0x7d]), problem: 'the InvokeModel body is not valid UTF-8.' },
  ];
  const routes: { op: string; path: string; field: string; wrap: (body: Uint8Array) => Uint8Array }[] = [
    { op: 'InvokeModel', path: `/model/${MODEL}/invoke`, field: 'body', wrap: (body) => body },
    { op: 'InvokeModelWithResponseStream', path: `/model/${MODEL}/invoke-with-response-stream`, field: 'body', wrap: (body) => body },
    { op: 'CountTokens', path: `/model/${MODEL}/count-tokens`, field: 'input.invokeModel.body', wrap: countTokensOf },
  ];

  for (const { op, path, field, wrap } of routes) {
    for (const { name, body, problem } of bodies) {
      it(`${op} rejects ${name} with 400 ValidationException "${field}: ${problem}"`, async () => {
        // Prepare
        const gw = testGateway();

        // Act
        const response = await gw.gateway(post(path, wrap(body)));
        await gw.close();

        // Assess
        expect(response.kind).to.equal('buffered');
        if (response.kind !== 'buffered') return;
        expect(response.status).to.equal(400);
        expect(response.headers['x-amzn-ErrorType']).to.equal('ValidationException');
        expect(JSON.parse(Buffer.from(response.body).toString('utf8'))).to.deep.equal({ message: `${field}: ${problem}` });
      });
    }
  }
});
