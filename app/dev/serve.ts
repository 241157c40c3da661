/**
 * `npm run fake-upstream [-- --port 4010 --host 127.0.0.1]`: the loopback fake OpenAI-compatible
 * upstream alone, on a fixed port, so the bundled server (`npm start`) or any other client can use
 * it. It needs no key and answers with the directives documented in README "Trying it".
 */
import { parseArgs } from 'node:util';
import { stopOnSignals } from '../local/main.ts';
import { startFakeUpstream } from './fakeUpstream.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '4010' }, host: { type: 'string', default: '127.0.0.1' } } });
const upstream = await startFakeUpstream({ host: values.host, port: Number(values.port) });
console.log(`Fake OpenAI-compatible upstream on ${upstream.baseURL}`);
console.log(`Try: OPENAI_BASE_URL=${upstream.baseURL} OPENAI_API_KEY=sk-fake PROXY_API_KEYS=dev-key npm start`);
stopOnSignals(upstream);
