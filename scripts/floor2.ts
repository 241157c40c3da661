import http from 'node:http';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { buildGateway } from '../app/composition.ts';
import { loadConfig } from '../app/config/config.ts';
import { createLogger } from '../app/observability/logger.ts';
import { createTelemetry } from '../app/observability/telemetry.ts';
import { createRequestListener, startLocalServer } from '../app/local/server.ts';

const floor = new URL('./floor.ts', import.meta.url).pathname;
const up = fork(floor, ['upstream']); await once(up, 'message');
const variant = process.argv[2] ?? 'plain';
const level = process.argv[3] ?? 'SILENT';
const built = buildGateway({ config: loadConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:4301/v1', OPENAI_API_KEY: 'x', OPENAI_MAX_CONNECTIONS: '64' }), mode: 'local', telemetry: createTelemetry(createLogger(level), undefined) });
let port = 4303;
if (variant === 'plain') {
  const server = http.createServer(createRequestListener(built.gateway, 1e7)); server.listen(port); await once(server, 'listening');
} else {
  const s = await startLocalServer({ gateway: built.gateway, host: '127.0.0.1', port, maxBodyBytes: 1e7 });
}
// the client posts Chat Completions bodies; use a Converse body instead
process.env.BODY = 'converse';
for (const label of ['warm', 'measured']) {
  const c0 = process.cpuUsage();
  const client = fork(new URL('./floorClient.ts', import.meta.url).pathname, [String(port)]);
  const [rps] = await once(client, 'message');
  const c = process.cpuUsage(c0);
  console.error(variant, level, label, rps, 'req/s', ((c.user + c.system) / 10000).toFixed(0), 'us cpu/req', 'rss', (process.memoryUsage.rss() / 1e6).toFixed(0), 'maxrss', (process.resourceUsage().maxRSS / 1e3).toFixed(0), JSON.stringify(Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1e6)]))));
}
up.kill(); process.exit(0);
