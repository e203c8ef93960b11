import { loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const c = loadConfig({});
    expect(c.TRANSPORT).toBe('kafka');
    expect(c.KAFKA_BROKERS).toBe('localhost:9092');
    expect(c.PORT).toBe(3000);
    expect(c.PREDICT_TIMEOUT_MS).toBe(5000);
    expect(c.DRIFT_AUTO_RETRAIN).toBe(false);
  });

  it('names the bad variable when a value is invalid', () => {
    expect(() => loadConfig({ PORT: 'eighty', TRANSPORT: 'carrier-pigeon' })).toThrow(
      /PORT="eighty".*TRANSPORT="carrier-pigeon"|TRANSPORT="carrier-pigeon".*PORT="eighty"/,
    );
  });

  it('takes a Kafka topic prefix only of characters a topic name may hold', () => {
    expect(loadConfig({}).KAFKA_TOPIC_PREFIX).toBe('');
    expect(loadConfig({ KAFKA_TOPIC_PREFIX: 'e2e-live.1a2b_' }).KAFKA_TOPIC_PREFIX).toBe('e2e-live.1a2b_');
    expect(() => loadConfig({ KAFKA_TOPIC_PREFIX: 'team a/' })).toThrow(/KAFKA_TOPIC_PREFIX="team a\/".*only letters, digits/);
  });

  it('coerces numbers and booleans from strings', () => {
    const c = loadConfig({ PORT: '8080', DRIFT_AUTO_RETRAIN: 'true', MIN_ACCURACY: '0.9' });
    expect(c).toMatchObject({ PORT: 8080, DRIFT_AUTO_RETRAIN: true, MIN_ACCURACY: 0.9 });
  });
});
