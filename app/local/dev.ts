/**
 * `npm run dev`: the local server in front of the built-in loopback echo upstream, so a
 * newcomer with no OpenAI key and no network can try every route at once.
 */
import { loadConfig, processEnvironment } from '../config/config.ts';
import { startFakeUpstream } from '../dev/fakeUpstream.ts';
import { createLogger } from '../observability/logger.ts';
import { runLocalGateway, stopOnSignals } from './main.ts';

const upstream = await startFakeUpstream();
const config = loadConfig(
  processEnvironment(
    {
      MODEL_MAP: JSON.stringify({
        'anthropic.claude-3-5-sonnet-20240620-v1:0': 'gpt-4o',
        'us.anthropic.claude-sonnet-4-20250514-v1:0': 'gpt-4o',
        'amazon.titan-embed-text-v2:0': 'text-embedding-3-small',
        'cohere.embed-english-v3': 'text-embedding-3-small',
      }),
    },
    { OPENAI_BASE_URL: upstream.baseURL },
  ),
);
const running = await runLocalGateway(config);
createLogger(config.logLevel, config.serviceName).info(
  `Bedrock gateway (dev) on ${running.server.url}, echo upstream on ${upstream.baseURL}. ` +
    `Try: curl -s ${running.server.url}/model/gpt-4o-mini/converse -H 'content-type: application/json' ` +
    `-d '{"messages":[{"role":"user","content":[{"text":"hello"}]}]}'`,
);
stopOnSignals({
  async close() {
    await running.close();
    await upstream.close();
  },
});
