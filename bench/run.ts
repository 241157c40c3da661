/**
 * `npm run bench`: the gateway's performance against its budgets, on loopback.
 *
 * The fake upstream, the gateway and the two floors (bench/lib/floorChild.ts) each run in
 * their own child process; the load client runs here. Every figure is measured against a
 * direct call to the same fake upstream in the same run, and the floors' figures sit under
 * the gateway's. Prints a table, writes bench/results/latest.json, and exits 0 even when a
 * budget fails (it is a report) unless --check is given.
 *
 *   node bench/run.ts [--quick] [--check] [--profile] [--build]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CALLER_KEY, MODEL_MAP, UPSTREAM_KEY } from './lib/bodies.ts';
import { measureAuthCost, startBenchIssuer, type AuthCostResult, type BenchIssuer } from './lib/authCost.ts';
import { buildNotes, buildRows, type Measured, type ThroughputSummary } from './lib/budgets.ts';
import { createClient, type BenchClient } from './lib/client.ts';
import { measureColdStart, type ColdStartResult } from './lib/coldStart.ts';
import { FULL_PLAN, QUICK_PLAN, type BenchContext, type Plan } from './lib/context.ts';
import type { FloorInfo } from './lib/floorChild.ts';
import { FLOOR_KINDS, floorThroughput, onFloor, type Floor, type FloorKind, type FloorThroughput } from './lib/floors.ts';
import type { GatewayInfo, GatewayUsage } from './lib/gatewayChild.ts';
import { measureLatency, type LatencyResult } from './lib/latency.ts';
import { buildBenchChildren, startScriptLaunch, type StartScriptLaunch } from './lib/localServerBuild.ts';
import { startChild, type ChildHandle } from './lib/processes.ts';
import { renderProfile, summarizeProfile } from './lib/profile.ts';
import { round } from './lib/stats.ts';
import { measureStream, type StreamResult } from './lib/stream.ts';
import { renderTable } from './lib/table.ts';
import { directThroughput, gatewayThroughput, type DirectThroughput, type GatewayThroughput } from './lib/throughput.ts';
import type { UpstreamInfo, UpstreamStats } from './lib/upstreamChild.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LIB = path.join(ROOT, 'bench/lib');
const RESULTS_FILE = path.join(ROOT, 'bench/results/latest.json');
const POOL_SIZE = 64;
/** Whatever happens, the run ends: the children exit when this process does (IPC disconnect). */
const WATCHDOG_MS = 10 * 60_000;
/** One JSON log line per request, as the gateway writes by default (the line goes to /dev/null). */
const GATEWAY_LOG_LEVEL = 'INFO';

interface Options {
  readonly quick: boolean;
  readonly check: boolean;
  readonly profile: boolean;
  readonly build: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const known = /^--(quick|check|profile|build)$/;
  const unknown = argv.filter((arg) => !known.test(arg));
  if (unknown.length) {
    console.error(`Unknown argument(s): ${unknown.join(' ')}\nUsage: node bench/run.ts [--quick] [--check] [--profile] [--build]`);
    process.exit(2);
  }
  return {
    quick: argv.includes('--quick'),
    check: argv.includes('--check'),
    profile: argv.includes('--profile'),
    build: argv.includes('--build'),
  };
}

function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((load) => round(load, 2)),
    /** When the run started. */
    date: new Date().toISOString(),
  };
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** Runs one scenario; a failure is recorded and the rest of the benchmark goes on. */
async function attempt<T>(name: string, failures: Record<string, string>, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    failures[name] = (error as Error).message;
    log(`${name} FAILED: ${(error as Error).message.split('\n').slice(0, 6).join('\n  ')}`);
    return undefined;
  }
}

function gatewayEnv(upstream: UpstreamInfo): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: '0',
    HOST: '127.0.0.1',
    OPENAI_BASE_URL: upstream.baseURL,
    OPENAI_API_KEY: UPSTREAM_KEY,
    PROXY_API_KEYS: CALLER_KEY,
    MODEL_MAP,
    OPENAI_MAX_CONNECTIONS: String(POOL_SIZE),
    LOG_LEVEL: GATEWAY_LOG_LEVEL,
  };
}

