#!/usr/bin/env bash
# Instructions per Converse request (API key, c=1, 1 KB echo) of the bundled local server, counted
# by valgrind's callgrind: unlike wall-clock figures they hold on a busy machine, so two commits can
# be compared exactly. Counts two runs (N1 and N2 requests) and reports (I2 - I1) / (N2 - N1).
#
#   bench/tools/instructions.sh [<git ref>] [N1=300] [N2=1300]   (about 3 minutes per run; needs valgrind)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
REF="${1:-HEAD}"; N1="${2:-300}"; N2="${3:-1300}"
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; git -C "$ROOT" worktree remove --force "$WORK/tree" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
export PATH="$ROOT/node_modules/.bin:$PATH"
git -C "$ROOT" worktree add -q --detach "$WORK/tree" "$REF"
ln -s "$ROOT/node_modules" "$WORK/tree/node_modules"
(cd "$WORK/tree" && node scripts/build.ts --local >/dev/null)

cat > "$WORK/load.mjs" <<'JS'
import http from 'node:http';
const [url, n] = [new URL(process.argv[2]), Number(process.argv[3])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const body = Buffer.from(JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'x'.repeat(1024) }] }], inferenceConfig: { maxTokens: 1024, temperature: 0 } }));
const headers = { 'content-type': 'application/json', authorization: 'Bearer bench-caller-key', 'content-length': body.length };
for (let i = 0; i < n; i++) {
  await new Promise((resolve, reject) => {
    const req = http.request({ agent, host: url.hostname, port: url.port, method: 'POST', path: '/model/bench-model/converse', headers }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
      res.resume().on('end', resolve);
    });
    req.on('error', reject).end(body);
  });
}
agent.destroy();
JS

count() {
  local n="$1"
  node --input-type=module -e "const m = await import('$ROOT/app/dev/fakeUpstream.ts'); await m.startFakeUpstream({ port: 4999 });" &
  local upstream=$!
  sleep 1.5
  PORT=4998 OPENAI_BASE_URL=http://127.0.0.1:4999/v1 OPENAI_API_KEY=sk PROXY_API_KEYS=bench-caller-key MODEL_MAP='{"bench-model":"gpt-4o-mini"}' \
    LOG_LEVEL=INFO MALLOC_ARENA_MAX=1 valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.$n" \
    node --max-old-space-size=512 --max-semi-space-size=16 --no-maglev "$WORK/tree/dist-local/server.mjs" >/dev/null 2>&1 &
  local gateway=$!
  for _ in $(seq 1 240); do sleep 1; curl -sf http://127.0.0.1:4998/health >/dev/null && break; done
  node "$WORK/load.mjs" http://127.0.0.1:4998 "$n"
  kill -TERM "$gateway"; wait "$gateway" 2>/dev/null || true
  kill "$upstream"; wait "$upstream" 2>/dev/null || true
  grep -h '^summary:' "$WORK"/cg."$n"* | awk '{ sum += $2 } END { print sum }'
}

first=$(count "$N1"); second=$(count "$N2")
echo "$REF: $(( (second - first) / (N2 - N1) )) instructions per request (requests $N1 to $N2), $first over the first $N1"
