import { expect } from 'chai';
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';
import { staticSecret } from '../../../app/secrets/secretSource.ts';
import { createDispatcher, createOpenAIClient, type OpenAIClientOptions } from '../../../app/upstream/openaiClient.ts';

const BASE_OPTIONS: OpenAIClientOptions = {
  baseURL: 'https://upstream.example.test/v1',
  apiKey: staticSecret('sk-test-key'),
  timeoutMs: 45_000,
  maxRetries: 0,
  maxConnections: 8,
};

interface SeenRequest {
  url: string;
  init: (RequestInit & { dispatcher?: unknown }) | undefined;
}

/** A fetch that records each request and answers an empty model list (no network). */
function recordingFetch(seen: SeenRequest[]): typeof globalThis.fetch {
  return async (input, init) => {
    seen.push({ url: String(input instanceof Request ? input.url : input), init: init as SeenRequest['init'] });
    return new Response(JSON.stringify({ object: 'list', data: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

describe('createOpenAIClient', () => {
  it("builds a pooled undici Agent when no fetch is injected, and gives the SDK its own fetch (neither the global one nor undici's)", async () => {
    // Act
    const { client, dispatcher } = createOpenAIClient(BASE_OPTIONS);
    try {
      // Assess
      expect(dispatcher).to.be.instanceOf(Agent);
      const sdkFetch = (client as unknown as { fetch: unknown }).fetch;
      expect(sdkFetch).to.be.a('function');
      expect(sdkFetch).to.not.equal(globalThis.fetch);
      expect(sdkFetch).to.not.equal(undiciFetch);
    } finally {
      await dispatcher?.close();
    }
  });

  it('sends the SDK requests through that Agent, with the key from the SecretSource', async () => {
    // Prepare: the Agent's request() answers in place of the network
    const { client, dispatcher } = createOpenAIClient(BASE_OPTIONS);
    const seen: Dispatcher.RequestOptions[] = [];
    const body = JSON.stringify({ object: 'list', data: [] });
    const fakeRequest = async (options: Dispatcher.RequestOptions) => {
      seen.push(options);
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: { text: async () => body, dump: async () => undefined } };
    };
    Object.assign(dispatcher!, { request: fakeRequest });
    try {
      // Act
      const models = [];
      for await (const model of client.models.list()) models.push(model);
      // Assess
      expect(models).to.deep.equal([]);
      expect(seen).to.have.length(1);
      expect(seen[0]).to.include({ origin: 'https://upstream.example.test', path: '/v1/models', method: 'GET' });
      expect((seen[0]?.headers as Record<string, string>)['authorization']).to.equal('Bearer sk-test-key');
    } finally {
      await dispatcher?.close();
    }
  });

  it('builds no dispatcher when a fetch is injected, and the SDK uses that fetch', () => {
    // Prepare
    const injected = recordingFetch([]);
    // Act
    const { client, dispatcher } = createOpenAIClient({ ...BASE_OPTIONS, fetch: injected });
    // Assess
    expect(dispatcher).to.equal(undefined);
    expect((client.fetchOptions as { dispatcher?: unknown } | undefined)?.dispatcher).to.equal(undefined);
    expect((client as unknown as { fetch: unknown }).fetch).to.equal(injected);
  });

  const settings: readonly (readonly [string, Partial<OpenAIClientOptions>])[] = [
    ['defaults of the fixture', {}],
    ['another base URL, timeout and retry count', { baseURL: 'http://127.0.0.1:9999/openai/v1', timeoutMs: 1_000, maxRetries: 5 }],
  ];
  for (const [label, overrides] of settings) {
    it(`copies baseURL, timeout and maxRetries (${label})`, () => {
      // Prepare
      const options = { ...BASE_OPTIONS, ...overrides, fetch: recordingFetch([]) };
      // Act
      const { client } = createOpenAIClient(options);
      // Assess
      expect(client.baseURL).to.equal(options.baseURL);
      expect(client.timeout).to.equal(options.timeoutMs);
      expect(client.maxRetries).to.equal(options.maxRetries);
    });
  }

  it('sends requests through the injected fetch with the key from the SecretSource', async () => {
    // Prepare
    const seen: SeenRequest[] = [];
    const { client } = createOpenAIClient({ ...BASE_OPTIONS, fetch: recordingFetch(seen) });
    // Act
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    // Assess
    expect(models).to.deep.equal([]);
    expect(seen).to.have.length(1);
    expect(seen[0]?.url).to.equal('https://upstream.example.test/v1/models');
    expect(new Headers(seen[0]?.init?.headers).get('authorization')).to.equal('Bearer sk-test-key');
    expect(seen[0]?.init?.dispatcher).to.equal(undefined);
  });

  it('reads the key on every request, so a refreshed secret is used', async () => {
    // Prepare
    const seen: SeenRequest[] = [];
    let current = 'sk-first';
    const apiKey = { get: async () => current, refresh: async () => current };
    const { client } = createOpenAIClient({ ...BASE_OPTIONS, apiKey, fetch: recordingFetch(seen) });
    // Act
    for await (const _ of client.models.list()) void _;
    current = 'sk-second';
    for await (const _ of client.models.list()) void _;
    // Assess
    expect(seen.map((r) => new Headers(r.init?.headers).get('authorization'))).to.deep.equal(['Bearer sk-first', 'Bearer sk-second']);
  });
});

describe('createDispatcher', () => {
  it('is HTTP/1.1 only: undici would otherwise offer h2 over TLS and multiplex past the pool bound', async () => {
    // Prepare
    const agent = createDispatcher({ timeoutMs: 1_000, maxConnections: 2 });
    // Act: undici keeps the constructor options under its `options` symbol.
    const optionsSymbol = Object.getOwnPropertySymbols(agent).find((symbol) => symbol.description === 'options');
    const options = (agent as unknown as Record<symbol, { allowH2?: boolean; connections?: number }>)[optionsSymbol!];
    // Assess
    try {
      expect(options).to.include({ allowH2: false, connections: 2 });
    } finally {
      await agent.close();
    }
  });

  it('returns an undici Agent', async () => {
    // Act
    const agent = createDispatcher({ timeoutMs: 1_000, maxConnections: 2 });
    // Assess
    try {
      expect(agent).to.be.instanceOf(Agent);
    } finally {
      await agent.close();
    }
  });
});
