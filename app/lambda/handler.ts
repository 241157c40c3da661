/**
 * The Lambda entry point (image CMD `handler.handler`). Everything expensive is built
 * here, once per container; a configuration error is logged once and answered as a
 * generic server error on every request instead of crashing the init phase in a loop.
 */
import { loadConfig } from '../config/config.ts';
import { internal } from '../core/errors.ts';
import { errorResponse } from '../core/response.ts';
import type { Gateway } from '../gateway/pipeline.ts';
import { buildGateway } from '../gateway/composition.ts';
import { logger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { createTelemetry } from '../observability/telemetry.ts';
import { createTracing, tracingEnabled } from '../observability/tracing.ts';
import { createBufferedHandler, createStreamingHandler } from './handlers.ts';

function createLambdaGateway(): Gateway {
  try {
    const config = loadConfig();
    return buildGateway({
      config,
      mode: 'lambda',
      telemetry: createTelemetry(logger, createMetrics()),
      tracing: createTracing(tracingEnabled()),
    }).gateway;
  } catch (error) {
    logger.error('gateway configuration is invalid', { error: (error as Error).message });
    return async (request) => errorResponse(internal('The gateway is misconfigured. Contact the gateway operator.'), request.requestId ?? 'unknown');
  }
}

const gateway = createLambdaGateway();

export const handler =
  process.env.AWS_SAM_LOCAL === 'true' ? createBufferedHandler(gateway) : createStreamingHandler(gateway);
