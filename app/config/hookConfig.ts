/** The CodeDeploy PreTraffic hook's environment (template.yaml sets it on the hook function). */
export interface HookConfig {
  /** ARN of the version being deployed (the function ARN qualified with its version number). */
  readonly targetVersion: string | undefined;
  readonly serviceName: string;
  readonly logLevel: string;
}

export function loadHookConfig(env: NodeJS.ProcessEnv = process.env): HookConfig {
  return {
    targetVersion: env.TARGET_VERSION || undefined,
    serviceName: env.POWERTOOLS_SERVICE_NAME || 'bedrock-gateway-pretraffic',
    logLevel: env.LOG_LEVEL || 'INFO',
  };
}
