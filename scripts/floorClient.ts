import http from 'node:http';
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'x'.repeat(1024) }] }] });
const one = () => new Promise<void>((resolve, reject) => {
  const req = http.request({ host: '127.0.0.1', port: Number(process.argv[2]), path: '/model/gpt-4o-mini/converse', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => { res.resume(); res.on('end', resolve); });
  req.on('error', reject); req.end(body);
});
let left = 10000; const t0 = performance.now();
await Promise.all(Array.from({ length: 32 }, async () => { while (left-- > 0) await one(); }));
process.send!((10000 / ((performance.now() - t0) / 1000)).toFixed(0));
