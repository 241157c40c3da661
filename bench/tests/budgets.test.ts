import { expect } from 'chai';
import { buildNotes, buildRows, HEAP_GROWTH_TOLERANCE_BYTES, memoryGrowth } from '../lib/budgets.ts';
import type { FloorThroughput } from '../lib/floors.ts';
import { renderTable, verdict } from '../lib/table.ts';
import type { MemoryCheckpoint } from '../lib/throughput.ts';

const MB = 1e6;

/** Checkpoints every 1,000 requests up to 10,000, with heap and RSS growing linearly at the given rates. */
function checkpoints(heapPerRequest: number, rssPerRequest: number): MemoryCheckpoint[] {
  return Array.from({ length: 10 }, (_, i) => {
    const afterRequests = (i + 1) * 1000;
    return { afterRequests, rss: 100 * MB + rssPerRequest * afterRequests, heapUsed: 20 * MB + heapPerRequest * afterRequests, heapTotal: 40 * MB, external: 0 };
  });
}

describe('bench memoryGrowth (second half of the checkpoints)', () => {
  it('fits growth over the window from half the requests to the last checkpoint', () => {
    // Prepare: 100 bytes of heap and 200 bytes of RSS per request.
    const points = checkpoints(100, 200);

    // Act
    const growth = memoryGrowth(points);

    // Assess
    expect(growth).to.include({ fromRequests: 5000, toRequests: 10_000, points: 6, rssAtStart: 101 * MB, rssAtEnd: 102 * MB, pass: true });
    expect(growth!.heapBytes).to.be.closeTo(100 * 5000, 1e-3);
    expect(growth!.rssBytes).to.be.closeTo(200 * 5000, 1e-3);
  });

  const verdicts: { name: string; heapPerRequest: number; rssPerRequest: number; pass: boolean }[] = [
    { name: 'no growth', heapPerRequest: 0, rssPerRequest: 0, pass: true },
    { name: 'heap growth just over the tolerance', heapPerRequest: (HEAP_GROWTH_TOLERANCE_BYTES + 5000) / 5000, rssPerRequest: 0, pass: false },
    { name: 'RSS growth over 2% of the starting RSS', heapPerRequest: 0, rssPerRequest: (0.021 * 105 * MB) / 5000, pass: false },
    { name: 'shrinking memory', heapPerRequest: -100, rssPerRequest: -100, pass: true },
  ];
  for (const { name, heapPerRequest, rssPerRequest, pass } of verdicts) {
    it(`${pass ? 'passes' : 'fails'} ${name}`, () => {
      // Act
      const growth = memoryGrowth(checkpoints(heapPerRequest, rssPerRequest));

      // Assess
      expect(growth?.pass).to.equal(pass);
    });
  }

  it('gives nothing without at least two checkpoints in the window', () => {
    // Act / Assess
    expect(memoryGrowth([])).to.equal(undefined);
    expect(memoryGrowth(checkpoints(0, 0).slice(0, 1))).to.equal(undefined);
  });
});

describe('bench report table', () => {
  it('pads columns, right-aligns values and prints the verdict', () => {
    // Prepare
    const rows = [
      { figure: 'added p50', value: '0.123 ms', budget: '<= 0.5 ms', pass: true },
      { figure: 'gateway req/s', value: '2,000', budget: '>= 3,000', pass: false },
      { figure: 'info', value: '1', budget: '', pass: null },
    ];

    // Act
    const table = renderTable(rows);

    // Assess
    expect(table.split('\n')).to.deep.equal([
      '| figure        |    value | budget    | pass/fail |',
      '|---------------|---------:|-----------|-----------|',
      '| added p50     | 0.123 ms | <= 0.5 ms | pass      |',
      '| gateway req/s |    2,000 | >= 3,000  | FAIL      |',
      '| info          |        1 |           |           |',
    ]);
    expect(rows.map(verdict)).to.deep.equal(['pass', 'FAIL', '']);
  });
});

