import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import { JsonLogger } from '@app/observability';
import { HttpFailure } from '@app/runtime';
import { ACCESS_LEVEL, ApiKeys, AuthFailures, authorize, callerOf, type AccessLevel } from '@app/security';
import { metadataValue, peerAddress } from './grpc-call';

/**
 * The HTTP routes' access rule for gRPC methods: each method's @Access level, API keys from
 * the metadata `authorization: Bearer <key>` or `x-api-key`, wrong keys counted with the HTTP
 * ones (AUTH_FAILURE_LIMIT: past it, RESOURCE_EXHAUSTED). (The global guard lets every non-HTTP
 * call through: events have no caller to ask.) A method without a level is admin.
 */
@Injectable()
export class GrpcAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeys,
    private readonly failures: AuthFailures,
    private readonly logger: JsonLogger,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const level = this.reflector.getAllAndOverride<AccessLevel | undefined>(ACCESS_LEVEL, [context.getHandler(), context.getClass()]) ?? 'admin';
    const metadata = context.switchToRpc().getContext<Metadata>();
    const call = context.getArgByIndex<ServerUnaryCall<unknown, unknown>>(2);
    const headers = { authorization: metadataValue(metadata, 'authorization'), 'x-api-key': metadataValue(metadata, 'x-api-key') };
    const decision = authorize(level, callerOf(headers, peerAddress(call)), this.keys, this.failures);
    if (decision.allowed) return true;
    this.logger.event('info', 'grpc call refused', { method: context.getHandler().name, reason: decision.error });
    throw new HttpFailure(decision.status, decision.error, decision.message);
  }
}
