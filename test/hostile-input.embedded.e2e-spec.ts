import { connect, type AddressInfo } from 'node:net';
import type { EmbeddedPlatform } from '@apps/embedded/embedded-platform';
import { statedNumbers } from './support/doc-claims';
import { startTestPlatform } from './support/embedded';

/**
 * A corpus of malformed and hostile HTTP requests, sent as raw bytes so that nothing between the
 * test and the server repairs them. Each must get the 4xx it names, with the JSON error body,
 * and the process must keep serving.
 */
interface RawResponse {
  status: number;
  contentType: string;
  body: string;
}

function send(port: number, request: Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = () => {
      if (settled) return;
      const text = received.toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      const body = split < 0 ? '' : text.slice(split + 4);
      settled = true;
      socket.destroy();
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        contentType: /\r\ncontent-type: ([^\r]+)/i.exec(head)?.[1] ?? '',
        body,
      });
    };
    // Written, not ended: a client that half-closes is one Node's server hangs up on before answering.
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      // Done once the whole body the response announced is here (the server may keep reading an unread request body).
      const text = received.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, split))?.[1];
      if (split >= 0 && length !== undefined && received.length - split - 4 >= Number(length)) finish();
    });
    socket.on('error', (err) => (settled ? undefined : reject(err)));
    socket.on('close', finish);
    socket.setTimeout(15_000, () => socket.destroy(new Error('no response in 15 s')));
  });
}

interface Case {
  method?: string;
  path?: string;
  /** Extra header lines, raw. */
  headers?: string[];
  body?: string | Buffer;
  /** Defaults to application/json; null sends none. */
  contentType?: string | null;
  /** Content-Length is computed unless a header line sets it. */
  status: number;
  error?: string;
}

function build(c: Case): Buffer {
  const body = typeof c.body === 'string' ? Buffer.from(c.body) : (c.body ?? Buffer.alloc(0));
  const lines = [`${c.method ?? 'POST'} ${c.path ?? '/predict'} HTTP/1.1`, 'Host: localhost', 'Connection: close'];
  const contentType = c.contentType === undefined ? 'application/json' : c.contentType;
  if (contentType !== null) lines.push(`Content-Type: ${contentType}`);
  const headers = c.headers ?? [];
  if (!headers.some((h) => /^(content-length|transfer-encoding):/i.test(h))) lines.push(`Content-Length: ${body.length}`);
  lines.push(...headers);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}

const ok = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const json = (v: unknown) => JSON.stringify(v);
const with_ = (patch: Record<string, unknown>) => json({ ...ok, ...patch });
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const nestedObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

