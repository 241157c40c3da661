/**
 * What each way of authenticating costs a caller: the same Converse request at concurrency 1,
 * sent with an API key, a JWT (the key set already cached, as it is after a container's first
 * JWT) and a SigV4 signature (signed once per round, outside the timing, and replayed: the gateway
 * verifies it afresh every time). Interleaved rounds, the first method rotating, so drift hits all
 * three alike. The API key is the reference; the others are quoted as what they add to it.
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { checkConverseAnswer, GATEWAY_HEADERS, requestsFor, TEXT_BYTES, words } from './bodies.ts';
import type { Exchange } from './client.ts';
import type { BenchContext } from './context.ts';
import { collectLatencies } from './load.ts';
import { median, summarizeNs, type Percentiles } from './stats.ts';

const AUTH_METHODS = ['api-key', 'jwt', 'sigv4'] as const;
type AuthMethod = (typeof AUTH_METHODS)[number];

const AUDIENCE = 'bench-gateway';
const SIGV4 = { accessKeyId: 'AKIDBENCHGATEWAY01', secretAccessKey: 'bench-sigv4-secret-0123456789abcdef' };

/** A loopback JWKS and a key to sign with: what the gateway child trusts for the JWT phase. */
export interface BenchIssuer {
  readonly issuer: string;
  /** Variables the gateway child needs to accept the JWT and the SigV4 signature. */
  readonly env: Readonly<Record<string, string>>;
  token(): Promise<string>;
  close(): Promise<void>;
}

export async function startBenchIssuer(): Promise<BenchIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'ES256', use: 'sig' }] });
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    env: {
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: AUDIENCE,
      JWT_JWKS_URL: `${issuer}/jwks.json`,
      SIGV4_CREDENTIALS: JSON.stringify({ [SIGV4.accessKeyId]: { secretAccessKey: SIGV4.secretAccessKey, name: 'bench-signer' } }),
    },
    token: () => sign(privateKey, issuer),
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

function sign(key: CryptoKey, issuer: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: issuer, sub: 'bench-service', aud: AUDIENCE, iat: now, exp: now + 3600 }).setProtectedHeader({ alg: 'ES256', kid: 'bench-1' }).sign(key);
}

/** The headers the JS SDK would send for this request, signed now. */
async function signedHeaders(origin: string, path: string, body: Buffer): Promise<Record<string, string>> {
  const url = new URL(origin);
  const signer = new SignatureV4({ credentials: SIGV4, region: 'us-east-1', service: 'bedrock', sha256: Sha256, applyChecksum: true });
  const request = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      headers: { host: url.host, 'content-type': 'application/json', accept: 'application/json', 'content-length': String(body.length) },
      body,
    }),
  );
  const { 'content-length': _length, ...headers } = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
  return headers;
}

export interface AuthCostResult {
  readonly gateway: Readonly<Record<AuthMethod, Percentiles>>;
  /** Method p50 minus API-key p50, overall and as the median of the per-round differences, ms. */
  readonly addedOverApiKey: Readonly<Record<'jwt' | 'sigv4', { readonly p50: number; readonly p50RoundMedian: number }>>;
  readonly errors: number;
  readonly firstError?: string;
}

export async function measureAuthCost(ctx: BenchContext, issuer: BenchIssuer, origin: string): Promise<AuthCostResult> {
  const { plan, gatewayClient } = ctx;
  const text = words(TEXT_BYTES);
  const { path, body } = requestsFor(text, false).gateway;
  const headers: Record<AuthMethod, Record<string, string>> = {
    'api-key': { ...GATEWAY_HEADERS },
    jwt: { ...GATEWAY_HEADERS, authorization: `Bearer ${await issuer.token()}` },
    sigv4: await signedHeaders(origin, path, body),
  };
  const send = (method: AuthMethod, keepBody = false): Promise<Exchange> => gatewayClient.post(path, body, headers[method], { keepBody });

  // Each method must really be accepted (the JWT's first use also fills the key-set cache).
  for (const method of AUTH_METHODS) {
    const sample = await send(method, true);
    const problem = sample.status !== 200 ? `${method}: HTTP ${sample.status}: ${sample.body?.toString('utf8').slice(0, 300)}` : checkConverseAnswer(sample.body!, text);
    if (problem) throw new Error(problem);
    await collectLatencies(plan.latency.warmup / 2, plan.phaseDeadlineMs, () => send(method));
  }

  const samples: Record<AuthMethod, number[]> = { 'api-key': [], jwt: [], sigv4: [] };
  const roundDiffs: Record<'jwt' | 'sigv4', number[]> = { jwt: [], sigv4: [] };
  let errors = 0;
  let firstError: string | undefined;
  const perRoundDeadline = plan.phaseDeadlineMs / plan.latency.rounds;
  ctx.log(`auth cost: ${plan.latency.rounds} interleaved rounds x ${plan.latency.perRound} requests per method`);
  for (let round = 0; round < plan.latency.rounds; round++) {
    headers.sigv4 = await signedHeaders(origin, path, body); // a fresh date every round, well inside the 5 minutes
    const order = AUTH_METHODS.map((_, i) => AUTH_METHODS[(i + round) % AUTH_METHODS.length]!);
    const p50: Partial<Record<AuthMethod, number>> = {};
    for (const method of order) {
      const result = await collectLatencies(plan.latency.perRound, perRoundDeadline, () => send(method));
      errors += result.errors;
      firstError ??= result.firstError;
      samples[method].push(...result.samples);
      if (result.samples.length) p50[method] = summarizeNs(result.samples).p50;
    }
    for (const method of ['jwt', 'sigv4'] as const) if (p50[method] !== undefined && p50['api-key'] !== undefined) roundDiffs[method].push(p50[method] - p50['api-key']);
  }

  const gateway = { 'api-key': summarizeNs(samples['api-key']), jwt: summarizeNs(samples.jwt), sigv4: summarizeNs(samples.sigv4) };
  const over = (method: 'jwt' | 'sigv4') => ({ p50: gateway[method].p50 - gateway['api-key'].p50, p50RoundMedian: median(roundDiffs[method]) });
  return { gateway, addedOverApiKey: { jwt: over('jwt'), sigv4: over('sigv4') }, errors, ...(firstError ? { firstError } : {}) };
}
