import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Metadata, status as GrpcStatus, type ServerUnaryCall } from '@grpc/grpc-js';
import { Observable, tap } from 'rxjs';
import type { AppConfig } from '@app/config';
import {
  CLIENT_REQUEST_ID,
  JsonLogger,
  endSpan,
  grpcLatency,
  grpcRequests,
  runWithRequestId,
  startServerSpan,
  traceparentOf,
  tracingActive,
  withSpan,
} from '@app/observability';
import { APP_CONFIG } from '@app/runtime';
import { metadataValue } from './grpc-call';
import { grpcErrorOf } from './grpc-status';

/**
 * What the request-id middleware and access log do for HTTP, for a gRPC call: the platform's
 * own request id (the caller's `x-request-id` kept beside it), both in effect for everything the
 * method does, the id sent back as response metadata, one log line and the metrics per call,
 * and with tracing on a server span (the caller's `traceparent` metadata linked or followed).
 */
@Injectable()
export class GrpcCallInterceptor implements NestInterceptor {
  constructor(
    private readonly logger: JsonLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const method = context.getHandler().name;
    const metadata = context.switchToRpc().getContext<Metadata>();
    const call = context.getArgByIndex<ServerUnaryCall<unknown, unknown>>(2);
    const given = metadataValue(metadata, 'x-request-id');
    const clientRequestId = given && CLIENT_REQUEST_ID.test(given) ? given : undefined;
    const requestId = randomUUID();
    const reply = new Metadata();
    reply.set('x-request-id', clientRequestId ?? requestId);
    call.sendMetadata(reply);
    const span = tracingActive()
      ? startServerSpan(`grpc ${method}`, metadataValue(metadata, 'traceparent'), this.config.TRACE_CALLER_CONTEXT, {
          'rpc.system': 'grpc',
          'rpc.method': method,
          'request.id': requestId,
        })
      : undefined;
    const traceparent = traceparentOf(span);
    const started = process.hrtime.bigint();
    const finish = (code: GrpcStatus) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      grpcRequests.inc({ method, code: GrpcStatus[code] });
      grpcLatency.observe({ method }, seconds);
      if (span?.isRecording()) {
        span.setAttribute('rpc.grpc.status_code', code);
        // As OpenTelemetry's RPC conventions have it: only the server's own failures are errors.
        endSpan(span, SERVER_FAULTS.has(code) ? new Error(GrpcStatus[code]) : undefined);
      }
      runWithRequestId(
        requestId,
        () =>
          this.logger.event(code === GrpcStatus.OK ? 'info' : 'warn', 'grpc request', {
            method,
            code: GrpcStatus[code],
            latency_ms: Math.round(seconds * 1e6) / 1e3,
          }),
        clientRequestId,
        traceparent,
      );
    };
    return new Observable((subscriber) => {
      const run = () =>
        runWithRequestId(
          requestId,
          () =>
            next
              .handle()
              .pipe(
                tap({
                  next: () => finish(GrpcStatus.OK),
                  error: (err: unknown) => finish(grpcErrorOf(err).code),
                }),
              )
              .subscribe(subscriber),
          clientRequestId,
          traceparent,
        );
      return span?.isRecording() ? withSpan(span, run) : run();
    });
  }
}

const SERVER_FAULTS = new Set([
  GrpcStatus.UNKNOWN,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.UNIMPLEMENTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DATA_LOSS,
]);
