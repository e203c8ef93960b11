import type { NextFunction, Request, Response } from 'express';
import type { ApiErrorBody } from './api-error';

/** The ids every error body carries: ours always, the caller's when it sent one. */
export function requestIds(res: Response): { request_id?: string; client_request_id?: string } {
  const ids: { request_id?: string; client_request_id?: string } = { request_id: res.locals?.requestId as string | undefined };
  if (res.locals?.clientRequestId) ids.client_request_id = res.locals.clientRequestId as string;
  return ids;
}

/** How a family of routes words its errors, when a protocol it implements prescribes a body of its own. */
export type ErrorBodyStyle = (status: number, body: ApiErrorBody) => unknown;

export interface ErrorStyleRoute {
  /** A path prefix: the route itself and everything below it. */
  path: string;
  style: ErrorBodyStyle;
}

/**
 * Marks requests to routes with their own error style. Installed before any middleware that
 * can refuse a request, so a body-parsing or shutdown refusal is worded like the route's own.
 */
export function errorStyleMiddleware(routes: ErrorStyleRoute[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const route = routes.find((r) => req.path === r.path || req.path.startsWith(`${r.path}/`));
    if (route) res.locals.errorStyle = route.style;
    next();
  };
}

/** Every error response goes out here: our body with the request ids, in the route's style when it has one. */
export function sendError(res: Response, status: number, body: ApiErrorBody): void {
  const full: ApiErrorBody = { ...body, ...requestIds(res) };
  const style = res.locals?.errorStyle as ErrorBodyStyle | undefined;
  res.status(status).json(style ? style(status, full) : full);
}
