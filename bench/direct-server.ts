import { createServer, type Server } from 'node:http';
import { featuresSchema, featureVector } from '@app/contracts';
import { compileScorer, type GaussianNBParams } from '@app/model';

/**
 * The baseline: what a single-process "FastAPI script" does — parse, validate, score, answer —
 * with the same model and validation, and no broker in between.
 */
export function startDirectServer(params: GaussianNBParams, port: number): Promise<Server> {
  const score = compileScorer(params);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const parsed = featuresSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString()));
      if (!parsed.success) {
        res.writeHead(400).end();
        return;
      }
      const r = score(featureVector(parsed.data));
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'success', prediction: r.className, probability: r.probability }));
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
