/**
 * Writes events/: one API Gateway REST (payload v1) and one Function URL (payload v2)
 * sample event per route, for `sam local invoke -e`, the docs and the handler tests, and samples
 * of the other two ways a caller authenticates: SigV4-signed (as the JS SDK signs, with the stage
 * in what a REST client signs) and a JWT bearer token, made with the published sample credentials.
 * Run `npm run events` after changing a sample; the output is deterministic.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { importJWK, SignJWT } from 'jose';
import { SAMPLE_JWT, SAMPLE_JWT_PRIVATE_JWK, SAMPLE_SIGV4, SAMPLE_TIME } from './sampleCredentials.ts';

const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const ENCODED = encodeURIComponent(MODEL);
const KEY = 'local-test-key';

interface Sample {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  resource: string;
  query?: Record<string, string>;
  body?: unknown;
  /** How the sample authenticates: an API key (default), a SigV4 signature, a JWT, or not at all (health). */
  auth?: 'key' | 'sigv4' | 'jwt' | false;
}

const converseBody = {
  messages: [{ role: 'user', content: [{ text: 'Say hello in five words.' }] }],
  inferenceConfig: { maxTokens: 256, temperature: 0.2 },
};

export const SAMPLES: Sample[] = [
  { name: 'converse', method: 'POST', path: `/model/${ENCODED}/converse`, resource: '/model/{modelId}/converse', body: converseBody },
  { name: 'converse-stream', method: 'POST', path: `/model/${ENCODED}/converse-stream`, resource: '/model/{modelId}/converse-stream', body: converseBody },
  {
    name: 'invoke-anthropic',
    method: 'POST',
    path: `/model/${ENCODED}/invoke`,
    resource: '/model/{modelId}/invoke',
    body: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 256, messages: [{ role: 'user', content: 'Say hello.' }] },
  },
  {
    name: 'invoke-stream-anthropic',
    method: 'POST',
    path: `/model/${ENCODED}/invoke-with-response-stream`,
    resource: '/model/{modelId}/invoke-with-response-stream',
    body: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 256, messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello.' }] }] },
  },
  {
    name: 'invoke-titan-embed',
    method: 'POST',
    path: `/model/${encodeURIComponent('amazon.titan-embed-text-v2:0')}/invoke`,
    resource: '/model/{modelId}/invoke',
    body: { inputText: 'Embed this sentence.', dimensions: 256, normalize: true },
  },
  {
    name: 'count-tokens',
    method: 'POST',
    path: `/model/${ENCODED}/count-tokens`,
    resource: '/model/{modelId}/count-tokens',
    body: { input: { converse: { messages: converseBody.messages } } },
  },
  { name: 'list-foundation-models', method: 'GET', path: '/foundation-models', resource: '/foundation-models' },
  { name: 'get-foundation-model', method: 'GET', path: `/foundation-models/${ENCODED}`, resource: '/foundation-models/{modelId}' },
  { name: 'health', method: 'GET', path: '/health', resource: '/health', auth: false },
  { name: 'health-deep', method: 'GET', path: '/health', resource: '/health', query: { deep: '1' }, auth: false },
  { name: 'converse-sigv4', method: 'POST', path: `/model/${ENCODED}/converse`, resource: '/model/{modelId}/converse', body: converseBody, auth: 'sigv4' },
  { name: 'converse-stream-sigv4', method: 'POST', path: `/model/${ENCODED}/converse-stream`, resource: '/model/{modelId}/converse-stream', body: converseBody, auth: 'sigv4' },
  { name: 'converse-jwt', method: 'POST', path: `/model/${ENCODED}/converse`, resource: '/model/{modelId}/converse', body: converseBody, auth: 'jwt' },
];

const REST_HOST = 'example.execute-api.us-east-1.amazonaws.com';
const URL_HOST = 'exampleurlid.lambda-url.us-east-1.on.aws';
const STAGE = 'prod';

/** The sample JWT: RS256 is deterministic, so the same token every run. */
async function sampleToken(): Promise<string> {
  const iat = SAMPLE_TIME / 1000;
  return new SignJWT({ iss: SAMPLE_JWT.issuer, sub: SAMPLE_JWT.subject, aud: SAMPLE_JWT.audience, iat, exp: iat + 3600 })
    .setProtectedHeader({ alg: 'RS256', kid: SAMPLE_JWT.kid, typ: 'JWT' })
    .sign(await importJWK(SAMPLE_JWT_PRIVATE_JWK, 'RS256'));
}

