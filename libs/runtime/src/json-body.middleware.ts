import express, { type NextFunction, type Request, type Response } from 'express';
import { sendError } from './error-response';
import { answerAfterDiscardingBody, type DiscardLimits } from './refused-body';

/**
 * A POST route whose protocol lets clients send bodies other POSTs may not; each is named
 * explicitly (every other POST must say application/json).
 */
export interface BodyRoute {
  /** The exact path, or a pattern for a family of paths. */
  path: string | RegExp;
  /** Media types accepted besides application/json, read as text (MLflow's /invocations takes text/csv). */
  textTypes?: string[];
  /**
   * A body without any Content-Type is read as JSON (Triton's HTTP client sends none to
   * OIP's /infer). Such a POST needs no CORS preflight, so grant this only to routes that change
   * no state.
   */
  untypedJson?: boolean;
}

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
export function bodyLimitBytes(limit: string): number {
  const [, n, unit] = /^(\d+)(b|kb|mb)$/.exec(limit)!;
  return Number(n) * { b: 1, kb: 1024, mb: 1024 * 1024 }[unit as 'b' | 'kb' | 'mb'];
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** The charset parameter of a Content-Type, lower-cased, quotes removed; undefined when none is given. */
function charsetOf(contentType: string | undefined): string | undefined {
  return /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType ?? '')?.[2].toLowerCase();
}

/**
 * Bodies are UTF-8 only. body-parser would decode any charset iconv knows, UTF-7 and UTF-16
 * included, and a payload in UTF-7 slips past anything that inspects the raw bytes (a WAF, a
 * log filter) before it turns into the JSON the handler reads.
 */
const isUtf8 = (charset: string | undefined) => charset === undefined || charset === 'utf-8';

/**
 * Body parsing owned by us rather than Nest's default, because body-parser errors happen
 * before Nest's exception filters and Express would answer them with an HTML page.
 */
export function jsonBodyMiddleware(limit: string, discard: DiscardLimits, routes: BodyRoute[] = []) {
  const parseJson = express.json({ limit, strict: false });
  const parseText = express.text({ limit, type: () => true });
  const maxBytes = bodyLimitBytes(limit);
  const routeOf = (req: Request) =>
    req.method === 'POST' ? routes.find((r) => (typeof r.path === 'string' ? r.path === req.path : r.path.test(req.path))) : undefined;
  const textTypesOf = (req: Request) => routeOf(req)?.textTypes ?? [];
  const tooLarge = (req: Request, res: Response) =>
    answerAfterDiscardingBody(req, res, discard, () =>
      sendError(res, 413, { status: 'error', error: 'payload_too_large', message: `Request body exceeds the ${limit} limit` }),
    );
  return [
    (req: Request, res: Response, next: NextFunction): void => {
      if (req.headers['content-type'] === undefined && routeOf(req)?.untypedJson) req.headers['content-type'] = 'application/json';
      const type = mediaType(req.headers['content-type']);
      if (needsJson(req) && type !== 'application/json' && !textTypesOf(req).includes(type)) {
        const allowed = ['application/json', ...textTypesOf(req)].join(' or ');
        sendError(res, 415, { status: 'error', error: 'unsupported_media_type', message: `Content-Type must be ${allowed}` });
        return;
      }
      if (!isUtf8(charsetOf(req.headers['content-type']))) {
        const charset = charsetOf(req.headers['content-type'])!.slice(0, 32);
        sendError(res, 415, { status: 'error', error: 'unsupported_media_type', message: `charset ${charset} is not supported: send the body in UTF-8` });
        return;
      }
      // Refused on the announced length, before anything is parsed: body-parser would first buffer the whole body.
      if (Number(req.headers['content-length'] ?? 0) > maxBytes) return tooLarge(req, res);
      next();
    },
    parseJson,
    (req: Request, res: Response, next: NextFunction): void => {
      if (textTypesOf(req).includes(mediaType(req.headers['content-type']))) parseText(req, res, next);
      else next();
    },
    (err: { type?: string; status?: number; message?: string }, req: Request, res: Response, next: NextFunction): void => {
      if (!err) return next();
      if (err.type === 'entity.too.large') {
        tooLarge(req, res);
      } else if (err.type === 'entity.parse.failed') {
        sendError(res, 400, { status: 'error', error: 'invalid_json', message: 'Request body is not valid JSON' });
      } else if (err.type === 'charset.unsupported' || err.type === 'encoding.unsupported') {
        sendError(res, 415, { status: 'error', error: 'unsupported_media_type', message: 'Send the body uncompressed, in UTF-8' });
      } else {
        sendError(res, err.status && err.status < 500 ? err.status : 400, { status: 'error', error: 'bad_request', message: 'Malformed request body' });
      }
    },
  ];
}
