import type { Request, Response } from 'express';
import { pathRewriteMiddleware } from './path-rewrite.middleware';

function rewritten(url: string): string {
  const req = { url } as Request;
  let called = false;
  pathRewriteMiddleware({ '/predict': '/models/wine/predict', '/predict/batch': '/models/wine/predict/batch' })(req, {} as Response, () => (called = true));
  expect(called).toBe(true);
  return req.url;
}

describe('pathRewriteMiddleware', () => {
  it('serves a path as another, keeping the query string', () => {
    expect(rewritten('/predict')).toBe('/models/wine/predict');
    expect(rewritten('/predict/batch?x=1')).toBe('/models/wine/predict/batch?x=1');
  });

  it('matches as the router does: any case, one trailing slash', () => {
    expect(rewritten('/Predict/')).toBe('/models/wine/predict');
    expect(rewritten('/PREDICT/BATCH')).toBe('/models/wine/predict/batch');
  });

  it('leaves every other path alone', () => {
    expect(rewritten('/predictions/abc')).toBe('/predictions/abc');
    expect(rewritten('/models/iris/predict')).toBe('/models/iris/predict');
    expect(rewritten('/')).toBe('/');
  });
});
