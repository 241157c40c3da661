/**
 * The Lambda entry point (image CMD `handler.handler`). Everything expensive is built
 * here, once per container; a configuration error is logged once and answered as a
 * generic server error on every request instead of crashing the init phase in a loop.
 */
import { loadConfig, type Config } from '../config/config.ts';
import { lambdaRuntime } from '../config/lambdaRuntime.ts';
import { internal } from '../core/errors.ts';
import { sanitizeMessage } from '../core/redact.ts';
import { errorResponse } from '../core/response.ts';
import { buildGateway } from '../gateway/composition.ts';
import type { Gateway } from '../gateway/pipeline.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { createTelemetry } from '../observability/telemetry.ts';
import { createTracing } from '../observability/tracing.ts';
import { createBufferedHandler, createStreamingHandler } from './handlers.ts';

function createLambdaGateway(config: Config): Gateway {
  const logger = createLogger(config.logLevel, config.serviceName);
  return buildGateway({
    config,
    mode: 'lambda',
    telemetry: createTelemetry({
      logger,
      metrics: createMetrics(config.metricsNamespace, config.serviceName),
      serviceName: config.serviceName,
      sampleRate: config.loggerSampleRate,
      callerMetrics: config.callerMetrics,
      functionVersion: config.functionVersion,
    }),
    tracing: createTracing(config.tracing),
  }).gateway;
}

/** Any failure to configure or build the gateway: logged once, then a generic 500 on every request. */
function misconfigured(error: unknown): Gateway {
  createLogger('INFO').error('gateway configuration is invalid', { error: sanitizeMessage((error as Error).message, 'unknown error') });
  return async (request) => errorResponse(internal('The gateway is misconfigured. Contact the gateway operator.'), request.requestId ?? 'unknown');
}

function lambdaGateway(): Gateway {
  try {
    return createLambdaGateway(loadConfig());
  } catch (error) {
    return misconfigured(error);
  }
}

const gateway = lambdaGateway();

/**
 * The runtime client (aws-lambda-ric 4) leaves a promise of each streamed response unhandled: when
 * the Runtime API connection carrying a stream fails, Node would exit on the unhandled rejection and
 * take the warm container, and every stream on it, down. Log it (name and redacted message, never a
 * stack) and keep serving; the invocation itself ends as the runtime decides.
 */
process.on('unhandledRejection', (reason) => {
  const error = reason instanceof Error ? reason : undefined;
  createLogger('INFO').error('unhandled rejection (process kept alive)', {
    error: error ? `${error.name}: ${sanitizeMessage(error.message, '(no message)').slice(0, 300)}` : typeof reason,
  });
});

export const handler = lambdaRuntime().samLocal ? createBufferedHandler(gateway) : createStreamingHandler(gateway);
