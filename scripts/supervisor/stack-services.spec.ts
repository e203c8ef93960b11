import { stackServices } from './stack-services';

describe('stackServices', () => {
  it('is the default local stack: trainer first, two workers, monitor, gateway last', () => {
    const stack = stackServices({});
    expect(stack.services.map((s) => [s.name, s.port, s.waitReady])).toEqual([
      ['trainer', 3002, true],
      ['inference-worker-1', 3011, false],
      ['inference-worker-2', 3012, false],
      ['monitor', 3003, false],
      ['gateway', 3000, false],
    ]);
    expect(stack.services[1]).toEqual({
      name: 'inference-worker-1',
      entry: 'dist/apps/inference-worker/src/main.js',
      nodeArgs: ['--max-semi-space-size=8', '--max-old-space-size=128'],
      port: 3011,
      env: { KAFKA_BROKERS: 'localhost:9092', ELASTICSEARCH_URL: 'http://localhost:9200', PORT: '3011', INSTANCE_ID: 'inference-worker-1' },
      waitReady: false,
    });
    expect(stack.stopTimeoutMs).toBe(17_000);
  });

  it('takes worker count, ports, infra ports and the shutdown timeout from the environment', () => {
    const stack = stackServices({
      WORKERS: '3',
      PORT: '3400',
      TRAINER_PORT: '3402',
      MONITOR_PORT: '3403',
      WORKER_PORT_BASE: '3410',
      KAFKA_PORT: '39092',
      ES_PORT: '39200',
      SHUTDOWN_TIMEOUT_MS: '2000',
    });
    expect(stack.services.map((s) => `${s.name}:${s.port}`)).toEqual([
      'trainer:3402',
      'inference-worker-1:3411',
      'inference-worker-2:3412',
      'inference-worker-3:3413',
      'monitor:3403',
      'gateway:3400',
    ]);
    expect(stack.services[0].env).toMatchObject({ KAFKA_BROKERS: 'localhost:39092', ELASTICSEARCH_URL: 'http://localhost:39200' });
    expect(stack.stopTimeoutMs).toBe(9_000);
  });

  it('prefers explicit KAFKA_BROKERS and ELASTICSEARCH_URL over the local ports', () => {
    const [trainer] = stackServices({ KAFKA_BROKERS: 'b1:9092,b2:9092', ELASTICSEARCH_URL: 'https://es:9200', KAFKA_PORT: '1' }).services;
    expect(trainer.env).toMatchObject({ KAFKA_BROKERS: 'b1:9092,b2:9092', ELASTICSEARCH_URL: 'https://es:9200' });
  });

  it('names the variable that is not a valid number', () => {
    expect(() => stackServices({ WORKERS: '0' })).toThrow('WORKERS=0 must be an integer from 1 to 64');
    expect(() => stackServices({ PORT: 'http' })).toThrow('PORT=http must be an integer from 1 to 65535');
  });

  it('refuses two services on one port', () => {
    expect(() => stackServices({ PORT: '3011' })).toThrow('two services would listen on port 3011');
  });
});
