/**
 * `npm run dev`: the local server (TypeScript sources) in front of the built-in loopback fake
 * upstream, so a newcomer with no OpenAI key and no network can try every route at once. Caller
 * auth is on, as in production, with the key `dev-key` unless PROXY_API_KEYS says otherwise.
 */
import { loadConfig, processEnvironment } from '../config/config.ts';
import { startFakeUpstream } from '../dev/fakeUpstream.ts';
import { createLogger } from '../observability/logger.ts';
import { runLocalGateway, stopOnSignals } from './main.ts';

/** What `npm run dev` presets; each can be overridden from the environment (README "Trying it"). */
const DEV_DEFAULTS = {
  PROXY_API_KEYS: 'dev-key',
  MODEL_MAP: JSON.stringify({
    'anthropic.claude-3-5-sonnet-20240620-v1:0': 'gpt-4o',
    'us.anthropic.claude-sonnet-4-20250514-v1:0': 'gpt-4o',
    'amazon.titan-embed-text-v2:0': 'text-embedding-3-small',
    'cohere.embed-english-v3': 'text-embedding-3-small',
  }),
};

const upstream = await startFakeUpstream();
// The fake upstream takes any key; one is set so the server does not warn about a missing one.
const config = loadConfig(processEnvironment(DEV_DEFAULTS, { OPENAI_BASE_URL: upstream.baseURL, OPENAI_API_KEY: 'sk-fake' }));
const running = await runLocalGateway(config);
const key = config.proxyApiKeys[0]?.key;
createLogger(config.logLevel, config.serviceName).info(
  `Bedrock gateway (dev) on ${running.server.url}, fake upstream on ${upstream.baseURL}. ` +
    `Try: curl -s ${running.server.url}/model/gpt-4o-mini/converse${key ? ` -H 'authorization: Bearer ${key}'` : ''} -H 'content-type: application/json' ` +
    `-d '{"messages":[{"role":"user","content":[{"text":"hello"}]}]}'`,
);
stopOnSignals({
  async close() {
    await running.close();
    await upstream.close();
  },
});
