import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { Access } from '@app/security';
import type { Response } from 'express';
import { metricsRegistry } from './metrics';
import { Readiness } from './readiness';

@Controller()
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  /** Liveness: the process answers. Restarting it will not fix a missing broker, so no dependency checks here. */
  @Get('health')
  @Access('public')
  @HttpCode(200)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Access('public')
  ready(@Res() res: Response): void {
    const { ready, checks, details } = this.readiness.evaluate();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks, ...(details && { details }) });
  }

  @Get('metrics')
  @Access('predict')
  @Header('Content-Type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
