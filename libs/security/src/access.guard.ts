import { type CanActivate, type ExecutionContext, ForbiddenException, HttpException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ACCESS_LEVEL, type AccessLevel } from './access';
import type { ApiKeys } from './api-keys';
import type { AuthFailures } from './auth-failures';
import { authorize, callerOf } from './authorize';

/** Applies each route's access level to every HTTP request (event handlers are not HTTP and pass). */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeys,
    private readonly failures: AuthFailures,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const level = this.reflector.getAllAndOverride<AccessLevel | undefined>(ACCESS_LEVEL, [context.getHandler(), context.getClass()]) ?? 'admin';
    const req = context.switchToHttp().getRequest<Request>();
    const decision = authorize(level, callerOf(req.headers, req.socket.remoteAddress), this.keys, this.failures);
    if (decision.allowed) return true;
    const body = { status: 'error', error: decision.error, message: decision.message };
    const res = context.switchToHttp().getResponse<Response>();
    if (decision.status === 429) {
      res.setHeader('Retry-After', String(decision.retryAfterSeconds));
      throw new HttpException(body, 429);
    }
    if (decision.status === 401) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="iris-platform"');
      throw new UnauthorizedException(body);
    }
    throw new ForbiddenException(body);
  }
}
