import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './lib/service-process';
import { SupervisedService } from './supervisor/supervised-service';
import { jsonLines } from './supervisor/supervisor-log';
import { stackServices, type StackDefinition } from './supervisor/stack-services';

/**
 * Runs the local stack's services and keeps them running (scripts/stack.sh starts it detached).
 * SIGTERM or SIGINT stops the services in reverse start order, each gracefully, then exits.
 * State in STACK_STATE_DIR (.infra/stack): supervisor.pid, <service>.pid, <service>.log.
 */
const log = jsonLines();
const stateDir = process.env.STACK_STATE_DIR ?? join(REPO_ROOT, '.infra', 'stack');
const supervisorPid = join(stateDir, 'supervisor.pid');

let stack: StackDefinition;
try {
  stack = stackServices(process.env);
} catch (err) {
  log('error', 'invalid stack configuration', { error: (err as Error).message });
  process.exit(78); // EX_CONFIG
}

mkdirSync(stateDir, { recursive: true });
const services = stack.services.map((spec) => new SupervisedService(spec, { root: REPO_ROOT, stateDir, env: process.env, log }));
let stopping = false;

async function stopAll(signal: string): Promise<void> {
  log('info', 'stopping the stack', { signal, stop_timeout_ms: stack.stopTimeoutMs });
  // Gateway first, trainer last: nothing takes new work while the services behind it finish theirs.
  for (const service of [...services].reverse()) await service.stop(stack.stopTimeoutMs);
  rmSync(supervisorPid, { force: true });
  log('info', 'stack stopped');
}

const onSignal = (signal: NodeJS.Signals) => {
  if (stopping) {
    log('warn', 'second signal: killing the services now', { signal });
    for (const s of services) {
      try {
        if (s.pid !== undefined) process.kill(s.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(1);
  }
  stopping = true;
  stopAll(signal).then(
    () => process.exit(0),
    (err: Error) => {
      log('error', 'stopping the stack failed', { error: err.message });
      process.exit(1);
    },
  );
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
// A detached supervisor outlives the terminal that started it.
process.on('SIGHUP', () => undefined);

async function startAll(): Promise<void> {
  writeFileSync(supervisorPid, `${process.pid}\n`);
  log('info', 'supervisor started', { pid: process.pid, services: services.map((s) => `${s.spec.name}:${s.spec.port}`) });
  for (const service of services) {
    if (stopping) return;
    service.start();
    // Like compose's depends_on: service_healthy, for the first start only; a restart never waits.
    if (service.spec.waitReady && !(await service.waitReady(120_000)) && !stopping) {
      log('error', 'service not ready after 120 s; starting the others anyway', { service: service.spec.name });
    }
  }
}

startAll().catch((err: Error) => {
  log('error', 'supervisor failed to start the stack', { error: err.message });
  onSignal('SIGTERM');
});
