/**
 * The budgets, and the table rows built from the measured figures.
 * MB here is 10^6 bytes (the stricter reading of the budgets).
 */
import type { ColdStartResult } from './coldStart.ts';
import { FLOOR_KINDS, FLOOR_LABELS, type FloorKind, type FloorThroughput } from './floors.ts';
import type { AuthCostResult } from './authCost.ts';
import type { LatencyResult } from './latency.ts';
import type { StreamResult } from './stream.ts';
import type { Row } from './table.ts';
import { slope } from './stats.ts';
import type { DirectThroughput, GatewayThroughput, MemoryCheckpoint } from './throughput.ts';

export const BUDGETS = {
  addedP50Ms: 0.5,
  addedP99Ms: 2,
  requestsPerSecond: 3000,
  cpuMicrosPerRequest: 350,
  peakRssBytes: 150e6,
  streamFirstEventAddedP50Ms: 1,
  importMedianMs: 80,
  handlerBytes: 1.5e6,
} as const;

/**
 * "No growth" between the 5,000th and the 10,000th request: memory read after a forced
 * full GC every 1,000 requests, growth = least-squares slope x 5,000 requests (one pair of
 * points is too noisy: JIT code and bytecode flushing move the heap by a few MB either way).
 * The live JS heap is the leak signal: 2 MB over 5,000 requests is a 400-byte-per-request
 * leak. RSS also moves with V8's page pool and malloc, so it may drift up to 2%.
 */
const RSS_GROWTH_TOLERANCE_FRACTION = 0.02;
export const HEAP_GROWTH_TOLERANCE_BYTES = 2e6;

export interface Growth {
  readonly fromRequests: number;
  readonly toRequests: number;
  readonly points: number;
  /** Fitted growth over the window, bytes. */
  readonly heapBytes: number;
  readonly rssBytes: number;
  readonly rssAtStart: number;
  readonly rssAtEnd: number;
  readonly pass: boolean;
}

/** Growth over the second half of a phase's checkpoints (5,000 -> 10,000 in the full run). */
export function memoryGrowth(checkpoints: readonly MemoryCheckpoint[]): Growth | undefined {
  const last = checkpoints.at(-1);
  if (!last) return undefined;
  const window = checkpoints.filter((c) => c.afterRequests >= last.afterRequests / 2);
  const first = window[0];
  if (!first || window.length < 2) return undefined;
  const span = last.afterRequests - first.afterRequests;
  const xs = window.map((c) => c.afterRequests);
  const heapBytes = slope(xs, window.map((c) => c.heapUsed)) * span;
  const rssBytes = slope(xs, window.map((c) => c.rss)) * span;
  return {
    fromRequests: first.afterRequests,
    toRequests: last.afterRequests,
    points: window.length,
    heapBytes,
    rssBytes,
    rssAtStart: first.rss,
    rssAtEnd: last.rss,
    pass: heapBytes <= HEAP_GROWTH_TOLERANCE_BYTES && rssBytes <= RSS_GROWTH_TOLERANCE_FRACTION * first.rss,
  };
}

export interface ThroughputSummary {
  readonly gateway: readonly GatewayThroughput[];
  readonly direct: readonly DirectThroughput[];
  /** The same load on each floor child (floorChild.ts), right after each gateway run. */
  readonly floors: readonly FloorThroughput[];
  /** The memory-growth run (same load, with a forced GC and a reading every tenth of it). */
  readonly memory: GatewayThroughput;
  /** Highest 100 ms RSS sample of the gateway over the whole run. */
  readonly peakRssSampled: number;
  /** The kernel's high-water mark for the gateway process. */
  readonly peakRssKernel: number;
  /** Every connection the gateway opened to the upstream since it started. */
  readonly gatewayConnectionsTotal: number;
  readonly gatewayRequestsTotal: number;
  readonly poolSize: number;
}

export interface Measured {
  readonly latency?: LatencyResult;
  /** The same latency scenario on each floor child. */
  readonly floorLatency?: Partial<Record<FloorKind, LatencyResult>>;
  /** The same Converse at c=1 with an API key, a JWT and a SigV4 signature. */
  readonly auth?: AuthCostResult;
  readonly stream?: StreamResult;
  readonly throughput?: ThroughputSummary;
  readonly coldStart?: ColdStartResult;
  /** Scenario name -> error message, for the scenarios that could not run. */
  readonly failures: Readonly<Record<string, string>>;
}

