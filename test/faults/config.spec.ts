import { DEFAULTS, suiteEnv } from './config';

/** Linux's default ephemeral range starts here (net.ipv4.ip_local_port_range: 32768 60999). */
const EPHEMERAL_START = 32768;

describe("the fault suite's stack", () => {
  it('listens below the ephemeral range, so a server it restarts finds its port free', () => {
    const ports = Object.entries(DEFAULTS).filter(([name]) => /PORT/.test(name));
    expect(ports.length).toBeGreaterThanOrEqual(7);
    expect(ports.filter(([, port]) => Number(port) >= EPHEMERAL_START)).toEqual([]);
  });

  it('points every service at its own broker and Elasticsearch, whatever the environment says', () => {
    const env = suiteEnv({ KAFKA_BROKERS: 'somebody-else:9092', ELASTICSEARCH_URL: 'http://somebody-else:9200' });
    expect([env.KAFKA_BROKERS, env.ELASTICSEARCH_URL]).toEqual([`localhost:${DEFAULTS.KAFKA_PORT}`, `http://localhost:${DEFAULTS.ES_PORT}`]);
  });
});
