import { decodeEvent } from './decode-event';
import { createEnvelope } from './envelope';
import { TOPICS } from './topics';

const AT = new Date('2026-03-04T12:30:00.000Z');
const instance = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const requested = createEnvelope(
  'PredictionRequested',
  { instances: [instance], reply_to: 'gateway-1' },
  { requestId: 'req-1', producer: 'gateway', eventId: 'evt-1', occurredAt: AT },
);
const json = (value: unknown) => JSON.stringify(value);
const reasonOf = (raw: Buffer | string | null, topic: (typeof TOPICS)[keyof typeof TOPICS] = TOPICS.predictionRequested) => {
  const decoded = decodeEvent(topic, raw);
  return decoded.ok ? 'decoded' : decoded.reason;
};

describe('decodeEvent', () => {
  it('accepts a W3C traceparent on the envelope and refuses a malformed one', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(reasonOf(json({ ...requested, traceparent }))).toBe('decoded');
    for (const bad of ['00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, 'x'.repeat(5000)]) {
      expect(reasonOf(json({ ...requested, traceparent: bad }))).toMatch(/traceparent/);
    }
  });

  it('refuses a batch record whose request entry carries a malformed traceparent', () => {
    const batch = createEnvelope(
      'PredictionBatchRequested',
      { reply_to: 'gateway-1', requests: [{ request_id: 'r-1', instances: [instance], traceparent: 'not-a-traceparent' }] },
      { requestId: 'batch-1', producer: 'gateway', eventId: 'evt-2', occurredAt: AT },
    );
    expect(reasonOf(json(batch), TOPICS.predictionBatchRequested)).toMatch(/traceparent/);
  });

  it('round-trips an event built with createEnvelope through JSON', () => {
    expect(decodeEvent(TOPICS.predictionRequested, Buffer.from(json(requested)))).toEqual({
      ok: true,
      event: {
        event_id: 'evt-1',
        event_type: 'PredictionRequested',
        schema_version: 1,
        occurred_at: '2026-03-04T12:30:00.000Z',
        request_id: 'req-1',
        producer: 'gateway',
        payload: { instances: [instance], reply_to: 'gateway-1' },
      },
    });
  });

  it('accepts the value as a string as well as a Buffer', () => {
    expect(decodeEvent(TOPICS.predictionRequested, json(requested)).ok).toBe(true);
  });

  it.each([
    ['null', null],
    ['an empty Buffer', Buffer.alloc(0)],
    ['an empty string', ''],
  ])('rejects %s as an empty message value', (_label, raw) => {
    expect(reasonOf(raw)).toBe('empty message value');
  });

  it('rejects a value that is not JSON, quoting the parser', () => {
    expect(reasonOf('{"event_id": ')).toMatch(/^invalid JSON: /);
  });

  it('names a missing envelope field', () => {
    const { request_id: _dropped, ...rest } = requested;
    expect(reasonOf(json(rest))).toMatch(/^invalid envelope: request_id: /);
  });

  it('names an unexpected envelope field', () => {
    expect(reasonOf(json({ ...requested, extra: 1 }))).toMatch(/^invalid envelope: .*extra/);
  });

  it('rejects a schema_version other than 1', () => {
    expect(reasonOf(json({ ...requested, schema_version: 2 }))).toMatch(/^invalid envelope: schema_version: /);
  });

  it('rejects an occurred_at that is not an ISO date-time', () => {
    expect(reasonOf(json({ ...requested, occurred_at: 'yesterday' }))).toMatch(/^invalid envelope: occurred_at: /);
  });

  it('rejects a JSON value that is not an object at the envelope root', () => {
    expect(reasonOf('[]')).toMatch(/^invalid envelope: \(root\): /);
  });

  it('rejects an event type that belongs on another topic', () => {
    expect(reasonOf(json(requested), TOPICS.predictionMade)).toBe(
      'event_type PredictionRequested does not belong on ml.prediction.made.v1 (expected PredictionMade)',
    );
  });

  it('names the path of an invalid payload field', () => {
    const bad = { ...requested, payload: { instances: [{ ...instance, sepal_length: 0 }], reply_to: 'gateway-1' } };
    expect(reasonOf(json(bad))).toBe('invalid PredictionRequested payload: instances.0.sepal_length: must be greater than 0 cm');
  });

  it('names a missing payload field', () => {
    const bad = { ...requested, payload: { instances: [instance] } };
    expect(reasonOf(json(bad))).toMatch(/^invalid PredictionRequested payload: reply_to: /);
  });

  it('lists at most 10 payload issues', () => {
    const rows = Array.from({ length: 12 }, () => ({ ...instance, petal_width: -1 }));
    const reason = reasonOf(json({ ...requested, payload: { instances: rows, reply_to: 'g' } }));
    expect(reason.split('; ')).toHaveLength(10);
    expect(reason).toContain('instances.9.petal_width');
    expect(reason).not.toContain('instances.10.');
  });
});
