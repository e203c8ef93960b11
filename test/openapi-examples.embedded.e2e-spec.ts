/* eslint-disable @typescript-eslint/no-explicit-any */
import Ajv2020 from 'ajv/dist/2020';
import request from 'supertest';
import type { EmbeddedPlatform } from '@apps/embedded/embedded-platform';
import { startTestPlatform } from './support/embedded';
import { eventually } from './support/http';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const ERRORS_OF_GUARDED_ROUTES = ['401', '403', '429'];
const ERRORS_OF_BODIES = ['400', '413', '415'];

interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  op: any;
}

/**
 * The OpenAPI document is generated from the schemas that validate requests; this holds it to
 * the live server: every route documents its body, answers and error bodies, every example it
 * gives is a valid request, and the server's answer to each matches the documented schema.
 */
describe('OpenAPI document (embedded mode): every route documented, every example answered as documented', () => {
  let platform: EmbeddedPlatform;
  let http: ReturnType<typeof request>;
  let operations: Operation[];
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  // The only format the document uses; ajv-formats is not a dependency of ours.
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  const problems = (schema: object, value: unknown) =>
    ajv.validate(schema, value) ? [] : (ajv.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`);

  beforeAll(async () => {
    ({ platform, http } = await startTestPlatform('openapi-embedded'));
    // A second version, so the shadow and canary examples (version 2) name one that is not current once version 1 is promoted back.
    const job = (await http.post('/retrain').send({ random_state: 7, test_size: 0.3 }).expect(202)).body.job_id as string;
    await eventually(async () => ((await http.get(`/retrain/${job}`)).body.status === 'promoted' ? true : undefined), 10_000, 'version 2');
    // The named models the per-model examples use: wine (twice, so that version 2 can be a canary
    // and a shadow once the promote example makes version 1 current again), and wine-old for the DELETE example.
    for (const name of ['wine', 'wine', 'wine-old']) {
      const dataset = { source: 'csv', path: 'wine-train.csv', label: 'class' };
      const named = (
        await http
          .post(`/models/${name}/retrain`)
          .send({ dataset, holdout: { ...dataset, path: 'wine-test.csv' } })
          .expect(202)
      ).body.job_id as string;
      await eventually(async () => ((await http.get(`/retrain/${named}`)).body.status === 'promoted' ? true : undefined), 10_000, name);
    }
    const doc = (await http.get('/docs-json').expect(200)).body;
    expect(doc.openapi).toBe('3.1.0');
    operations = Object.entries(doc.paths as Record<string, any>).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] })),
    );
  });
  afterAll(() => platform?.close());

  it('lists every route the gateway serves', () => {
    expect(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort()).toEqual(
      [
        'GET /health',
        'GET /ready',
        'GET /metrics',
        'POST /predict',
        'POST /predict/batch',
        'GET /predictions/{requestId}',
        'GET /models',
        'GET /models/current',
        'GET /models/{name}/versions/{version}/live',
        'GET /models/{version}',
        'POST /models/{version}/promote',
        'GET /models/{version}/live',
        'POST /models/{version}/shadow',
        'POST /models/{name}/versions',
        'DELETE /models/{version}/shadow',
        'POST /models/{version}/canary',
        'DELETE /models/{version}/canary',
        'POST /feedback',
        'POST /retrain',
        'GET /retrain/{jobId}',
        'GET /v2',
        'GET /v2/health/live',
        'GET /v2/health/ready',
        'GET /v2/models/{model}',
        'GET /v2/models/{model}/versions/{version}',
        'GET /v2/models/{model}/ready',
        'GET /v2/models/{model}/versions/{version}/ready',
        'POST /v2/models/{model}/infer',
        'POST /v2/models/{model}/versions/{version}/infer',
        'POST /invocations',
        'GET /ping',
        'POST /models/{name}/predict',
        'POST /models/{name}/predict/batch',
        'POST /models/{name}/versions/{version}/predict',
        'POST /models/{name}/versions/{version}/predict/batch',
        'POST /models/{name}/versions/{version}/promote',
        'POST /models/{name}/retrain',
        'DELETE /models/{name}',
        'POST /models/{name}/feedback',
        'POST /models/{name}/versions/{version}/canary',
        'DELETE /models/{name}/versions/{version}/canary',
        'POST /models/{name}/versions/{version}/shadow',
        'DELETE /models/{name}/versions/{version}/shadow',
        'POST /models/{name}/invocations',
        'POST /v2/repository/index',
      ].sort(),
    );
  });

  it('documents for every route a success answer with its schema, and the errors callers can meet with theirs', () => {
    const gaps: string[] = [];
    const probes = ['/health', '/ready', '/v2/health/live', '/v2/health/ready', '/ping'];
    for (const { method, path, op } of operations) {
      const statuses = Object.keys(op.responses);
      const name = `${method.toUpperCase()} ${path}`;
      if (!statuses.some((s) => s.startsWith('2') && Object.values(op.responses[s].content ?? {}).some((c: any) => c.schema)))
        gaps.push(`${name}: no 2xx schema`);
      for (const s of statuses) if (!Object.values(op.responses[s].content ?? {}).some((c: any) => c.schema)) gaps.push(`${name} ${s}: no schema`);
      const expected = [...(probes.includes(path) ? [] : ERRORS_OF_GUARDED_ROUTES), ...(op.requestBody ? ERRORS_OF_BODIES : [])];
      for (const s of expected) if (!statuses.includes(s)) gaps.push(`${name}: ${s} not documented`);
      if (method === 'post' && !op.requestBody) gaps.push(`${name}: no request body`);
      for (const [type, content] of Object.entries((op.requestBody?.content ?? {}) as Record<string, any>)) {
        if (!content.schema || Object.keys(content.examples ?? {}).length === 0) gaps.push(`${name} ${type}: request body without schema or examples`);
      }
    }
    expect(gaps).toEqual([]);
  });

  it('gives request examples that the documented request schemas accept', () => {
    const invalid: string[] = [];
    for (const { method, path, op } of operations) {
      for (const [type, content] of Object.entries((op.requestBody?.content ?? {}) as Record<string, any>)) {
        for (const [name, example] of Object.entries((content.examples ?? {}) as Record<string, any>)) {
          const found = problems(content.schema, example.value);
          if (found.length > 0) invalid.push(`${method.toUpperCase()} ${path} ${type} "${name}": ${found.join('; ')}`);
        }
      }
    }
    expect(invalid).toEqual([]);
  });

  it('answers every documented example with a documented status and a body matching its schema', async () => {
    const mismatches: string[] = [];
    let sent = 0;
    for (const { method, path, op } of operations) {
      const url = path.replace(/\{(\w+)\}/g, (_, param: string) => {
        const parameter = (op.parameters as any[]).find((p) => p.in === 'path' && p.name === param);
        const example = parameter?.example ?? parameter?.schema?.example;
        if (example === undefined) throw new Error(`${path}: path parameter ${param} has no example`);
        return encodeURIComponent(String(example));
      });
      const bodies = Object.entries((op.requestBody?.content ?? {}) as Record<string, any>).flatMap(([type, content]) =>
        Object.entries((content.examples ?? {}) as Record<string, any>).map(([name, example]) => ({ type, name, value: example.value })),
      );
      for (const body of bodies.length > 0 ? bodies : [undefined]) {
        let req = http[method](url);
        if (body) req = req.set('Content-Type', body.type).send(typeof body.value === 'string' ? body.value : JSON.stringify(body.value));
        const res = await req;
        sent++;
        const label = `${method.toUpperCase()} ${url}${body ? ` "${body.name}"` : ''} → ${res.status}`;
        const documented = op.responses[String(res.status)];
        if (!documented) {
          mismatches.push(`${label}: status not documented (${JSON.stringify(res.body).slice(0, 200)})`);
          continue;
        }
        // An example of a request body is an example of a valid request.
        if (body && !String(res.status).startsWith('2')) mismatches.push(`${label}: an example request failed (${JSON.stringify(res.body).slice(0, 200)})`);
        const type = String(res.headers['content-type']).split(';')[0];
        const content = documented.content?.[type];
        if (!content) {
          mismatches.push(`${label}: content type ${type} not documented`);
          continue;
        }
        const found = problems(content.schema, type === 'application/json' ? res.body : res.text);
        if (found.length > 0) mismatches.push(`${label}: ${found.join('; ')}`);
      }
    }
    expect(mismatches).toEqual([]);
    // The 18 GET and 5 DELETE routes once each, and the 37 request examples of the 23 POST routes.
    expect(sent).toBe(60);
  });
});