const ms = (value: number, digits = 3) => `${value.toFixed(digits)} ms`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const int = (value: number) => Math.round(value).toLocaleString('en-US');
const triple = (a: number, b: number, c: number, digits = 3) => `${a.toFixed(digits)} / ${b.toFixed(digits)} / ${c.toFixed(digits)} ms`;
const atMost = (value: number, limit: number) => Number.isFinite(value) && value <= limit;
const atLeast = (value: number, limit: number) => Number.isFinite(value) && value >= limit;

/** Rows for a scenario that could not run: its budgets fail (nothing shows they hold); the error goes in the notes. */
function failedRows(figures: Array<[string, string]>, error: string | undefined): Row[] {
  const value = error ? 'error (see notes)' : 'not run';
  return figures.map(([figure, budget]) => ({ figure, value, budget, pass: budget ? false : null }));
}

/** Lines printed under the table: why a scenario failed, and other caveats. */
export function buildNotes(measured: Measured): string[] {
  const notes = Object.entries(measured.failures).map(([scenario, error]) => `${scenario} failed: ${error.split('\n').slice(0, 4).join(' ').slice(0, 400)}`);
  if (measured.coldStart?.importError) notes.push(`cold start: ${measured.coldStart.importError.slice(0, 400)}`);
  if (measured.coldStart?.plainImportError) {
    notes.push(`dist/handler.mjs does not import outside Lambda (${measured.coldStart.plainImportError.replace(/^importing dist\/handler.mjs failed \(exit \d+\): /, '').slice(0, 200)}); the cold-start figures were taken with a stand-in for the awslambda global that the Lambda runtime provides.`);
  }
  for (const [name, errors, first] of [
    ['latency', measured.latency?.errors, measured.latency?.firstError],
    ...Object.entries(measured.floorLatency ?? {}).map(([kind, l]) => [`floor (${kind}) latency`, l.errors, l.firstError] as const),
    ['auth cost', measured.auth?.errors, measured.auth?.firstError],
    ['stream', measured.stream?.errors, measured.stream?.firstError],
    ...(measured.throughput?.gateway ?? []).map((g) => [`throughput c=${g.concurrency}`, g.errors, g.firstError] as const),
    ...(measured.throughput?.floors ?? []).map((f) => [`floor (${f.kind}) c=${f.concurrency}`, f.errors, f.firstError] as const),
    ['memory run', measured.throughput?.memory.errors, measured.throughput?.memory.firstError],
  ] as const) {
    if (errors) notes.push(`${name}: ${errors} failed request(s), first: ${String(first).slice(0, 300)}`);
  }
  return notes;
}

