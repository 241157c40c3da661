/**
 * The Lambda runtime's own variables. They are read apart from `loadConfig` because the handler
 * needs them even when the gateway's configuration is invalid (to answer in the form its front
 * door expects), and because one of them changes on every invocation.
 */
export interface LambdaRuntime {
  /** Set by the Lambda runtime; absent outside Lambda. */
  readonly functionName: string | undefined;
  /**
   * The version this container runs (AWS_LAMBDA_FUNCTION_VERSION: `7`, or `$LATEST`); a metrics
   * dimension, so the canary alarms can judge the new version on its own traffic.
   */
  readonly functionVersion: string | undefined;
  /** `sam local` (AWS_SAM_LOCAL=true) cannot stream: the handler answers with buffered proxy results there. */
  readonly samLocal: boolean;
}

export function lambdaRuntime(env: NodeJS.ProcessEnv = process.env): LambdaRuntime {
  return {
    functionName: env.AWS_LAMBDA_FUNCTION_NAME || undefined,
    functionVersion: env.AWS_LAMBDA_FUNCTION_NAME ? env.AWS_LAMBDA_FUNCTION_VERSION || undefined : undefined,
    samLocal: env.AWS_SAM_LOCAL === 'true',
  };
}

/** The invocation's X-Ray header: the runtime sets `_X_AMZN_TRACE_ID` afresh per invocation, so it is read per request line. */
export const xrayTraceHeader = (): string | undefined => process.env._X_AMZN_TRACE_ID;
