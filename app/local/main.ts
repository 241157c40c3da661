/**
 * `npm start`: the local server against the configured upstream (OPENAI_BASE_URL),
 * configured by the same environment variables as the Lambda.
 */
import { loadConfig, type Config } from '../config/config.ts';
import { buildGateway } from '../gateway/composition.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { createTelemetry } from '../observability/telemetry.ts';
import { startLocalServer, type LocalServer } from './server.ts';

export interface RunningGateway {
  readonly server: LocalServer;
  close(): Promise<void>;
}

/** Starts the local server for a config; the caller owns shutdown. Used by main, dev, tests and the benchmark. */
export async function runLocalGateway(config: Config, logLevel = config.logLevel): Promise<RunningGateway> {
  const logger = createLogger(logLevel, config.serviceName);
  // EMF lines are off locally unless asked for (POWERTOOLS_METRICS_DISABLED=false).
  const metrics = config.localMetrics ? createMetrics(config.metricsNamespace, config.serviceName) : undefined;
  const telemetry = createTelemetry({ logger, metrics, serviceName: config.serviceName, sampleRate: config.loggerSampleRate, callerMetrics: config.callerMetrics });
  const built = buildGateway({ config, mode: 'local', telemetry });
  if (!built.callerCredentialsConfigured) {
    logger.warn('NO CALLER CREDENTIALS CONFIGURED: this local server accepts every request. Set PROXY_API_KEYS (or JWT_ISSUER, SIGV4_CREDENTIALS) to require them.');
  }
  if (!built.upstreamKeyConfigured) {
    logger.warn(
      `NO UPSTREAM KEY CONFIGURED: calls to ${config.openaiBaseUrl} carry a placeholder key. Set OPENAI_API_KEY ` +
        '(a keyless OpenAI-compatible server accepts the placeholder; OpenAI answers 401).',
    );
  }
  const server = await startLocalServer({ gateway: built.gateway, host: config.host, port: config.port });
  return {
    server,
    async close() {
      await server.close();
      await built.close();
    },
  };
}

export function stopOnSignals(running: { close(): Promise<void> }): void {
  const stop = () => {
    running.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.main) {
  const config = loadConfig();
  const running = await runLocalGateway(config);
  createLogger(config.logLevel, config.serviceName).info(`Bedrock gateway listening on ${running.server.url} (HTTP/1.1 and h2c), upstream ${config.openaiBaseUrl}`);
  stopOnSignals(running);
}
