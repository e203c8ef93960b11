import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter turns every handler error into a generic `{status, message}` object.
 * The contract consumer needs the original error to choose between retrying (RetryableError)
 * and dead-lettering, so event handlers get this filter instead of the HTTP one.
 */
@Catch()
export class RethrowRpcFilter implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
