import { Catch, Injectable, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { JsonLogger } from '@app/observability';
import { grpcErrorOf, type GrpcError } from './grpc-status';

/** Every failure of a gRPC method leaves as a status code with a one-line message, never as UNKNOWN with a stack. */
@Catch()
@Injectable()
export class GrpcExceptionsFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger: JsonLogger) {}

  catch(exception: unknown, _host: ArgumentsHost): Observable<GrpcError> {
    return throwError(() => grpcErrorOf(exception, this.logger));
  }
}
