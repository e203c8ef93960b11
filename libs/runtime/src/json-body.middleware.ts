import express, { type NextFunction, type Request, type Response } from 'express';
import type { ApiErrorBody } from './api-error';
import { requestIds } from './exceptions.filter';

/**
 * A POST must say `Content-Type: application/json`, even with an empty body: the content types
 * a cross-site form may send without a CORS preflight (text/plain, form encodings) can then
 * never change state. PUT and PATCH need it whenever they carry a body.
 */
function needsJson(req: Request): boolean {
  if (req.method === 'POST') return true;
  if (req.method !== 'PUT' && req.method !== 'PATCH') return false;
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

/** BODY_LIMIT (validated as <n>b|kb|mb) in bytes. */
function limitBytes(limit: string): number {
  const [, n, unit] = /^(\d+)(b|kb|mb)$/.exec(limit)!;
  return Number(n) * { b: 1, kb: 1024, mb: 1024 * 1024 }[unit as 'b' | 'kb' | 'mb'];
}

function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === 'application/json';
}

/**
 * Body parsing owned by us rather than Nest's default, because body-parser errors happen
 * before Nest's exception filters and Express would answer them with an HTML page.
 */
export function jsonBodyMiddleware(limit: string) {
  const parse = express.json({ limit, strict: false });
  const maxBytes = limitBytes(limit);
  return [
    (req: Request, res: Response, next: NextFunction): void => {
      if (needsJson(req) && !isJson(req.headers['content-type'])) {
        send(res, 415, { status: 'error', error: 'unsupported_media_type', message: 'Content-Type must be application/json' });
        return;
      }
      // Refused on the announced length, at once: body-parser would first read (or wait for) the whole body.
      if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
        res.setHeader('Connection', 'close');
        send(res, 413, { status: 'error', error: 'payload_too_large', message: `Request body exceeds the ${limit} limit` });
        return;
      }
      next();
    },
    parse,
    (err: { type?: string; status?: number; message?: string }, _req: Request, res: Response, next: NextFunction): void => {
      if (!err) return next();
      if (err.type === 'entity.too.large') {
        send(res, 413, { status: 'error', error: 'payload_too_large', message: `Request body exceeds the ${limit} limit` });
      } else if (err.type === 'entity.parse.failed') {
        send(res, 400, { status: 'error', error: 'invalid_json', message: 'Request body is not valid JSON' });
      } else if (err.type === 'charset.unsupported' || err.type === 'encoding.unsupported') {
        send(res, 415, { status: 'error', error: 'unsupported_media_type', message: 'Send the body as uncompressed UTF-8 JSON' });
      } else {
        send(res, err.status && err.status < 500 ? err.status : 400, { status: 'error', error: 'bad_request', message: 'Malformed request body' });
      }
    },
  ];
}

function send(res: Response, status: number, body: ApiErrorBody): void {
  res.status(status).json({ ...body, ...requestIds(res) });
}
