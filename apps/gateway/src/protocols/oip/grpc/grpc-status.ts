import { status as GrpcStatus } from '@grpc/grpc-js';
import { errorMessageOf } from '@app/contracts';
import type { JsonLogger } from '@app/observability';
import { describeException } from '@app/runtime';

/** The gRPC code of each HTTP status the platform answers with. */
const CODES: Record<number, GrpcStatus> = {
  400: GrpcStatus.INVALID_ARGUMENT,
  401: GrpcStatus.UNAUTHENTICATED,
  403: GrpcStatus.PERMISSION_DENIED,
  404: GrpcStatus.NOT_FOUND,
  409: GrpcStatus.FAILED_PRECONDITION,
  413: GrpcStatus.RESOURCE_EXHAUSTED,
  415: GrpcStatus.INVALID_ARGUMENT,
  429: GrpcStatus.RESOURCE_EXHAUSTED,
  502: GrpcStatus.INTERNAL,
  503: GrpcStatus.UNAVAILABLE,
  504: GrpcStatus.DEADLINE_EXCEEDED,
};

export interface GrpcError {
  code: GrpcStatus;
  details: string;
}

/** An exception as a gRPC status: described as for HTTP (describeException), then translated. An unknown error is logged when a logger is given. */
export function grpcErrorOf(exception: unknown, logger?: JsonLogger, method?: string): GrpcError {
  const { status, body } = describeException(exception, logger, method);
  return { code: CODES[status] ?? GrpcStatus.INTERNAL, details: errorMessageOf(body) };
}
