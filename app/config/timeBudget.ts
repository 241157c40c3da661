/**
 * The upstream time budget must fit inside the function's own timeout: a Lambda killed mid-retry
 * answers nothing at all (no Bedrock error, no request line, no metrics). One small check, so the
 * per-phase timeouts and the per-request deadline can join it here.
 */
export interface TimeBudget {
  /** OPENAI_TIMEOUT_MS: one upstream attempt. */
  readonly upstreamTimeoutMs: number;
  /** OPENAI_MAX_RETRIES: attempts after the first. */
  readonly upstreamMaxRetries: number;
  /** FUNCTION_TIMEOUT_SECONDS (the template passes the function's Timeout); undefined outside Lambda. */
  readonly functionTimeoutSeconds: number | undefined;
}

/** Undefined when the budget fits, else a message naming the variables and the numbers. */
export function timeBudgetProblem(budget: TimeBudget): string | undefined {
  if (budget.functionTimeoutSeconds === undefined) return undefined;
  const attempts = budget.upstreamMaxRetries + 1;
  const worstMs = budget.upstreamTimeoutMs * attempts;
  const limitMs = budget.functionTimeoutSeconds * 1000;
  if (worstMs <= limitMs) return undefined;
  return (
    `OPENAI_TIMEOUT_MS (${budget.upstreamTimeoutMs}) x ${attempts} attempts (OPENAI_MAX_RETRIES ${budget.upstreamMaxRetries} + 1) = ${worstMs} ms ` +
    `does not fit in the function timeout (FUNCTION_TIMEOUT_SECONDS ${budget.functionTimeoutSeconds} = ${limitMs} ms); ` +
    `lower OPENAI_TIMEOUT_MS to at most ${Math.floor(limitMs / attempts)} or retry less`
  );
}
