/**
 * SigV4 verification: AWS's published test suite, then requests signed here the way the JS SDK
 * signs them (the same signer), and every way such a request can be wrong.
 */
import { readFileSync } from 'node:fs';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { expect } from 'chai';
import { createSigV4Verifier, type SignedRequest } from '../../../app/auth/sigv4.ts';
import type { SigV4Credential } from '../../../app/config/credentials.ts';
import { parseSigningQuery } from '../../../app/core/request.ts';
import { rejectedBedrockError } from '../../helpers/bedrockErrors.ts';

interface Vector {
  readonly name: string;
  readonly suite: string;
  readonly category: 'basic' | 'normalize-path' | 'sts';
  readonly expect: 'ok' | 'bad_signature' | 'session_token';
  readonly sreq: string;
}
interface Suite {
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly date: string;
  readonly service: string;
  readonly vectors: readonly Vector[];
}

/** Where the vectors come from, with repository, path and commit per vector: tests/fixtures/sigv4/aws-sigv4-test-suite.json. */
const SUITE = JSON.parse(readFileSync(new URL('../../fixtures/sigv4/aws-sigv4-test-suite.json', import.meta.url), 'utf8')) as Suite;

/** A signed-request file (.sreq) -> what an edge would hand over: repeated headers joined by ',', folded lines as further values. */
function fromSreq(text: string): { request: SignedRequest; body: Uint8Array } {
  const blank = text.indexOf('\n\n');
  const head = blank >= 0 ? text.slice(0, blank) : text;
  const lines = head.split('\n');
  const first = lines.shift()!;
  const target = first.slice(first.indexOf(' ') + 1, first.lastIndexOf(' '));
  const values: Record<string, string[]> = {};
  let last = '';
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last) values[last]!.push(line.trim());
    else {
      last = line.slice(0, line.indexOf(':')).toLowerCase();
      (values[last] ??= []).push(line.slice(line.indexOf(':') + 1).trim());
    }
  }
  const headers = Object.fromEntries(Object.entries(values).map(([name, list]) => [name, list.join(',')]));
  const q = target.indexOf('?');
  return {
    request: { method: first.slice(0, first.indexOf(' ')), paths: [q >= 0 ? target.slice(0, q) : target], query: parseSigningQuery(q >= 0 ? target.slice(q + 1) : ''), headers },
    body: Buffer.from(blank >= 0 ? text.slice(blank + 2) : ''),
  };
}

const lookupOf = (credentials: readonly SigV4Credential[]) => async (id: string) => credentials.find((c) => c.accessKeyId === id);

describe('SigV4: the AWS Signature Version 4 test suite', () => {
  const credential: SigV4Credential = { ...SUITE.credentials, name: 'suite' };
  const at = Date.UTC(2015, 7, 30, 12, 36, 0);
  const verifier = createSigV4Verifier(lookupOf([credential]), { now: () => at, service: SUITE.service });
  // The router reads the path as sent, so a path with segments SigV4 would normalise ('.', '..', '//') is refused, not verified.
  const normalisable = (vector: Vector) => /\/\/|\/\.\.?(\/|$)/.test(fromSreq(vector.sreq).request.paths[0]!);
  const outcomeOf = (vector: Vector): string => {
    if (vector.expect === 'bad_signature') return 'InvalidSignatureException';
    if (vector.category === 'sts') return 'UnrecognizedClientException';
    return vector.category === 'normalize-path' && normalisable(vector) ? 'InvalidSignatureException' : 'accepted';
  };

  it('has the vectors that apply to a header-signed, non-S3 request', () => {
    // Assess
    expect(SUITE.vectors.filter((v) => v.category === 'basic').length).to.be.greaterThan(20);
  });

  for (const vector of SUITE.vectors) {
    const expected = outcomeOf(vector);
    it(`${vector.suite}: ${vector.name} is ${expected}`, async () => {
      // Prepare
      const { request, body } = fromSreq(vector.sreq);
      // Act
      const outcome = await verifier.verify(request, async () => body).then(
        (caller) => (caller.name === 'suite' ? 'accepted' : 'wrong caller'),
        (error: { exception?: string }) => error.exception,
      );
      // Assess
      expect(outcome).to.equal(expected);
    });
  }
});

