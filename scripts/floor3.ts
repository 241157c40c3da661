// RSS of a gateway process (source .ts or bundled .mjs) under the floor load.
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
const floor = new URL('./floor.ts', import.meta.url).pathname;
const up = fork(floor, ['upstream']); await once(up, 'message');
const [entry, ...flags] = process.argv.slice(2);
const gw = spawn(process.execPath, [...flags, entry!], { env: { ...process.env, PORT: '4304', OPENAI_BASE_URL: 'http://127.0.0.1:4301/v1', OPENAI_API_KEY: 'x', LOG_LEVEL: 'INFO' }, stdio: ['ignore', 'ignore', 'inherit'] });
await new Promise((r) => setTimeout(r, 1500));
const status = () => Object.fromEntries(readFileSync(`/proc/${gw.pid}/status`, 'utf8').split('\n').filter((l) => /VmRSS|VmHWM|RssAnon|RssFile/.test(l)).map((l) => l.split(/:\s+/)));
console.error('idle', JSON.stringify(status()));
for (const label of ['run1', 'run2']) {
  const client = fork(new URL('./floorClient.ts', import.meta.url).pathname, ['4304']);
  const [rps] = await once(client, 'message');
  console.error(label, rps, 'req/s', JSON.stringify(status()));
}
gw.kill(); up.kill(); process.exit(0);