describe('bench budget rows for scenarios that did not run', () => {
  it('fails every budget of a scenario that errored or never ran, and puts the error in the notes', () => {
    // Prepare: nothing measured; only the latency scenario left an error.
    const measured = { failures: { latency: 'the gateway did not start' } };

    // Act
    const rows = buildRows(measured);
    const notes = buildNotes(measured);

    // Assess
    const budgeted = rows.filter((row) => row.budget !== '');
    expect(budgeted.map((row) => row.figure)).to.deep.equal([
      'Converse added latency p50',
      'Converse added latency p99',
      'Converse gateway req/s',
      'Gateway CPU per request',
      'Gateway peak RSS',
      'Upstream connections',
      'ConverseStream added time to first event p50',
      'Cold import of dist/handler.mjs',
      'Bundle dist/handler.mjs',
    ]);
    expect(budgeted.every((row) => row.pass === false)).to.equal(true);
    expect(rows.filter((row) => row.figure.startsWith('Converse added latency')).map((row) => row.value)).to.deep.equal(['error (see notes)', 'error (see notes)']);
    expect(rows.find((row) => row.figure === 'Bundle dist/handler.mjs')?.value).to.equal('not run');
    expect(notes).to.deep.equal(['latency failed: the gateway did not start']);
  });
});

describe('bench floor rows (the stack without the gateway, next to the gateway)', () => {
  const run = (concurrency: number, cpuMicrosPerRequest: number, requestsPerSecond: number) => ({
    concurrency,
    requests: 10_000,
    errors: 0,
    timedOut: false,
    requestsPerSecond,
    cpuMicrosPerRequest,
    upstreamCpuMicrosPerRequest: 60,
    clientCpuMicrosPerRequest: 90,
    upstreamConnectionsOpened: 0,
    checkpoints: [],
  });
  const latency = (gatewayP50: number) => {
    const percentiles = (p50: number) => ({ count: 4000, mean: p50, p50, p90: p50 + 0.1, p99: p50 + 1, min: p50 - 0.1, max: p50 + 2 });
    return {
      gateway: percentiles(gatewayP50),
      direct: percentiles(0.2),
      added: { p50: gatewayP50 - 0.2, p90: gatewayP50 - 0.2, p99: gatewayP50 - 0.2 },
      addedP50RoundMedian: gatewayP50 - 0.2,
      requestBytes: { gateway: 1100, direct: 1100 },
      responseBytes: { gateway: 1200, direct: 1300 },
      rounds: 20,
      errors: 0,
    };
  };
  const summary = (floors: FloorThroughput[]) => ({
    gateway: [run(32, 400, 2500), run(64, 420, 2400)],
    direct: [],
    floors,
    memory: run(32, 400, 2500),
    peakRssSampled: 100 * MB,
    peakRssKernel: 100 * MB,
    gatewayConnectionsTotal: 64,
    gatewayRequestsTotal: 50_000,
    poolSize: 64,
  });

  it('shows each floor under the gateway run of its concurrency, with the CPU the gateway adds, and budgets nothing on them', () => {
    // Prepare: both floors ran at c=32, only the SDK floor at c=64; both latencies were measured.
    const measured = {
      latency: latency(0.8),
      floorLatency: { sdk: latency(0.6), agent: latency(0.4) },
      throughput: summary([
        { ...run(32, 340, 2900), kind: 'sdk' as const },
        { ...run(32, 210, 4400), kind: 'agent' as const },
        { ...run(64, 380, 2700), kind: 'sdk' as const },
      ]),
      failures: {},
    };

    // Act
    const rows = buildRows(measured);

    // Assess
    const floorRows = rows.filter((row) => row.figure.includes('floor'));
    expect(floorRows.map((row) => [row.figure.trim(), row.value])).to.deep.equal([
      ['floor, node:http + openai SDK only: added p50/p90/p99', '0.400 / 0.400 / 0.400 ms'],
      ['floor, node:http + undici Agent, no SDK: added p50/p90/p99', '0.200 / 0.200 / 0.200 ms'],
      ['floor c=32, node:http + openai SDK only: req/s', '2,900'],
      ['floor c=32, node:http + openai SDK only: CPU per request; the gateway adds', '340 us; +60 us'],
      ['floor c=32, node:http + undici Agent, no SDK: req/s', '4,400'],
      ['floor c=32, node:http + undici Agent, no SDK: CPU per request; the gateway adds', '210 us; +190 us'],
      ['floor c=64, node:http + openai SDK only: req/s', '2,700'],
      ['floor c=64, node:http + openai SDK only: CPU per request; the gateway adds', '380 us; +40 us'],
    ]);
    expect(floorRows.every((row) => row.budget === '' && row.pass === null)).to.equal(true);
    const c64 = rows.findIndex((row) => row.figure === 'Gateway CPU per request (c=64)');
    expect(rows[c64 + 1]?.figure.trim()).to.equal('floor c=64, node:http + openai SDK only: req/s');
  });

  it('notes failed floor requests, by floor', () => {
    // Prepare
    const measured = {
      failures: {},
      floorLatency: { agent: { ...latency(0.4), errors: 2, firstError: 'ECONNRESET' } },
      throughput: summary([{ ...run(32, 340, 2900), kind: 'sdk' as const, errors: 3, firstError: 'HTTP 500' }]),
    };

    // Act
    const notes = buildNotes(measured);

    // Assess
    expect(notes).to.deep.equal(['floor (agent) latency: 2 failed request(s), first: ECONNRESET', 'floor (sdk) c=32: 3 failed request(s), first: HTTP 500']);
  });
});