const CREDENTIAL: SigV4Credential = { accessKeyId: 'AKIDGATEWAY0001', secretAccessKey: 'gateway-issued-secret-0001-SECRET', name: 'batch-job', models: ['gpt-4o-mini'] };
const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const BODY = '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}';

/** Signs as the JS SDK does (its own signer; x-amz-content-sha256 added), for the local server on HTTP/1.1 or HTTP/2. */
async function signed(options: { readonly at?: number; readonly secret?: string; readonly accessKeyId?: string; readonly h2?: boolean; readonly path?: string; readonly body?: string; readonly extraHeaders?: Record<string, string> } = {}): Promise<SignedRequest> {
  const path = options.path ?? '/prod/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse';
  const host = '127.0.0.1:3000';
  const signer = new SignatureV4({
    credentials: { accessKeyId: options.accessKeyId ?? CREDENTIAL.accessKeyId, secretAccessKey: options.secret ?? CREDENTIAL.secretAccessKey, ...options.extraHeaders?.['x-amz-security-token'] && { sessionToken: options.extraHeaders['x-amz-security-token'] } },
    region: 'eu-west-3',
    service: 'bedrock',
    sha256: Sha256,
    applyChecksum: true,
  });
  const request = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 3000,
      path,
      headers: { ...(options.h2 ? { ':authority': host } : { host }), 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(options.body ?? BODY)), ...options.extraHeaders },
      body: options.body ?? BODY,
    }),
    { signingDate: new Date(options.at ?? NOW) },
  );
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
  return { method: 'POST', paths: [path], query: {}, headers };
}

