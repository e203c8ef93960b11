import type { Response } from 'express';
import type { RequestIds } from './prediction.service';

/** The ids the request-id middleware gave this request. */
export function idsOf(res: Response): RequestIds {
  return { requestId: res.locals.requestId as string, clientRequestId: res.locals.clientRequestId as string | undefined };
}

/** The ids as response fields: ours always, the caller's when it sent one. */
export function idFields(ids: RequestIds): { request_id: string; client_request_id?: string } {
  return ids.clientRequestId ? { request_id: ids.requestId, client_request_id: ids.clientRequestId } : { request_id: ids.requestId };
}