/** `+12 us`, `-3 us`; `+0.35 MB` with the MB unit. */
const signedValue = (value: number, digits: number, unit: string) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)} ${unit}`;

/** The floors next to a gateway run: what the stack costs without the gateway's own work, and what the gateway adds. */
function floorRows(gateway: GatewayThroughput, floors: readonly FloorThroughput[]): Row[] {
  return floors
    .filter((floor) => floor.concurrency === gateway.concurrency)
    .flatMap((floor) => [
      { figure: `  floor c=${floor.concurrency}, ${FLOOR_LABELS[floor.kind]}: req/s`, value: int(floor.requestsPerSecond), budget: '', pass: null },
      {
        figure: `  floor c=${floor.concurrency}, ${FLOOR_LABELS[floor.kind]}: CPU per request; the gateway adds`,
        value: `${floor.cpuMicrosPerRequest.toFixed(0)} us; ${signedValue(gateway.cpuMicrosPerRequest - floor.cpuMicrosPerRequest, 0, 'us')}`,
        budget: '',
        pass: null,
      },
    ]);
}

export function buildRows(measured: Measured): Row[] {
  const rows: Row[] = [];
  const { latency, stream, throughput, coldStart, failures } = measured;

  if (latency) {
    rows.push(
      { figure: 'Converse c=1 direct p50/p90/p99', value: triple(latency.direct.p50, latency.direct.p90, latency.direct.p99), budget: '', pass: null },
      { figure: 'Converse c=1 gateway p50/p90/p99', value: triple(latency.gateway.p50, latency.gateway.p90, latency.gateway.p99), budget: '', pass: null },
      { figure: 'Converse added latency p50', value: ms(latency.added.p50), budget: `<= ${BUDGETS.addedP50Ms} ms`, pass: atMost(latency.added.p50, BUDGETS.addedP50Ms) },
      { figure: 'Converse added latency p90', value: ms(latency.added.p90), budget: '', pass: null },
      { figure: 'Converse added latency p99', value: ms(latency.added.p99), budget: `<= ${BUDGETS.addedP99Ms} ms`, pass: atMost(latency.added.p99, BUDGETS.addedP99Ms) },
      ...FLOOR_KINDS.flatMap((kind) => {
        const floor = measured.floorLatency?.[kind];
        return floor ? [{ figure: `  floor, ${FLOOR_LABELS[kind]}: added p50/p90/p99`, value: triple(floor.added.p50, floor.added.p90, floor.added.p99), budget: '', pass: null }] : [];
      }),
    );
    if (latency.errors) rows.push({ figure: '  latency errors', value: String(latency.errors), budget: '0', pass: false });
  } else {
    rows.push(...failedRows([['Converse added latency p50', `<= ${BUDGETS.addedP50Ms} ms`], ['Converse added latency p99', `<= ${BUDGETS.addedP99Ms} ms`]], failures.latency));
  }

  if (measured.auth) {
    const { gateway, addedOverApiKey } = measured.auth;
    rows.push(
      { figure: 'Converse c=1 gateway p50 by credential: API key / JWT / SigV4', value: triple(gateway['api-key'].p50, gateway.jwt.p50, gateway.sigv4.p50), budget: '', pass: null },
      { figure: '  a JWT (key set cached) adds over an API key, p50 (round median)', value: signedValue(addedOverApiKey.jwt.p50RoundMedian, 3, 'ms'), budget: '', pass: null },
      { figure: '  a SigV4 signature (1 KB body) adds over an API key, p50 (round median)', value: signedValue(addedOverApiKey.sigv4.p50RoundMedian, 3, 'ms'), budget: '', pass: null },
    );
  }

  if (throughput) {
    for (const g of throughput.gateway) {
      const d = throughput.direct.find((x) => x.concurrency === g.concurrency);
      rows.push(
        { figure: `Converse c=${g.concurrency} gateway req/s${g.timedOut ? ' (deadline hit)' : ''}`, value: int(g.requestsPerSecond), budget: `>= ${int(BUDGETS.requestsPerSecond)}`, pass: atLeast(g.requestsPerSecond, BUDGETS.requestsPerSecond) && g.errors === 0 },
        ...(d ? [{ figure: `Converse c=${d.concurrency} direct req/s`, value: int(d.requestsPerSecond), budget: '', pass: null }] : []),
        { figure: `Gateway CPU per request (c=${g.concurrency})`, value: `${g.cpuMicrosPerRequest.toFixed(0)} us`, budget: `<= ${BUDGETS.cpuMicrosPerRequest} us`, pass: atMost(g.cpuMicrosPerRequest, BUDGETS.cpuMicrosPerRequest) },
        ...floorRows(g, throughput.floors),
      );
      if (g.errors) rows.push({ figure: `  c=${g.concurrency} errors`, value: String(g.errors), budget: '0', pass: false });
    }
    const peak = Math.max(throughput.peakRssSampled, throughput.peakRssKernel);
    rows.push({ figure: 'Gateway peak RSS (whole run)', value: mb(peak), budget: `<= ${mb(BUDGETS.peakRssBytes)}`, pass: atMost(peak, BUDGETS.peakRssBytes) });
    const growth = memoryGrowth(throughput.memory.checkpoints);
    if (throughput.memory.errors) rows.push({ figure: '  memory run errors', value: String(throughput.memory.errors), budget: '0', pass: false });
    if (growth) {
      const signed = (bytes: number) => signedValue(bytes / 1e6, 2, 'MB');
      rows.push({
        figure: `Growth ${int(growth.fromRequests)} -> ${int(growth.toRequests)} req (after GC, ${growth.points} points)`,
        value: `heap ${signed(growth.heapBytes)}, rss ${signed(growth.rssBytes)}`,
        budget: `heap <= +${mb(HEAP_GROWTH_TOLERANCE_BYTES)}, rss <= +${RSS_GROWTH_TOLERANCE_FRACTION * 100}%`,
        pass: growth.pass,
      });
      rows.push({ figure: `  RSS after GC at ${int(growth.fromRequests)} / ${int(growth.toRequests)} req`, value: `${mb(growth.rssAtStart)} / ${mb(growth.rssAtEnd)}`, budget: '', pass: null });
    }
    rows.push({
      figure: `Upstream connections over ${int(throughput.gatewayRequestsTotal)} gateway req`,
      value: String(throughput.gatewayConnectionsTotal),
      budget: `<= ${throughput.poolSize} (pool size)`,
      pass: throughput.gatewayConnectionsTotal <= throughput.poolSize,
    });
  } else {
    rows.push(...failedRows([['Converse gateway req/s', `>= ${int(BUDGETS.requestsPerSecond)}`], ['Gateway CPU per request', `<= ${BUDGETS.cpuMicrosPerRequest} us`], ['Gateway peak RSS', `<= ${mb(BUDGETS.peakRssBytes)}`], ['Upstream connections', '<= pool size']], failures.throughput));
  }

  if (stream) {
    const { paced, burst } = stream;
    const pair = (p: { p50: number; p99: number }) => `${p.p50.toFixed(3)} / ${p.p99.toFixed(3)} ms`;
    rows.push(
      { figure: 'ConverseStream first event, paced: direct p50/p99', value: pair(paced.direct), budget: '', pass: null },
      { figure: 'ConverseStream first event, paced: gateway p50/p99', value: pair(paced.gateway), budget: '', pass: null },
      { figure: 'ConverseStream added time to first event p50', value: ms(paced.added.p50), budget: `<= ${BUDGETS.streamFirstEventAddedP50Ms} ms`, pass: atMost(paced.added.p50, BUDGETS.streamFirstEventAddedP50Ms) },
      { figure: '  added, 1 KB answer in one burst p50', value: ms(burst.added.p50), budget: '', pass: null },
      { figure: `ConverseStream frames/s (${stream.longAnswer.answerBytes / 1024} KB answer)`, value: int(stream.longAnswer.gatewayFramesPerSecond), budget: '', pass: null },
      { figure: '  direct SSE events/s (same answer)', value: int(stream.longAnswer.directEventsPerSecond), budget: '', pass: null },
    );
    if (stream.errors) rows.push({ figure: '  stream errors', value: String(stream.errors), budget: '0', pass: false });
  } else {
    rows.push(...failedRows([['ConverseStream added time to first event p50', `<= ${BUDGETS.streamFirstEventAddedP50Ms} ms`]], failures.stream));
  }

  if (coldStart) {
    rows.push(
      {
        figure: `Cold import of dist/handler.mjs, compile cache as in the image (median of ${coldStart.cachedImportMs.length})${coldStart.awslambdaStub ? ' [awslambda stub]' : ''}`,
        value: coldStart.importError ? 'error (see notes)' : ms(coldStart.cachedImportMedianMs, 1),
        budget: `<= ${BUDGETS.importMedianMs} ms`,
        pass: atMost(coldStart.cachedImportMedianMs, BUDGETS.importMedianMs),
      },
      { figure: `  without the compile cache (median of ${coldStart.importMs.length})`, value: ms(coldStart.importMedianMs, 1), budget: '', pass: null },
      { figure: '  whole fresh process (spawn to exit)', value: ms(coldStart.processMedianMs, 1), budget: '', pass: null },
      ...(coldStart.plainImportError
        ? [{ figure: '  plain import (no awslambda global)', value: 'fails (see notes)', budget: '', pass: null }]
        : []),
      { figure: 'Bundle dist/handler.mjs', value: mb(coldStart.sizes.handlerBytes), budget: `<= ${mb(BUDGETS.handlerBytes)}`, pass: atMost(coldStart.sizes.handlerBytes, BUDGETS.handlerBytes) },
      { figure: `  loaded at cold start (${coldStart.sizes.eagerFiles} files)`, value: mb(coldStart.sizes.eagerBytes), budget: '', pass: null },
      { figure: '  all of dist/', value: mb(coldStart.sizes.distBytes), budget: '', pass: null },
    );
  } else {
    rows.push(...failedRows([['Cold import of dist/handler.mjs', `<= ${BUDGETS.importMedianMs} ms`], ['Bundle dist/handler.mjs', `<= ${mb(BUDGETS.handlerBytes)}`]], failures.coldStart));
  }
  return rows;
}
