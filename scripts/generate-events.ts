/**
 * Writes events/: one API Gateway REST (payload v1) and one Function URL (payload v2)
 * sample event per route, for `sam local invoke -e`, the docs and the handler tests.
 * Run `node scripts/generate-events.ts` after changing a sample.
 */
import { mkdir, writeFile } from 'node:fs/promises';

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
  auth?: boolean;
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
];

function headers(sample: Sample): Record<string, string> {
  const out: Record<string, string> = { host: 'example.execute-api.us-east-1.amazonaws.com', 'user-agent': 'aws-sdk-js/3 sample' };
  if (sample.body !== undefined) out['content-type'] = 'application/json';
  if (sample.auth !== false) out.authorization = `Bearer ${KEY}`;
  return out;
}

export function restEvent(sample: Sample) {
  const modelId = sample.resource.includes('{modelId}') ? sample.path.split('/')[2] : undefined;
  return {
    resource: sample.resource,
    path: sample.path,
    httpMethod: sample.method,
    headers: headers(sample),
    multiValueHeaders: Object.fromEntries(Object.entries(headers(sample)).map(([k, v]) => [k, [v]])),
    queryStringParameters: sample.query ?? null,
    multiValueQueryStringParameters: sample.query ? Object.fromEntries(Object.entries(sample.query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: modelId ? { modelId } : null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'example',
      resourcePath: sample.resource,
      httpMethod: sample.method,
      path: `/prod${sample.path}`,
      stage: 'prod',
      requestId: `rest-${sample.name}-0001`,
      requestTimeEpoch: 1764115200000,
      identity: { sourceIp: '198.51.100.7', userAgent: 'aws-sdk-js/3 sample' },
      protocol: 'HTTP/1.1',
    },
    body: sample.body === undefined ? null : JSON.stringify(sample.body),
    isBase64Encoded: false,
  };
}

export function functionUrlEvent(sample: Sample) {
  const rawQueryString = new URLSearchParams(sample.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: sample.path,
    rawQueryString,
    headers: headers(sample),
    queryStringParameters: sample.query,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'exampleurlid',
      domainName: 'exampleurlid.lambda-url.us-east-1.on.aws',
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
    await writeFile(`events/rest-${sample.name}.json`, `${JSON.stringify(restEvent(sample), null, 2)}\n`);
    await writeFile(`events/url-${sample.name}.json`, `${JSON.stringify(functionUrlEvent(sample), null, 2)}\n`);
  }
  console.log(`wrote ${SAMPLES.length * 2} events`);
}
