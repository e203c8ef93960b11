import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { apiErrorBodySchema } from '@app/contracts';
import { HealthController } from '@app/observability';
import { ApiJsonResponse } from './openapi';

/*
 * The health routes' OpenAPI description, apart from their controller: every service serves these
 * routes, only the gateway publishes a document, and @nestjs/swagger costs a process about 15 MB
 * of RSS. So the decorators are applied here, by publishOpenApi, in the one service that builds it.
 */

const healthSchema = z.strictObject({ status: z.literal('ok') });
const readySchema = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.boolean()),
  /** Optional dependencies (the trainer's MLflow mirror): their state, never a reason for 503. */
  details: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

const ROUTES: Record<'health' | 'ready' | 'metrics', MethodDecorator[]> = {
  health: [ApiOperation({ summary: 'Liveness' }), ApiJsonResponse(200, 'The process answers', healthSchema)],
  ready: [
    ApiOperation({ summary: 'Readiness, with each check' }),
    ApiJsonResponse(200, 'Ready', readySchema),
    ApiJsonResponse(503, 'Not ready: the checks that fail are false', readySchema),
  ],
  metrics: [
    ApiOperation({ summary: 'Prometheus metrics' }),
    ApiResponse({ status: 200, description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } }),
    ApiJsonResponse(401, 'No valid API key (API_KEYS is set)', apiErrorBodySchema),
    ApiJsonResponse(403, 'The key is not enough for this route', apiErrorBodySchema),
    ApiJsonResponse(429, 'Rate limit exceeded (RATE_LIMIT)', apiErrorBodySchema),
  ],
};

let documented = false;

/** Describes the health routes for the OpenAPI document; once per process (tags would repeat). */
export function documentHealthRoutes(): void {
  if (documented) return;
  documented = true;
  ApiTags('health')(HealthController);
  for (const [method, decorators] of Object.entries(ROUTES)) {
    const descriptor = Object.getOwnPropertyDescriptor(HealthController.prototype, method);
    if (!descriptor) throw new Error(`HealthController has no ${method} route to describe`);
    for (const decorate of decorators) decorate(HealthController.prototype, method, descriptor);
  }
}
