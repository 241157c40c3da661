/**
 * Structured JSON logs through Powertools Logger. One shared instance; request lines
 * carry ids, route, model, status and latency, never prompts or keys.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { logLevelOf } from '../config/logLevels.ts';

export const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? 'bedrock-gateway';

/** An unknown level falls back to INFO here; config (loadConfig) rejects it with a message first. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'INFO'): Logger {
  return new Logger({ serviceName: SERVICE_NAME, logLevel: logLevelOf(level) ?? 'INFO' });
}

export const logger = createLogger();