const CORPUS: Array<[string, Case]> = [
  // Types and values of a single prediction.
  ['a feature as a string', { body: with_({ sepal_length: '5.1' }), status: 400, error: 'validation_failed' }],
  ['a feature as true', { body: with_({ sepal_width: true }), status: 400, error: 'validation_failed' }],
  ['a feature as null', { body: with_({ petal_length: null }), status: 400, error: 'validation_failed' }],
  ['a feature as an array', { body: with_({ petal_width: [0.2] }), status: 400, error: 'validation_failed' }],
  ['a feature as an object', { body: with_({ petal_width: { cm: 0.2 } }), status: 400, error: 'validation_failed' }],
  ['a feature as "NaN"', { body: with_({ sepal_length: 'NaN' }), status: 400, error: 'validation_failed' }],
  ['a feature as "Infinity"', { body: with_({ sepal_length: 'Infinity' }), status: 400, error: 'validation_failed' }],
  [
    'a number overflowing to Infinity',
    { body: '{"sepal_length":1e309,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}', status: 400, error: 'validation_failed' },
  ],
  [
    'a number overflowing to -Infinity',
    { body: '{"sepal_length":-1e309,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}', status: 400, error: 'validation_failed' },
  ],
  [
    'a number underflowing to 0',
    { body: '{"sepal_length":1e-400,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}', status: 400, error: 'validation_failed' },
  ],
  [
    'a 400-digit number',
    { body: `{"sepal_length":${'9'.repeat(400)},"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}`, status: 400, error: 'validation_failed' },
  ],
  ['a negative measurement', { body: with_({ sepal_length: -5 }), status: 400, error: 'validation_failed' }],
  ['zero', { body: with_({ petal_width: 0 }), status: 400, error: 'validation_failed' }],
  ['-0', { body: '{"sepal_length":-0,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}', status: 400, error: 'validation_failed' }],
  ['a measurement of 101 cm', { body: with_({ sepal_length: 101 }), status: 400, error: 'validation_failed' }],
  ['Number.MAX_VALUE', { body: with_({ sepal_length: Number.MAX_VALUE }), status: 400, error: 'validation_failed' }],
  ['a hex literal', { body: '{"sepal_length":0x5,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}', status: 400, error: 'invalid_json' }],
  ['NaN as a bare word', { body: '{"sepal_length":NaN,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}', status: 400, error: 'invalid_json' }],
  ['a missing feature', { body: json({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4 }), status: 400, error: 'validation_failed' }],
  ['an extra field', { body: with_({ colour: 'blue' }), status: 400, error: 'validation_failed' }],
  ['an empty object', { body: '{}', status: 400, error: 'validation_failed' }],
  ['an empty body', { body: '', status: 400, error: 'validation_failed' }],
  ['a whitespace body', { body: '   \n\t ', status: 400, error: 'invalid_json' }],
  ['a JSON array body', { body: json([ok]), status: 400, error: 'validation_failed' }],
  ['a JSON string body', { body: '"setosa"', status: 400, error: 'validation_failed' }],
  ['a JSON number body', { body: '5.1', status: 400, error: 'validation_failed' }],
  ['a JSON null body', { body: 'null', status: 400, error: 'validation_failed' }],
  ['a JSON true body', { body: 'true', status: 400, error: 'validation_failed' }],
  // Malformed JSON.
  ['truncated JSON', { body: '{"sepal_length": 5.1,', status: 400, error: 'invalid_json' }],
  ['single quotes', { body: "{'sepal_length': 5.1}", status: 400, error: 'invalid_json' }],
  ['a trailing comma', { body: '{"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2,}', status: 400, error: 'invalid_json' }],
  ['a comment', { body: '{"sepal_length":5.1 /* x */}', status: 400, error: 'invalid_json' }],
  ['two JSON documents', { body: `${json(ok)}${json(ok)}`, status: 400, error: 'invalid_json' }],
  ['a lone surrogate escape', { body: '{"\\ud800":1}', status: 400, error: 'validation_failed' }],
  ['an unescaped control character', { body: '{"sepal_length":"\u0001"}', status: 400, error: 'invalid_json' }],
  ['a NUL byte', { body: Buffer.from('{"sepal_length":5.1\u0000}'), status: 400, error: 'invalid_json' }],
  [
    'invalid UTF-8 in a string',
    { body: Buffer.concat([Buffer.from('{"sepal_length":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]), status: 400, error: 'validation_failed' },
  ],
  [
    'invalid UTF-8 in a key',
    { body: Buffer.concat([Buffer.from('{"'), Buffer.from([0xc0, 0xaf]), Buffer.from('":1}')]), status: 400, error: 'validation_failed' },
  ],
  ['a UTF-8 byte order mark', { body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(with_({ colour: 1 }))]), status: 400 }],
  ['arrays nested 100,000 deep', { body: nested(100_000), status: 400 }],
  ['objects nested 50,000 deep', { body: nestedObject(50_000), status: 400 }],
  ['a feature nested 1,000 objects deep', { body: with_({ sepal_length: JSON.parse(nestedObject(1000)) }), status: 400, error: 'validation_failed' }],
  ['60,000 unknown keys', { body: `{${Array.from({ length: 60_000 }, (_, i) => `"k${i}":0`).join(',')}}`, status: 400, error: 'validation_failed' }],
  // Prototype pollution and duplicate keys.
  [
    '__proto__ as a key',
    { body: '{"__proto__":{"polluted":1},"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}', status: 400, error: 'validation_failed' },
  ],
  ['constructor.prototype as a key', { body: '{"constructor":{"prototype":{"polluted":1}}}', status: 400, error: 'validation_failed' }],
  [
    'a duplicate key whose last value is bad',
    { body: '{"sepal_length":5.1,"sepal_length":"x","sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}', status: 400, error: 'validation_failed' },
  ],
  [
    '__proto__ inside a batch row',
    {
      body: '{"instances":[{"__proto__":{"x":1},"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}]}',
      path: '/predict/batch',
      status: 400,
    },
  ],
  // Batches.
  ['instances missing', { path: '/predict/batch', body: '{}', status: 400, error: 'validation_failed' }],
  ['instances null', { path: '/predict/batch', body: '{"instances":null}', status: 400, error: 'validation_failed' }],
  ['instances as an object', { path: '/predict/batch', body: json({ instances: ok }), status: 400, error: 'validation_failed' }],
  ['an empty batch', { path: '/predict/batch', body: '{"instances":[]}', status: 400, error: 'validation_failed' }],
  ['a batch of 1001 rows', { path: '/predict/batch', body: json({ instances: Array(1001).fill(ok) }), status: 400, error: 'validation_failed' }],
  ['a null row in a batch', { path: '/predict/batch', body: json({ instances: [ok, null] }), status: 400, error: 'validation_failed' }],
  ['rows as arrays', { path: '/predict/batch', body: json({ instances: [[5.1, 3.5, 1.4, 0.2]] }), status: 400, error: 'validation_failed' }],
  [
    'a batch body over the size limit',
    { path: '/predict/batch', body: json({ instances: Array(1000).fill(ok), pad: 'x'.repeat(1_100_000) }), status: 413, error: 'payload_too_large' },
  ],
  // A batch far over the row cap, refused on its line count before a row is built.
  [
    'a 1 MB CSV of 65,000 rows to /invocations',
    {
      path: '/invocations',
      contentType: 'text/csv',
      body: `sepal_length,sepal_width,petal_length,petal_width\n${'5.1,3.5,1.4,0.2\n'.repeat(65_000)}`,
      status: 400,
      error: 'invalid_input',
    },
  ],
  // Content types, charsets, encodings and lengths.
  ['no content type', { contentType: null, body: json(ok), status: 415, error: 'unsupported_media_type' }],
  ['text/plain', { contentType: 'text/plain', body: json(ok), status: 415, error: 'unsupported_media_type' }],
  ['a form encoding', { contentType: 'application/x-www-form-urlencoded', body: 'sepal_length=5.1', status: 415, error: 'unsupported_media_type' }],
  ['multipart', { contentType: 'multipart/form-data; boundary=x', body: '--x--', status: 415, error: 'unsupported_media_type' }],
  ['application/xml', { contentType: 'application/xml', body: '<x/>', status: 415, error: 'unsupported_media_type' }],
  ['a JSON-looking suffix type', { contentType: 'application/json-patch+json', body: json(ok), status: 415, error: 'unsupported_media_type' }],
  ['charset latin1', { contentType: 'application/json; charset=latin1', body: json(ok), status: 415, error: 'unsupported_media_type' }],
  ['charset iso-8859-1', { contentType: 'application/json; charset=iso-8859-1', body: json(ok), status: 415, error: 'unsupported_media_type' }],
  [
    // Decodes to a valid flower; the raw bytes never contain "sepal_length" in quotes.
    'charset utf-7 hiding the quotes of a key',
    {
      contentType: 'application/json; charset=utf-7',
      body: '{+ACI-sepal_length+ACI-:5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}',
      status: 415,
      error: 'unsupported_media_type',
    },
  ],
  [
    'charset utf-16',
    { contentType: 'application/json; charset=utf-16le', body: Buffer.from(json(ok), 'utf16le'), status: 415, error: 'unsupported_media_type' },
  ],
  [
    'a CSV in charset utf-7',
    { path: '/invocations', contentType: 'text/csv; charset=utf-7', body: 'sepal_length\n5.1\n', status: 415, error: 'unsupported_media_type' },
  ],
  ['a gzip content encoding that is not gzip', { headers: ['Content-Encoding: gzip'], body: json(ok), status: 400 }],
  ['an unknown content encoding', { headers: ['Content-Encoding: br2'], body: json(ok), status: 415, error: 'unsupported_media_type' }],
  ['a Content-Length of 10 MB', { headers: ['Content-Length: 10000000'], body: json(ok), status: 413, error: 'payload_too_large' }],
  ['a Content-Length beyond 2^53', { headers: ['Content-Length: 100000000000000000000'], body: json(ok), status: 400 }],
  ['a non-numeric Content-Length', { headers: ['Content-Length: abc'], body: json(ok), status: 400 }],
  ['two different Content-Lengths', { headers: ['Content-Length: 10', 'Content-Length: 20'], body: json(ok), status: 400 }],
  ['Content-Length with chunked encoding', { headers: ['Content-Length: 5', 'Transfer-Encoding: chunked'], body: '0\r\n\r\n', status: 400 }],
  ['a broken chunked body', { headers: ['Transfer-Encoding: chunked'], body: 'zz\r\nabc\r\n0\r\n\r\n', status: 400 }],
  // Header abuse.
  ['a 20 KB header', { headers: [`X-Filler: ${'a'.repeat(20_000)}`], body: json(ok), status: 431, error: 'headers_too_large' }],
  ['2,000 headers', { headers: Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`), body: json(ok), status: 431, error: 'headers_too_large' }],
  ['a header name with a space', { headers: ['Bad Header: x'], body: json(ok), status: 400 }],
  ['a header value with a NUL', { headers: ['X-Evil: a\u0000b'], body: json(ok), status: 400 }],
  ['a header without a colon', { headers: ['NoColonHere'], body: json(ok), status: 400 }],
  ['an obsolete folded header line', { headers: ['X-Folded: a', ' b'], body: json(ok), status: 400 }],
  ['a bare LF line ending in a header', { headers: ['X-A: 1\nX-B: 2'], body: json(ok), status: 400 }],
  [
    'an empty Authorization header on an admin route',
    { path: '/retrain', headers: ['Authorization: '], body: '{"test_size":2}', status: 400, error: 'validation_failed' },
  ],
  ['a 10 KB X-Request-Id on a bad body', { headers: [`X-Request-Id: ${'r'.repeat(10_000)}`], body: '{}', status: 400, error: 'validation_failed' }],
  // Paths.
  ['a path climbing out of the routes', { method: 'GET', path: '/predict/../../etc/passwd', contentType: null, status: 404, error: 'not_found' }],
  ['an encoded traversal in a lookup', { method: 'GET', path: '/predictions/..%2f..%2fetc%2fpasswd', contentType: null, status: 404, error: 'not_found' }],
  ['an undecodable escape in a parameter', { method: 'GET', path: '/predictions/%ff', contentType: null, status: 400 }],
  ['an encoded NUL in a parameter', { method: 'GET', path: '/predictions/abc%00def', contentType: null, status: 404, error: 'not_found' }],
  ['a 7 KB lookup id', { method: 'GET', path: `/predictions/${'x'.repeat(7000)}`, contentType: null, status: 404, error: 'not_found' }],
  ['a double slash', { method: 'GET', path: '//models', contentType: null, status: 404, error: 'not_found' }],
  ['an absolute URI to another host', { method: 'GET', path: 'http://evil.example/models/99', contentType: null, status: 404 }],
  ['neither a model version nor a model name', { method: 'GET', path: '/models/ABC', contentType: null, status: 400, error: 'invalid_model_reference' }],
  ['an unknown model name', { method: 'GET', path: '/models/abc', contentType: null, status: 404, error: 'not_found' }],
  ['a model name with a traversal', { path: '/models/..%2f..%2fretrain/predict', body: json(ok), status: 400, error: 'invalid_model_name' }],
  ['an exponent as a model version', { path: '/models/1e3/promote', body: '{}', status: 400 }],
  ['an unknown model version to promote', { path: '/models/99999/promote', body: '{}', status: 404, error: 'not_found' }],
  ['a promote reason of 600 characters', { path: '/models/1/promote', body: json({ reason: 'x'.repeat(600) }), status: 400, error: 'validation_failed' }],
  ['a promote reason that is a number', { path: '/models/1/promote', body: json({ reason: 5 }), status: 400, error: 'validation_failed' }],
  // A named model's feedback, live figures and canary.
  [
    'named feedback for a traversal name',
    { path: '/models/..%2fetc/feedback', body: json({ request_id: 'x', label: 'a' }), status: 400, error: 'invalid_model_name' },
  ],
  ['named feedback for an unknown model', { path: '/models/nope/feedback', body: json({ request_id: 'x', label: 'a' }), status: 404, error: 'not_found' }],
  [
    'named feedback of 1001 items',
    { path: '/models/nope/feedback', body: json({ items: Array(1001).fill({ request_id: 'x', label: 'a' }) }), status: 400, error: 'validation_failed' },
  ],
  ['a named canary of 150 percent', { path: '/models/wine/versions/1/canary', body: json({ percent: 150 }), status: 400, error: 'validation_failed' }],
  ['a canary for an unknown model', { path: '/models/nope/versions/1/canary', body: json({ percent: 10 }), status: 404, error: 'not_found' }],
  ['an exponent as a named version', { method: 'GET', path: '/models/wine/versions/1e3/live', contentType: null, status: 400 }],
  // Method confusion.
  ['GET on a POST route', { method: 'GET', contentType: null, status: 404, error: 'not_found' }],
  ['PUT on a POST route', { method: 'PUT', body: json(ok), status: 404, error: 'not_found' }],
  ['DELETE on a model', { method: 'DELETE', path: '/models/1', contentType: null, status: 404, error: 'not_found' }],
  ['PATCH on retrain', { method: 'PATCH', path: '/retrain', body: '{}', status: 404, error: 'not_found' }],
  ['TRACE', { method: 'TRACE', contentType: null, status: 404, error: 'not_found' }],
  ['a made-up method', { method: 'FROB', contentType: null, status: 400 }],
  [
    'a method override header',
    { method: 'GET', path: '/retrain', headers: ['X-HTTP-Method-Override: POST'], contentType: null, status: 404, error: 'not_found' },
  ],
  ['HTTP/1.1 without a Host header', { status: 415 }],
  // Retrain bodies.
  ['an unknown dataset source', { path: '/retrain', body: json({ dataset: { source: 's3', url: 'x' } }), status: 400, error: 'validation_failed' }],
  [
    'a dataset path of 5,000 characters',
    { path: '/retrain', body: json({ dataset: { source: 'csv', path: 'a'.repeat(5000) } }), status: 400, error: 'validation_failed' },
  ],
  ['a negative random_state', { path: '/retrain', body: json({ random_state: -1 }), status: 400, error: 'validation_failed' }],
  ['a fractional random_state', { path: '/retrain', body: json({ random_state: 1.5 }), status: 400, error: 'validation_failed' }],
  ['random_state 2^32', { path: '/retrain', body: json({ random_state: 2 ** 32 }), status: 400, error: 'validation_failed' }],
  ['var_smoothing 2', { path: '/retrain', body: json({ var_smoothing: 2 }), status: 400, error: 'validation_failed' }],
  ['an unknown retrain reason', { path: '/retrain', body: json({ reason: 'hack' }), status: 400, error: 'validation_failed' }],
  [
    'an inline row with an unknown species',
    {
      path: '/retrain',
      body: json({ dataset: { source: 'inline', rows: Array(6).fill({ ...ok, species: 'rose' }) } }),
      status: 400,
      error: 'validation_failed',
    },
  ],
];

describe('hostile HTTP input (embedded mode)', () => {
  let platform: EmbeddedPlatform;
  let port: number;

  beforeAll(async () => {
    ({ platform } = await startTestPlatform('hostile', { RATE_LIMIT: '0' }));
    port = (platform.gateway.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => platform?.close());

  it('is the corpus the documentation counts: every "N malformed (or hostile) raw requests" there says its size', () => {
    const claims = statedNumbers(/(\d[\d,]*) (?:malformed|hostile) raw (?:HTTP )?requests/);
    expect(claims.length).toBeGreaterThan(0);
    expect(claims.filter((c) => c.value !== CORPUS.length)).toEqual([]);
  });

  it.each(CORPUS)('answers %s with the expected 4xx and a JSON error', async (_name, c) => {
    const raw = _name === 'HTTP/1.1 without a Host header' ? Buffer.from('POST /predict HTTP/1.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n') : build(c);
    const res = await send(port, raw);
    expect({ status: res.status, json: res.contentType.startsWith('application/json') }).toEqual({ status: c.status, json: true });
    const body = JSON.parse(res.body) as { status: string; error: string; message?: string };
    expect(body.status).toBe('error');
    if (c.error) expect(body.error).toBe(c.error);
    expect(res.body).not.toMatch(/\n\s+at |stack/);
    expect(res.body.length).toBeLessThan(20_000);
  });

  it('still serves, and nothing was polluted', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ok) });
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
