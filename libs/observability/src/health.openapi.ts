import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { apiErrorBodySchema } from '@app/contracts';
import { HealthController } from './health.controller';

/*
 * The health routes' OpenAPI description, apart from the controller: every service serves these
 * routes, only the gateway publishes a document, and @nestjs/swagger costs a process about 15 MB
 * of RSS. So the decorators are applied here, by the one service that builds the document.
 */

const healthSchema = z.strictObject({ status: z.literal('ok') });
const readySchema = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.boolean()),
  /** Optional dependencies (the trainer's MLflow mirror): their state, never a reason for 503. */
  details: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});
const schema = (s: z.ZodType): Record<string, unknown> => {
  const { $schema: _dialect, ...json } = z.toJSONSchema(s, { target: 'draft-2020-12' });
  return json;
};

type Decorate = MethodDecorator;
const ROUTES: Record<'health' | 'ready' | 'metrics', Decorate[]> = {
  health: [ApiOperation({ summary: 'Liveness' }), ApiResponse({ status: 200, description: 'The process answers', schema: schema(healthSchema) })],
  ready: [
    ApiOperation({ summary: 'Readiness, with each check' }),
    ApiResponse({ status: 200, description: 'Ready', schema: schema(readySchema) }),
    ApiResponse({ status: 503, description: 'Not ready: the checks that fail are false', schema: schema(readySchema) }),
  ],
  metrics: [
    ApiOperation({ summary: 'Prometheus metrics' }),
    ApiResponse({ status: 200, description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } }),
    ApiResponse({ status: 401, description: 'No valid API key (API_KEYS is set)', schema: schema(apiErrorBodySchema) }),
    ApiResponse({ status: 403, description: 'The key is not enough for this route', schema: schema(apiErrorBodySchema) }),
    ApiResponse({ status: 429, description: 'Rate limit exceeded (RATE_LIMIT)', schema: schema(apiErrorBodySchema) }),
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
