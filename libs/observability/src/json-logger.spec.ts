import { JsonLogger } from './json-logger';
import { runWithRequestId } from './request-context';

describe('JsonLogger', () => {
  const capture = (level: 'debug' | 'info' = 'info') => {
    const lines: string[] = [];
    return { lines, logger: new JsonLogger('gateway', level, (l) => lines.push(l)) };
  };

  it('writes one JSON object per line with the request id of the current context', () => {
    const { lines, logger } = capture();
    runWithRequestId('req-42', () => logger.event('info', 'prediction served', { latency_ms: 3.5 }));
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: 'info', service: 'gateway', message: 'prediction served', request_id: 'req-42', latency_ms: 3.5 });
    expect(Date.parse(entry.timestamp)).not.toBeNaN();
  });

  it('keeps the Nest context argument as a field', () => {
    const { lines, logger } = capture();
    logger.log('Mapped route', 'RouterExplorer');
    expect(JSON.parse(lines[0])).toMatchObject({ message: 'Mapped route', context: 'RouterExplorer' });
  });

  it('drops lines below the minimum level', () => {
    const { lines, logger } = capture('info');
    logger.debug('noise');
    expect(lines).toHaveLength(0);
  });

  describe('redaction', () => {
    it('writes [REDACTED] for every secret-named field at any depth, in any case', () => {
      const { lines, logger } = capture();
      logger.event('info', 'connecting', {
        config: { KAFKA_SASL_PASSWORD: 'hunter2', ELASTICSEARCH_API_KEY: 'es-key-1', KAFKA_BROKERS: 'b:9094', nested: [{ api_key: 'k2', passwd: 'p3' }] },
        headers: { Authorization: 'Bearer tok-4', Cookie: 'sid=5', 'x-api-key': 'k6', accept: 'application/json' },
        sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 'p7' },
        refreshToken: 't8',
        client_secret: 's9',
        credentials: { user: 'u', pass: 'p10' },
        attempts: 3,
      });
      const { timestamp: _t, ...entry } = JSON.parse(lines[0]);
      expect(entry).toEqual({
        level: 'info',
        service: 'gateway',
        message: 'connecting',
        config: {
          KAFKA_SASL_PASSWORD: '[REDACTED]',
          ELASTICSEARCH_API_KEY: '[REDACTED]',
          KAFKA_BROKERS: 'b:9094',
          nested: [{ api_key: '[REDACTED]', passwd: '[REDACTED]' }],
        },
        headers: { Authorization: '[REDACTED]', Cookie: '[REDACTED]', 'x-api-key': '[REDACTED]', accept: 'application/json' },
        sasl: '[REDACTED]',
        refreshToken: '[REDACTED]',
        client_secret: '[REDACTED]',
        credentials: '[REDACTED]',
        attempts: 3,
      });
      for (const secret of ['hunter2', 'es-key-1', 'k2', 'p3', 'tok-4', 'sid=5', 'k6', 'p7', 't8', 's9', 'p10']) expect(lines[0]).not.toContain(secret);
    });

    it('masks Bearer, ApiKey and Basic credentials inside strings, messages included', () => {
      const { lines, logger } = capture();
      logger.event('warn', 'upstream refused Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig', {
        detail: 'sent "ApiKey VnVUQ2xKMEJ=" then basic dXNlcjpwYXNz, both refused',
        hint: 'retry later',
      });
      const entry = JSON.parse(lines[0]);
      expect(entry.message).toBe('upstream refused Authorization: Bearer [REDACTED]');
      expect(entry.detail).toBe('sent "ApiKey [REDACTED]" then basic [REDACTED], both refused');
      expect(entry.hint).toBe('retry later');
    });

    it('masks credentials in URLs: query parameters named like keys and passwords in user info', () => {
      const { lines, logger } = capture();
      logger.event('info', 'http request', {
        path: '/models?api_key=k1&limit=5&access_token=t2;sig=s3&monkey=m4&keys=ok',
        url: 'https://svc:p5@es.example:9200/_bulk?apiKey=k6#frag',
        plain: '/predict?version=2',
      });
      const entry = JSON.parse(lines[0]);
      expect(entry.path).toBe('/models?api_key=[REDACTED]&limit=5&access_token=[REDACTED];sig=[REDACTED]&monkey=[REDACTED]&keys=[REDACTED]');
      expect(entry.url).toBe('https://svc:[REDACTED]@es.example:9200/_bulk?apiKey=[REDACTED]#frag');
      expect(entry.plain).toBe('/predict?version=2');
      for (const secret of ['k1', 't2', 's3', 'p5', 'k6']) expect(lines[0]).not.toContain(secret);
    });

    it('masks what each pattern needs and no more: a tab or newline after a scheme, one = or @ alone', () => {
      const { lines, logger } = capture();
      logger.event('info', 'edge cases', {
        tab: 'Bearer\tk7',
        newline: 'ApiKey\nk8',
        query: '?token=k9',
        userinfo: '//u:k10@host',
        untouched: 'Bearer-k11/ApiKey:k12',
      });
      const entry = JSON.parse(lines[0]);
      expect(entry).toMatchObject({
        tab: 'Bearer\t[REDACTED]',
        newline: 'ApiKey\n[REDACTED]',
        query: '?token=[REDACTED]',
        userinfo: '//u:[REDACTED]@host',
        untouched: 'Bearer-k11/ApiKey:k12',
      });
    });

    it("redacts inside Nest's error objects and Errors carried as fields, keeping their message", () => {
      const { lines, logger } = capture();
      logger.error(
        { message: 'request failed', response: { statusCode: 401, headers: { authorization: 'Basic c2VjcmV0' } } },
        'stack line',
        'ExceptionsHandler',
      );
      const clientError = Object.assign(new Error('ResponseError: security_exception for ApiKey a2V5'), {
        meta: { meta: { request: { params: { headers: { authorization: 'ApiKey a2V5' } } } }, statusCode: 401 },
      });
      logger.event('error', 'bulk failed', { error: clientError });
      logger.error(new Error('SASL PLAIN authentication failed for Basic dXNlcjpwYXNz'));

      const nest = JSON.parse(lines[0]);
      expect(nest).toMatchObject({ message: 'request failed', context: 'ExceptionsHandler', stack: 'stack line' });
      expect(nest.response).toEqual({ statusCode: 401, headers: { authorization: '[REDACTED]' } });
      const carried = JSON.parse(lines[1]).error;
      expect(carried).toMatchObject({
        name: 'Error',
        message: 'ResponseError: security_exception for ApiKey [REDACTED]',
        meta: { meta: { request: { params: { headers: { authorization: '[REDACTED]' } } } }, statusCode: 401 },
      });
      expect(carried.stack).toMatch(/^Error: ResponseError: security_exception for ApiKey \[REDACTED\]\n/);
      const thrown = JSON.parse(lines[2]);
      expect(thrown.message).toBe('SASL PLAIN authentication failed for Basic [REDACTED]');
      expect(thrown.error).toBe('SASL PLAIN authentication failed for Basic [REDACTED]');
      for (const line of lines) expect(line).not.toMatch(/c2VjcmV0|a2V5|dXNlcjpwYXNz/);
    });

    it('redacts the fields of a kafkajs log entry, as createEventBus forwards them', () => {
      const { lines, logger } = capture();
      // kafkajs' logCreator hands over { namespace, ...entry.log }; see kafka-event-bus.ts.
      logger.event('error', 'kafkajs: Failed to connect', {
        namespace: 'Connection',
        broker: '127.0.0.1:9094',
        sasl: { password: 'p' },
        authenticationTimeout: 10000,
      });
      const { timestamp: _t, ...entry } = JSON.parse(lines[0]);
      expect(entry).toEqual({
        level: 'error',
        service: 'gateway',
        message: 'kafkajs: Failed to connect',
        namespace: 'Connection',
        broker: '127.0.0.1:9094',
        sasl: '[REDACTED]',
        authenticationTimeout: 10000,
      });
    });

    it('survives circular references and bigints', () => {
      const { lines, logger } = capture();
      const loop: Record<string, unknown> = { name: 'loop' };
      loop.self = loop;
      logger.event('info', 'odd values', { loop, offset: 12n });
      expect(JSON.parse(lines[0])).toMatchObject({ loop: { name: 'loop', self: '[Circular]' }, offset: '12' });
    });
  });
});
