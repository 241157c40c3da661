/**
 * Closed-loop load: a fixed number of requests in flight until `total` have completed
 * or the deadline passes (every loop in the benchmark is bounded in count and in time).
 */
import { nowNs, type Exchange } from './client.ts';

export interface LoadResult {
  readonly completed: number;
  readonly errors: number;
  readonly elapsedNs: number;
  /** Stopped by the deadline before `total`. */
  readonly timedOut: boolean;
  readonly firstError?: string;
}

export interface LoadOptions {
  readonly total: number;
  readonly concurrency: number;
  readonly deadlineMs: number;
  readonly send: () => Promise<Exchange>;
  /** Checked on every response: a non-empty string counts the response as an error. */
  readonly check?: (exchange: Exchange) => string | undefined;
}

/** A non-200 answer as an error line: the status and the start of the body (always kept for errors). */
const statusProblem = (exchange: Exchange): string =>
  `HTTP ${exchange.status}${exchange.body ? `: ${exchange.body.toString('utf8').slice(0, 300)}` : ''}`;

export async function runClosedLoop(options: LoadOptions): Promise<LoadResult> {
  const { total, concurrency, send, check } = options;
  const started = nowNs();
  const deadline = started + options.deadlineMs * 1e6;
  let issued = 0;
  let completed = 0;
  let errors = 0;
  let timedOut = false;
  let firstError: string | undefined;

  const fail = (message: string) => {
    errors++;
    firstError ??= message;
  };

  async function worker(): Promise<void> {
    while (issued < total) {
      if (nowNs() > deadline) {
        timedOut = true;
        return;
      }
      issued++;
      try {
        const exchange = await send();
        const problem = exchange.status === 200 ? check?.(exchange) : statusProblem(exchange);
        if (problem) fail(problem);
      } catch (error) {
        fail((error as Error).message);
      }
      completed++;
    }
  }

  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return { completed, errors, elapsedNs: nowNs() - started, timedOut, ...(firstError ? { firstError } : {}) };
}

/** Sequential requests at concurrency 1, collecting each latency (ns). Bounded like runClosedLoop. */
export async function collectLatencies(count: number, deadlineMs: number, send: () => Promise<Exchange>): Promise<{ samples: number[]; errors: number; firstError?: string }> {
  const deadline = nowNs() + deadlineMs * 1e6;
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  for (let i = 0; i < count && nowNs() < deadline; i++) {
    try {
      const exchange = await send();
      if (exchange.status !== 200) {
        errors++;
        firstError ??= statusProblem(exchange);
        continue;
      }
      samples.push(exchange.elapsedNs);
    } catch (error) {
      errors++;
      firstError ??= (error as Error).message;
    }
  }
  return { samples, errors, ...(firstError ? { firstError } : {}) };
}
