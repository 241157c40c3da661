// Floor measurement: a bare Node http server forwarding each request with undici Agent.request.
import http from 'node:http';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent } from 'undici';

if (process.argv[2] === 'upstream') {
  const { startFakeUpstream } = await import('../app/dev/fakeUpstream.ts');
  const up = await startFakeUpstream({ port: 4301 });
  process.send!('ready');
} else if (process.argv[2] === 'client') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(1024) }] });
  const one = () => new Promise<void>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: Number(process.argv[3]), path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject); req.end(body);
  });
  let left = 10000; const t0 = performance.now();
  await Promise.all(Array.from({ length: 32 }, async () => { while (left-- > 0) await one(); }));
  process.send!((10000 / ((performance.now() - t0) / 1000)).toFixed(0));
} else {
  const up = fork(new URL(import.meta.url).pathname, ['upstream']); await once(up, 'message');
  const agent = new Agent({ connections: 64 });
  const server = http.createServer(async (req, res) => {
    const parts: Buffer[] = []; for await (const p of req) parts.push(p as Buffer);
    const r = await agent.request({ origin: 'http://127.0.0.1:4301', path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(parts) });
    const text = await r.body.text();
    const out = JSON.stringify(JSON.parse(text));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) }); res.end(out);
  });
  server.listen(4302); await once(server, 'listening');
  for (const label of ['warm', 'measured']) {
    const c0 = process.cpuUsage();
    const client = fork(new URL(import.meta.url).pathname, ['client', '4302']);
    const [rps] = await once(client, 'message');
    const c = process.cpuUsage(c0);
    console.log(label, 'bare proxy', rps, 'req/s', ((c.user + c.system) / 10000).toFixed(0), 'us cpu/req');
  }
  up.kill(); process.exit(0);
}