describe('bench budget verdicts on measured values', () => {
  const run = (concurrency: number, over = false) => ({
    concurrency,
    requests: 10_000,
    errors: 0,
    timedOut: false,
    requestsPerSecond: over ? 2999 : 3001,
    cpuMicrosPerRequest: over ? 351 : 349,
    upstreamCpuMicrosPerRequest: 60,
    clientCpuMicrosPerRequest: 90,
    upstreamConnectionsOpened: 0,
    checkpoints: [],
  });
  const throughput = (over: boolean) => ({
    gateway: [run(32, over)],
    direct: [],
    floors: [],
    memory: run(32),
    // The peak is the higher of the two readings: the kernel's here.
    peakRssSampled: 120 * MB,
    peakRssKernel: (over ? 151 : 149) * MB,
    gatewayConnectionsTotal: over ? 65 : 64,
    gatewayRequestsTotal: 50_000,
    poolSize: 64,
  });
  const coldStart = (over: boolean) => ({
    built: false,
    buildMs: 0,
    awslambdaStub: false,
    importMs: [90],
    importMedianMs: 90,
    processMedianMs: 120,
    cachedImportMs: [over ? 81 : 79],
    cachedImportMedianMs: over ? 81 : 79,
    sizes: { handlerBytes: over ? 1.6e6 : 1.4e6, eagerBytes: 2e6, eagerFiles: 3, distBytes: 4e6 },
  });
  const verdicts = (over: boolean) =>
    Object.fromEntries(
      buildRows({ throughput: throughput(over), coldStart: coldStart(over), failures: {} })
        .filter((row) => /^(Converse c=32 gateway req\/s|Gateway CPU per request|Gateway peak RSS|Upstream connections|Cold import|Bundle dist)/.test(row.figure))
        .map((row) => [row.figure.split(' (')[0]!.split(' over ')[0]!, [row.value, row.pass]]),
    );

  it('passes req/s, CPU, peak RSS, connections, cold import and bundle within their budgets', () => {
    // Act / Assess
    expect(verdicts(false)).to.deep.equal({
      'Converse c=32 gateway req/s': ['3,001', true],
      'Gateway CPU per request': ['349 us', true],
      'Gateway peak RSS': ['149.0 MB', true],
      'Upstream connections': ['64', true],
      'Cold import of dist/handler.mjs, compile cache as in the image': ['79.0 ms', true],
      'Bundle dist/handler.mjs': ['1.4 MB', true],
    });
  });

  it('fails each of them just over its budget', () => {
    // Act / Assess
    expect(verdicts(true)).to.deep.equal({
      'Converse c=32 gateway req/s': ['2,999', false],
      'Gateway CPU per request': ['351 us', false],
      'Gateway peak RSS': ['151.0 MB', false],
      'Upstream connections': ['65', false],
      'Cold import of dist/handler.mjs, compile cache as in the image': ['81.0 ms', false],
      'Bundle dist/handler.mjs': ['1.6 MB', false],
    });
  });
});
