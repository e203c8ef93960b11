import type { NextFunction, Request, Response } from 'express';

/**
 * Serves some paths as others (the query string kept): how the default model's routes
 * (`/predict`, …) serve the model DEFAULT_MODEL names. Runs after the error style is chosen, so a
 * rewritten `/invocations` still answers errors in MLflow's style.
 */
export function pathRewriteMiddleware(rewrites: Readonly<Record<string, string>>) {
  const table = new Map(Object.entries(rewrites).map(([from, to]) => [from.toLowerCase(), to]));
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (table.size > 0) {
      const q = req.url.indexOf('?');
      const path = q < 0 ? req.url : req.url.slice(0, q);
      // As the router matches: case-insensitive, one trailing slash ignored; else `/Predict/` would reach the old route.
      const to = table.get(path.length > 1 ? path.toLowerCase().replace(/\/$/, '') : path);
      if (to !== undefined) req.url = to + (q < 0 ? '' : req.url.slice(q));
    }
    next();
  };
}