describe('SigV4: requests signed with gateway-issued credentials', () => {
  const verifier = createSigV4Verifier(lookupOf([CREDENTIAL]), { now: () => NOW });
  const body = (text = BODY) => async () => Buffer.from(text);

  it('names the caller by its credential, with its model list', async () => {
    // Act
    const caller = await verifier.verify(await signed(), body());
    // Assess
    expect(caller).to.deep.equal({ name: 'batch-job', method: 'sigv4', allowedModels: ['gpt-4o-mini'] });
  });

  it('verifies an HTTP/2 request, which signs :authority and carries no host', async () => {
    // Act
    const caller = await verifier.verify(await signed({ h2: true }), body());
    // Assess
    expect(caller.name).to.equal('batch-job');
  });

  it('verifies when a front door dropped a signed content-length', async () => {
    // Prepare
    const request = await signed();
    const { 'content-length': _dropped, ...headers } = request.headers;
    // Act
    const caller = await verifier.verify({ ...request, headers }, body());
    // Assess
    expect(caller.name).to.equal('batch-job');
  });

  it('verifies against any candidate path (API Gateway REST: with and without the stage)', async () => {
    // Prepare
    const request = await signed();
    // Act
    const caller = await verifier.verify({ ...request, paths: ['/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse', request.paths[0]!] }, body());
    // Assess
    expect(caller.name).to.equal('batch-job');
  });

  it('accepts a request date up to 5 minutes either side of the gateway clock', async () => {
    // Act
    const early = await verifier.verify(await signed({ at: NOW - 4 * 60_000 }), body());
    const late = await verifier.verify(await signed({ at: NOW + 4 * 60_000 }), body());
    // Assess
    expect([early.name, late.name]).to.deep.equal(['batch-job', 'batch-job']);
  });

  it('reads the body only once the access key is known', async () => {
    // Prepare
    let reads = 0;
    const counting = async () => (reads++, Buffer.from(BODY));
    // Act
    await rejectedBedrockError(verifier.verify(await signed({ accessKeyId: 'AKIDUNKNOWN0001' }), counting));
    await verifier.verify(await signed(), counting);
    // Assess
    expect(reads).to.equal(1);
  });

  const refusals: ReadonlyArray<readonly [string, () => Promise<[SignedRequest, () => Promise<Uint8Array>]>, string, string]> = [
    ['a tampered body', async () => [await signed(), body(BODY.replace('hi', 'ho'))], 'InvalidSignatureException', "'x-amz-content-sha256'"],
    [
      'a tampered body with its x-amz-content-sha256 recomputed',
      async () => {
        const request = await signed();
        const forged = (await signed({ body: BODY.replace('hi', 'ho') })).headers['x-amz-content-sha256']!;
        return [{ ...request, headers: { ...request.headers, 'x-amz-content-sha256': forged } }, body(BODY.replace('hi', 'ho'))];
      },
      'InvalidSignatureException',
      'does not match the signature you provided',
    ],
    ['a wrong secret', async () => [await signed({ secret: 'not-the-issued-secret-0000' }), body()], 'InvalidSignatureException', 'does not match the signature you provided'],
    ['a clock 6 minutes behind', async () => [await signed({ at: NOW - 6 * 60_000 }), body()], 'InvalidSignatureException', 'Signature expired'],
    ['a clock 6 minutes ahead', async () => [await signed({ at: NOW + 6 * 60_000 }), body()], 'InvalidSignatureException', 'Signature expired'],
    ['an unknown access key id', async () => [await signed({ accessKeyId: 'AKIDUNKNOWN0001' }), body()], 'UnrecognizedClientException', 'The security token included in the request is invalid.'],
    ['a session token (temporary credentials)', async () => [await signed({ extraHeaders: { 'x-amz-security-token': 'FwoGZXIvYXdzEXAMPLE' } }), body()], 'UnrecognizedClientException', 'no session token'],
    [
      'another service in the credential scope',
      async () => {
        const request = await signed();
        return [{ ...request, headers: { ...request.headers, authorization: request.headers.authorization!.replace('/bedrock/', '/s3/') } }, body()];
      },
      'InvalidSignatureException',
      "'bedrock'",
    ],
    [
      'a path retargeted after signing',
      async () => {
        const request = await signed();
        return [{ ...request, paths: ['/prod/model/gpt-4o/converse'] }, body()];
      },
      'InvalidSignatureException',
      'does not match the signature you provided',
    ],
    [
      "a path with '..' (which SigV4 would normalise)",
      async () => {
        const request = await signed({ path: '/prod/model/x/../gpt-4o/converse' });
        return [request, body()];
      },
      'InvalidSignatureException',
      "'..'",
    ],
    [
      'a signed header changed after signing',
      async () => {
        const request = await signed();
        return [{ ...request, headers: { ...request.headers, 'content-type': 'text/plain' } }, body()];
      },
      'InvalidSignatureException',
      'does not match the signature you provided',
    ],
    [
      'a malformed Authorization header',
      async () => {
        const request = await signed();
        return [{ ...request, headers: { ...request.headers, authorization: 'AWS4-HMAC-SHA256 Credential=AKIDGATEWAY0001/bad' } }, body()];
      },
      'InvalidSignatureException',
      'malformed',
    ],
  ];
  for (const [label, make, exception, fragment] of refusals) {
    it(`refuses ${label} with ${exception}`, async () => {
      // Prepare
      const [request, readBody] = await make();
      // Act
      const error = await rejectedBedrockError(verifier.verify(request, readBody));
      // Assess
      expect(error.exception).to.equal(exception);
      expect(error.status).to.equal(403);
      expect(error.message).to.include(fragment);
      expect(error.message).to.not.include(CREDENTIAL.secretAccessKey);
      expect(error.message).to.not.match(/[0-9a-f]{64}/); // never a signature, expected or given
    });
  }
});