async function measureThroughputs(ctx: BenchContext, plan: Plan, profileFile: string | undefined, floors: readonly Floor[], failures: Record<string, string>): Promise<ThroughputSummary> {
  const gateway: GatewayThroughput[] = [];
  const direct: DirectThroughput[] = [];
  const floorRuns: FloorThroughput[] = [];
  for (const concurrency of plan.throughput.concurrencies) {
    direct.push(await directThroughput(ctx, concurrency, plan.throughput.requests));
    // Only the highest concurrency is profiled, so the other phase's figures stay unperturbed.
    const profiled = profileFile !== undefined && concurrency === plan.throughput.concurrencies.at(-1);
    if (profiled) await ctx.gateway.call('profileStart');
    // One uninterrupted run (the memory reading comes at its end).
    gateway.push(await gatewayThroughput(ctx, concurrency, plan.throughput.requests, plan.throughput.requests));
    if (profiled) await ctx.gateway.call('profileStop', { file: profileFile }, 60_000);
    // The floors right after, under the same load, so they compare in the same VM phase.
    for (const floor of floors.filter((f) => f.warmed)) {
      const measured = await attempt(`floor (${floor.kind}) c=${concurrency}`, failures, () => floorThroughput(floor, concurrency, plan.throughput.requests));
      if (measured) floorRuns.push(measured);
    }
  }
  // A separate run for memory growth, so its forced GCs (every tenth of the run: every
  // 1,000 requests in the full run) do not perturb the throughput figures above.
  const concurrency = plan.throughput.concurrencies[0] ?? 32;
  ctx.log(`memory: gateway c=${concurrency}, ${plan.throughput.requests} requests, forced GC + reading every ${plan.throughput.requests / 10}`);
  const memory = await gatewayThroughput(ctx, concurrency, plan.throughput.requests, plan.throughput.requests / 10);
  const usage = await ctx.gateway.call<GatewayUsage>('usage', { gc: false });
  const upstreamStats = await ctx.upstream.call<UpstreamStats>('stats');
  return {
    gateway,
    direct,
    floors: floorRuns,
    memory,
    peakRssSampled: usage.sampledPeakRss,
    peakRssKernel: usage.maxRss,
    // Everyone else's connections to the shared upstream are taken out: the direct client's and the floors'.
    gatewayConnectionsTotal: upstreamStats.connections - ctx.directClient.connectionsOpened() - floors.reduce((sum, floor) => sum + floor.connections, 0),
    gatewayRequestsTotal: ctx.gatewayClient.requestsSent(),
    poolSize: ctx.gateway.info.maxConnections,
  };
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const plan = options.quick ? QUICK_PLAN : FULL_PLAN;
  const info = machine();
  const startedAt = performance.now();
  const failures: Record<string, string> = {};
  const profileFile = options.profile ? path.join(os.tmpdir(), `bench-gateway-${process.pid}.cpuprofile`) : undefined;
  log(`${options.quick ? 'quick' : 'full'} run, gateway LOG_LEVEL=${GATEWAY_LOG_LEVEL}${profileFile ? `, CPU profile of the throughput phase -> ${profileFile}` : ''}`);

  let latency: LatencyResult | undefined;
  let auth: AuthCostResult | undefined;
  let issuer: BenchIssuer | undefined;
  const floorLatency: Partial<Record<FloorKind, LatencyResult>> = {};
  let stream: StreamResult | undefined;
  let throughput: ThroughputSummary | undefined;
  let upstream: ChildHandle<UpstreamInfo> | undefined;
  let gateway: ChildHandle<GatewayInfo> | undefined;
  const floorChildren: Array<{ readonly kind: FloorKind; readonly child: ChildHandle<FloorInfo> }> = [];
  const clients: BenchClient[] = [];
  let launch: StartScriptLaunch | undefined;
  try {
    upstream = await startChild<UpstreamInfo>({ name: 'fake upstream', script: path.join(LIB, 'upstreamChild.ts'), env: { PATH: process.env.PATH ?? '' } });
    const upstreamInfo = upstream.info;
    // The gateway runs as `npm start` runs it: bundled, with the start script's variables and V8 flags.
    const started = startScriptLaunch(ROOT);
    launch = started;
    const launchEnv = Object.entries(started.env).map(([name, value]) => `${name}=${value} `).join('');
    log(`gateway: bundled like npm start, ${launchEnv}node ${started.nodeFlags.join(' ')}`);
    const scripts = await buildBenchChildren(ROOT, { profiled: options.profile });
    // The gateway and the floors are launched alike: the start script's variables and V8 flags.
    const launchChild = <Info>(name: string, script: string, env: NodeJS.ProcessEnv = {}) =>
      startChild<Info>({ name, script, env: { ...started.env, ...gatewayEnv(upstreamInfo), ...env }, execArgv: ['--expose-gc', ...started.nodeFlags] });
    // The gateway also trusts a loopback JWT issuer and a SigV4 key pair, for the auth-cost scenario.
    const authIssuer = await startBenchIssuer();
    issuer = authIssuer;
    gateway = await attempt('gateway', failures, () => launchChild<GatewayInfo>('gateway', scripts.gateway, authIssuer.env));
    for (const kind of gateway ? FLOOR_KINDS : []) {
      const child = await attempt(`floor (${kind})`, failures, () => launchChild<FloorInfo>(`floor (${kind})`, scripts.floor, { FLOOR_UPSTREAM: kind }));
      if (child) floorChildren.push({ kind, child });
    }
    if (gateway) {
      const connections = Math.max(...plan.throughput.concurrencies);
      const gatewayClient = createClient({ origin: gateway.info.url, connections });
      const directClient = createClient({ origin: upstream.info.url, connections });
      clients.push(gatewayClient, directClient);
      const ctx: BenchContext = { plan, gatewayClient, directClient, gateway, upstream, log };
      // A server that has been up for a while: V8 optimizes the hot path over the first
      // ten thousand requests or so, and every figure below is meant for that steady state.
      const warmupConcurrency = plan.throughput.concurrencies[0] ?? 32;
      log(`warm-up: ${plan.warmupRequests} Converse requests at c=${warmupConcurrency}, not measured`);
      await attempt('warmup', failures, () => gatewayThroughput(ctx, warmupConcurrency, plan.warmupRequests, plan.warmupRequests));
      // The floors get the same warm-up; one whose warm-up fails is left out of the run (its connections still count).
      const floors: Floor[] = [];
      for (const { kind, child } of floorChildren) {
        const floorClient = createClient({ origin: child.info.url, connections });
        clients.push(floorClient);
        const floor: Floor = { kind, ctx: { ...ctx, gateway: child, gatewayClient: floorClient }, connections: 0, warmed: false };
        floors.push(floor);
        floor.warmed = (await attempt(`floor (${kind}) warm-up`, failures, () => floorThroughput(floor, warmupConcurrency, plan.warmupRequests))) !== undefined;
      }
      latency = await attempt('latency', failures, () => measureLatency(ctx));
      for (const floor of floors.filter((f) => f.warmed)) {
        const measured = await attempt(`floor (${floor.kind}) latency`, failures, () => onFloor(floor, () => measureLatency({ ...floor.ctx, log: (line) => log(`floor (${floor.kind}) ${line}`) })));
        if (measured) floorLatency[floor.kind] = measured;
      }
      const gatewayUrl = gateway.info.url;
      auth = await attempt('auth', failures, () => measureAuthCost(ctx, authIssuer, gatewayUrl));
      stream = await attempt('stream', failures, () => measureStream(ctx));
      throughput = await attempt('throughput', failures, () => measureThroughputs(ctx, plan, profileFile, floors, failures));
    } else {
      for (const name of ['latency', 'stream', 'throughput']) failures[name] = `the gateway did not start: ${failures.gateway}`;
    }
  } finally {
    for (const client of clients) await client.close();
    for (const { child } of floorChildren) await child.stop();
    await gateway?.stop();
    await upstream?.stop();
    await issuer?.close();
  }

  const coldStart: ColdStartResult | undefined = await attempt('coldStart', failures, () => measureColdStart(ROOT, plan.coldStartRuns, options.build, log));

  const measured: Measured = { latency, floorLatency, auth, stream, throughput, coldStart, failures };
  const rows = buildRows(measured);
  const elapsedS = (performance.now() - startedAt) / 1000;
  const failed = rows.filter((row) => row.pass === false);

  console.log(`\nMachine: ${info.cpuModel}, ${info.cores} cores, ${(info.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, ${info.platform}, Node ${info.node}, ${info.date}`);
  console.log(`Run: ${options.quick ? 'quick' : 'full'}, gateway LOG_LEVEL=${GATEWAY_LOG_LEVEL}, pool ${POOL_SIZE}${launch ? `, npm start launch: ${[...Object.entries(launch.env).map(([name, value]) => `${name}=${value}`), ...launch.nodeFlags].join(' ')}` : ''}${options.profile ? ', PROFILED (slower)' : ''}, ${elapsedS.toFixed(0)} s\n`);
  console.log(renderTable(rows));
  const notes = buildNotes(measured);
  if (notes.length) console.log(`\nNotes:\n${notes.map((note) => `- ${note}`).join('\n')}`);
  console.log(`\n${failed.length ? `${failed.length} budget(s) failed: ${failed.map((row) => row.figure.trim()).join('; ')}` : 'All budgets pass.'}`);

  if (profileFile) {
    try {
      console.log(`\n${renderProfile(summarizeProfile(profileFile))}\n\n(profile: ${profileFile}; open it in Chrome DevTools > Performance)`);
    } catch (error) {
      console.log(`\nNo profile summary: ${(error as Error).message}`);
    }
  }

  const report = {
    machine: info,
    settings: { quick: options.quick, gatewayLogLevel: GATEWAY_LOG_LEVEL, poolSize: POOL_SIZE, gatewayLaunch: launch, profiled: options.profile, plan },
    elapsedSeconds: elapsedS,
    rows,
    failedBudgets: failed.map((row) => row.figure.trim()),
    notes,
    results: measured,
    ...(profileFile ? { profile: profileFile } : {}),
  };
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, (_key, value) => (typeof value === 'number' && !Number.isInteger(value) ? round(value, 4) : value), 2)}\n`);
  log(`wrote ${path.relative(process.cwd(), RESULTS_FILE)}`);
  return options.check && failed.length ? 1 : 0;
}

setTimeout(() => {
  log(`watchdog: the run exceeded ${WATCHDOG_MS / 60_000} minutes; giving up`);
  process.exit(3);
}, WATCHDOG_MS).unref();

process.exitCode = await main();
