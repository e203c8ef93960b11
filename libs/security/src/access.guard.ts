import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ACCESS_LEVEL, type AccessLevel } from './access';
import type { ApiKeys } from './api-keys';
import { authorize, isLoopback, presentedKey } from './authorize';

/** Applies each route's access level to every HTTP request (event handlers are not HTTP and pass). */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeys,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const level = this.reflector.getAllAndOverride<AccessLevel | undefined>(ACCESS_LEVEL, [context.getHandler(), context.getClass()]) ?? 'admin';
    const req = context.switchToHttp().getRequest<Request>();
    const decision = authorize(level, { presentedKey: presentedKey(req.headers), loopback: isLoopback(req.socket.remoteAddress) }, this.keys);
    if (decision.allowed) return true;
    const body = { status: 'error', error: decision.error, message: decision.message };
    if (decision.status === 401) {
      context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="iris-platform"');
      throw new UnauthorizedException(body);
    }
    throw new ForbiddenException(body);
  }
}
