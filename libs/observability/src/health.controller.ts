import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { apiErrorBodySchema } from '@app/contracts';
import { Access } from '@app/security';
import type { Response } from 'express';
import { metricsRegistry } from './metrics';
import { Readiness } from './readiness';

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

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  /** Liveness: the process answers. Restarting it will not fix a missing broker, so no dependency checks here. */
  @Get('health')
  @Access('public')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness' })
  @ApiResponse({ status: 200, description: 'The process answers', schema: schema(healthSchema) })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Access('public')
  @ApiOperation({ summary: 'Readiness, with each check' })
  @ApiResponse({ status: 200, description: 'Ready', schema: schema(readySchema) })
  @ApiResponse({ status: 503, description: 'Not ready: the checks that fail are false', schema: schema(readySchema) })
  ready(@Res() res: Response): void {
    const { ready, checks, details } = this.readiness.evaluate();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks, ...(details && { details }) });
  }

  @Get('metrics')
  @Access('predict')
  @Header('Content-Type', metricsRegistry.contentType)
  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiResponse({ status: 200, description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 401, description: 'No valid API key (API_KEYS is set)', schema: schema(apiErrorBodySchema) })
  @ApiResponse({ status: 403, description: 'The key is not enough for this route', schema: schema(apiErrorBodySchema) })
  @ApiResponse({ status: 429, description: 'Rate limit exceeded (RATE_LIMIT)', schema: schema(apiErrorBodySchema) })
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
