import { loadBenchConfig } from './config';

describe('loadBenchConfig', () => {
  it('defaults to the full run on the bench ports', () => {
    expect(loadBenchConfig({})).toEqual({
      quick: false,
      durationS: 10,
      warmupS: 15,
      rounds: 3,
      connections: [1, 16, 64],
      openRateFraction: 0.5,
      openRate: null,
      idleS: 10,
      lagFollowupS: 5,
      drainTimeoutS: 60,
      workers: 2,
      kafkaPort: 19092,
      kafkaControllerPort: 19093,
      kafkaSaslSslPort: 19094,
      esPort: 19200,
      portBase: 3200,
      python: 'python3',
      embedded: true,
    });
  });

  it('BENCH_QUICK shortens durations and rounds, and explicit values still win', () => {
    const cfg = loadBenchConfig({ BENCH_QUICK: '1', BENCH_ROUNDS: '2' });
    expect([cfg.quick, cfg.durationS, cfg.warmupS, cfg.rounds, cfg.idleS]).toEqual([true, 3, 5, 2, 5]);
  });

  it('reads connections, rate, workers, ports and the embedded switch', () => {
    const cfg = loadBenchConfig({
      BENCH_CONNECTIONS: '16, 64,16',
      BENCH_OPEN_RATE: '250',
      BENCH_WORKERS: '3',
      KAFKA_PORT: '29092',
      ES_PORT: '29200',
      BENCH_EMBEDDED: '0',
    });
    expect([cfg.connections, cfg.openRate, cfg.workers, cfg.kafkaPort, cfg.esPort, cfg.embedded]).toEqual([[16, 64], 250, 3, 29092, 29200, false]);
  });

  it('names the variable and the bad value', () => {
    expect(() => loadBenchConfig({ BENCH_DURATION: '0' })).toThrow('BENCH_DURATION must be an integer from 1 to 3600, got "0"');
    expect(() => loadBenchConfig({ BENCH_CONNECTIONS: '16,x' })).toThrow(
      'BENCH_CONNECTIONS must be a comma-separated list of integers from 1 to 1024, got "16,x"',
    );
    expect(() => loadBenchConfig({ BENCH_QUICK: 'yes' })).toThrow('BENCH_QUICK must be 1/true or 0/false, got "yes"');
    expect(() => loadBenchConfig({ BENCH_OPEN_RATE_FRACTION: '0' })).toThrow('BENCH_OPEN_RATE_FRACTION must be a number from 0.01 to 10, got "0"');
  });
});
