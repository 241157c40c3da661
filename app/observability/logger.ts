/**
 * Structured JSON logs through Powertools Logger. Request lines carry ids, route, model, status
 * and latency, never prompts or keys.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { logLevelOf } from '../config/logLevels.ts';

/** The service name every log line and metric carries by default (POWERTOOLS_SERVICE_NAME overrides it in config). */
export const DEFAULT_SERVICE_NAME = 'bedrock-gateway';

/** An unknown level falls back to INFO here; config (loadConfig) rejects it with a message first. */
export function createLogger(level: string, serviceName = DEFAULT_SERVICE_NAME): Logger {
  return new Logger({ serviceName, logLevel: logLevelOf(level) ?? 'INFO' });
}
