/**
 * Structured JSON logs through Powertools Logger. One shared instance; request lines
 * carry ids, route, model, status and latency, never prompts or keys.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? 'bedrock-gateway';

const LEVELS = new Set(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL', 'TRACE']);

export function createLogger(level = process.env.LOG_LEVEL ?? 'INFO'): Logger {
  const upper = level.toUpperCase();
  return new Logger({
    serviceName: SERVICE_NAME,
    logLevel: (LEVELS.has(upper) ? upper : 'INFO') as 'INFO',
  });
}

export const logger = createLogger();
