import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, getJson, postJson } from './support/http';
import { ROOT } from './support/infra';
import { testPort } from './support/ports';
import { ServiceProcess } from './support/service-process';

/**
 * The gateway against a broker that dies or hangs, with kafkajs and a real broker of its own
 * (killed and frozen here without disturbing the suite's shared one).
 */
const BROKER_PORT = testPort(70) + 20_000;
const BROKER_ENV = {
  KAFKA_PORT: String(BROKER_PORT),
  KAFKA_CONTROLLER_PORT: String(BROKER_PORT + 1),
  KAFKA_SASL_SSL_PORT: String(BROKER_PORT + 2),
  KAFKA_STATE_DIR: join(ROOT, '.infra', 'kafka-faults'),
};
const broker = (cmd: 'up' | 'down') =>
  execFileSync('bash', [join(ROOT, 'scripts/infra/kafka.sh'), cmd], { env: { ...process.env, ...BROKER_ENV }, stdio: 'inherit' });
const brokerPid = () => Number(readFileSync(join(BROKER_ENV.KAFKA_STATE_DIR, 'kafka.pid'), 'utf8'));
const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const SEND_TIMEOUT_MS = 2000;
const SERVICE_ENV = {
  KAFKA_BROKERS: `localhost:${BROKER_PORT}`,
  MONITOR_SINK: 'file',
  KAFKA_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS),
  PREDICT_TIMEOUT_MS: '10000',
};

describe('the gateway when the broker dies or hangs', () => {
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;

  const timed = async () => {
    const started = Date.now();
    const res = await postJson(`${gateway.url}/predict`, SETOSA);
    return { status: res.status, error: res.body.error as string | undefined, ms: Date.now() - started, requestId: res.body.request_id as string | undefined };
  };
  // A connection refused or reset while the services reconnect is "not yet", not a failure.
  const servesAgain = () => eventually(async () => ((await timed().catch(() => null))?.status === 200 ? true : undefined), 30_000, 'predictions served again');

  beforeAll(async () => {
    rmSync(BROKER_ENV.KAFKA_STATE_DIR, { recursive: true, force: true });
    broker('up');
    const trainer = ServiceProcess.start('trainer-bf', 'trainer', testPort(71), SERVICE_ENV);
    await trainer.waitReady();
    const worker = ServiceProcess.start('worker-bf', 'inference-worker', testPort(72), SERVICE_ENV);
    gateway = ServiceProcess.start('gateway-bf', 'gateway', testPort(73), SERVICE_ENV);
    services.push(trainer, worker, gateway);
    await Promise.all(services.map((s) => s.waitReady()));
    await servesAgain();
  });

  afterAll(async () => {
    try {
      process.kill(brokerPid(), 'SIGCONT');
    } catch {
      // not frozen, or gone
    }
    await Promise.all(services.map((s) => s.stop()));
    broker('down');
    rmSync(BROKER_ENV.KAFKA_STATE_DIR, { recursive: true, force: true });
  });

  /**
   * What these tests can promise on a shared machine is causality, not a stopwatch: a 503 (not the
   * 504 that PREDICT_TIMEOUT_MS would give) shows the send was given up; once /ready reports the
   * broker down, requests are refused without a send, so none waits as long as a send timeout.
   */
  const expectRefusedWithoutSending = async () => {
    const ready = await getJson(`${gateway.url}/ready`);
    expect([ready.status, ready.body.checks.broker]).toEqual([503, false]);
    const next = await Promise.all(Array.from({ length: 5 }, timed));
    expect(next.map((r) => [r.status, r.error])).toEqual(Array(5).fill([503, 'broker_unavailable']));
    expect(Math.max(...next.map((r) => r.ms))).toBeLessThan(SEND_TIMEOUT_MS);
  };

  it('answers 503 when the broker is killed, then without trying to send, and serves again when it is back', async () => {
    process.kill(brokerPid(), 'SIGKILL');
    const first = await timed();
    expect([first.status, first.error]).toEqual([503, 'broker_unavailable']);
    expect(first.requestId).toMatch(/^[0-9a-f-]{36}$/);
    await expectRefusedWithoutSending();
    broker('up');
    await servesAgain();
    expect(services.every((s) => s.running)).toBe(true);
  });

  it('answers 503 once the send timeout runs out when the broker hangs (SIGSTOP), then without trying to send, and serves again after SIGCONT', async () => {
    process.kill(brokerPid(), 'SIGSTOP');
    try {
      const first = await timed();
      expect([first.status, first.error]).toEqual([503, 'broker_unavailable']);
      // A hung broker neither answers nor refuses: it is the send's deadline that ends the wait.
      expect(first.ms).toBeGreaterThanOrEqual(SEND_TIMEOUT_MS);
      await expectRefusedWithoutSending();
    } finally {
      process.kill(brokerPid(), 'SIGCONT');
    }
    await servesAgain();
    expect(services.every((s) => s.running)).toBe(true);
  });
});
