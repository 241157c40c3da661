import { expect } from 'chai';
import { TEXT_BYTES, words } from '../lib/bodies.ts';
import type { BenchClient, Exchange } from '../lib/client.ts';
import { QUICK_PLAN, type BenchContext } from '../lib/context.ts';
import { onFloor, type Floor } from '../lib/floors.ts';
import { gatewayThroughput } from '../lib/throughput.ts';

/**
 * A scripted gateway child: every request costs REQUEST_US of CPU, a forced GC costs GC_US, and
 * memory grows by 1 KB per request; the upstream opens one connection per 1,000 requests.
 */
const REQUEST_US = 100;
const GC_US = 5_000;

function scriptedContext(): { ctx: BenchContext; gcCalls: () => number } {
  let served = 0;
  let gcs = 0;
  const usage = (gc: boolean) => {
    if (gc) gcs++;
    const cpu = served * REQUEST_US + gcs * GC_US;
    return { cpu: { user: cpu, system: 0 }, rss: 100e6 + served * 1000, heapUsed: 20e6 + served * 1000, heapTotal: 40e6, external: 0, sampledPeakRss: 0, maxRss: 0 };
  };
  const answer = Buffer.from(JSON.stringify({ output: { message: { content: [{ text: words(TEXT_BYTES) }] } }, stopReason: 'end_turn' }));
  const client: BenchClient = {
    post: async (_path, _body, _headers, options): Promise<Exchange> => {
      served++;
      return { status: 200, bytes: answer.length, elapsedNs: 1000, ...(options?.keepBody ? { body: answer } : {}) };
    },
    connectionsOpened: () => 0,
    requestsSent: () => served,
    close: async () => undefined,
  };
  const child = <Info>(info: Info, call: (type: string, payload?: unknown) => unknown) => ({
    name: 'scripted',
    info,
    call: async <T>(type: string, payload?: unknown) => call(type, payload) as T,
    stop: async () => undefined,
    stderrTail: () => '',
  });
  const gateway = child({ url: 'http://gateway', maxConnections: 64 }, (type, payload) => {
    if (type !== 'usage') throw new Error(type);
    return usage((payload as { gc?: boolean }).gc === true);
  });
  const upstream = child({ url: 'http://upstream', baseURL: 'http://upstream/v1' }, (type) => {
    if (type === 'stats') return { connections: Math.floor(served / 1000), requests: served, closedEarly: 0 };
    if (type === 'cpu') return { user: served * 10, system: 0 };
    throw new Error(type);
  });
  const ctx: BenchContext = { plan: QUICK_PLAN, gatewayClient: client, directClient: client, gateway, upstream, log: () => undefined };
  return { ctx, gcCalls: () => gcs };
}

describe('bench gatewayThroughput (against a scripted gateway child)', () => {
  it('bills the gateway CPU used by requests, not the GCs the memory readings force', async () => {
    // Prepare
    const { ctx, gcCalls } = scriptedContext();

    // Act: 4,000 requests with a reading (and forced GC) every 1,000.
    const result = await gatewayThroughput(ctx, 8, 4000, 1000);

    // Assess
    expect(gcCalls()).to.equal(4);
    expect(result.requests).to.equal(4000);
    expect(result.errors).to.equal(0);
    expect(result.cpuMicrosPerRequest).to.equal(REQUEST_US);
    expect(result.upstreamCpuMicrosPerRequest).to.equal(10);
    expect(result.upstreamConnectionsOpened).to.equal(4);
    expect(result.checkpoints.map((c) => c.afterRequests)).to.deep.equal([1000, 2000, 3000, 4000]);
    expect(result.checkpoints.map((c) => c.heapUsed)).to.deep.equal([21e6, 22e6, 23e6, 24e6]);
  });

  it('counts an answer that does not echo the request text as an error', async () => {
    // Prepare: the checked requests (one in 500) get a wrong answer.
    const { ctx } = scriptedContext();
    const post = ctx.gatewayClient.post;
    const wrong = Buffer.from(JSON.stringify({ output: { message: { content: [{ text: 'something else' }] } }, stopReason: 'end_turn' }));
    const client = { ...ctx.gatewayClient, post: async (...args: Parameters<BenchClient['post']>) => ({ ...(await post(...args)), ...(args[3]?.keepBody ? { body: wrong } : {}) }) };

    // Act
    const result = await gatewayThroughput({ ...ctx, gatewayClient: client }, 4, 1000, 1000);

    // Assess
    expect(result.errors).to.equal(2);
    expect(result.firstError).to.include('does not echo the request text');
  });
});

describe('bench onFloor (upstream connections charged to a floor)', () => {
  /** A floor whose upstream count and direct client count are set by the phase under test. */
  function floorWith(counts: { upstream: number; direct: number }): Floor {
    const upstream = { name: 'u', info: {}, call: async () => ({ connections: counts.upstream, requests: 0, closedEarly: 0 }), stop: async () => undefined, stderrTail: () => '' };
    const directClient = { connectionsOpened: () => counts.direct } as unknown as BenchClient;
    const ctx = { upstream, directClient } as unknown as BenchContext;
    return { kind: 'sdk', ctx, connections: 0, warmed: true };
  }

  it("charges what the upstream opened during the phase, less the direct client's share", async () => {
    // Prepare
    const counts = { upstream: 10, direct: 2 };
    const floor = floorWith(counts);
    // Act: the phase opens 5 upstream connections, 1 of them the direct client's.
    const result = await onFloor(floor, async () => {
      counts.upstream += 5;
      counts.direct += 1;
      return 'done';
    });
    // Assess
    expect(result).to.equal('done');
    expect(floor.connections).to.equal(4);
  });

  it('charges a failed phase too, and rethrows its error', async () => {
    // Prepare
    const counts = { upstream: 10, direct: 2 };
    const floor = floorWith(counts);
    // Act
    const failed = await onFloor(floor, async () => {
      counts.upstream += 3;
      throw new Error('floor crashed');
    }).catch((error: Error) => error.message);
    // Assess
    expect(failed).to.equal('floor crashed');
    expect(floor.connections).to.equal(3);
  });
});