/** The headers the JS SDK signs and sends for this request (host, length, type, date, payload hash), with its Authorization. */
async function signedHeaders(sample: Sample, host: string, signedPath: string): Promise<Record<string, string>> {
  const body = sample.body === undefined ? '' : JSON.stringify(sample.body);
  const signer = new SignatureV4({ credentials: SAMPLE_SIGV4, region: 'us-east-1', service: 'bedrock', sha256: Sha256, applyChecksum: true });
  const request = new HttpRequest({
    method: sample.method,
    protocol: 'https:',
    hostname: host,
    path: signedPath,
    headers: { host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
  const signed = await signer.sign(request, { signingDate: new Date(SAMPLE_TIME) });
  return Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
}

async function headers(sample: Sample, front: 'rest' | 'url'): Promise<Record<string, string>> {
  const host = front === 'rest' ? REST_HOST : URL_HOST;
  const out: Record<string, string> = { host, 'user-agent': 'aws-sdk-js/3 sample' };
  if (sample.body !== undefined) out['content-type'] = 'application/json';
  if (sample.auth === 'sigv4') {
    // A REST client signs the stage it calls; API Gateway forwards no Content-Length (the verifier uses the body's).
    const signed = await signedHeaders(sample, host, front === 'rest' ? `/${STAGE}${sample.path}` : sample.path);
    if (front === 'rest') delete signed['content-length'];
    return { ...out, ...signed };
  }
  if (sample.auth === 'jwt') out.authorization = `Bearer ${await sampleToken()}`;
  else if (sample.auth !== false) out.authorization = `Bearer ${KEY}`;
  return out;
}

export async function restEvent(sample: Sample) {
  const modelId = sample.resource.includes('{modelId}') ? sample.path.split('/')[2] : undefined;
  const eventHeaders = await headers(sample, 'rest');
  return {
    resource: sample.resource,
    path: sample.path,
    httpMethod: sample.method,
    headers: eventHeaders,
    multiValueHeaders: Object.fromEntries(Object.entries(eventHeaders).map(([k, v]) => [k, [v]])),
    queryStringParameters: sample.query ?? null,
    multiValueQueryStringParameters: sample.query ? Object.fromEntries(Object.entries(sample.query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: modelId ? { modelId } : null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'example',
      resourcePath: sample.resource,
      httpMethod: sample.method,
      path: `/${STAGE}${sample.path}`,
      stage: STAGE,
      requestId: `rest-${sample.name}-0001`,
      requestTimeEpoch: 1764115200000,
      identity: { sourceIp: '198.51.100.7', userAgent: 'aws-sdk-js/3 sample' },
      protocol: 'HTTP/1.1',
    },
    body: sample.body === undefined ? null : JSON.stringify(sample.body),
    isBase64Encoded: false,
  };
}

export async function functionUrlEvent(sample: Sample) {
  const rawQueryString = new URLSearchParams(sample.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: sample.path,
    rawQueryString,
    headers: await headers(sample, 'url'),
    queryStringParameters: sample.query,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'exampleurlid',
      domainName: URL_HOST,
      domainPrefix: 'exampleurlid',
      http: { method: sample.method, path: sample.path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'aws-sdk-js/3 sample' },
      requestId: `url-${sample.name}-0001`,
      routeKey: '$default',
      stage: '$default',
      time: '26/Nov/2026:00:00:00 +0000',
      timeEpoch: 1764115200000,
    },
    // Function URLs base64-encode request bodies; the adapter must decode them.
    body: sample.body === undefined ? undefined : Buffer.from(JSON.stringify(sample.body)).toString('base64'),
    isBase64Encoded: sample.body !== undefined,
  };
}

if (import.meta.main) {
  await mkdir('events', { recursive: true });
  for (const sample of SAMPLES) {
    await writeFile(`events/rest-${sample.name}.json`, `${JSON.stringify(await restEvent(sample), null, 2)}\n`);
    await writeFile(`events/url-${sample.name}.json`, `${JSON.stringify(await functionUrlEvent(sample), null, 2)}\n`);
  }
  console.log(`wrote ${SAMPLES.length * 2} events`);
}
