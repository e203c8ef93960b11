import { ConfigError, loadConfig } from '@app/config';
import { createEventBus } from '@app/messaging';
import { createMlflowMirror, replayStateTopics, type MirrorReport } from '@app/mlflow';
import { JsonLogger } from '@app/observability';

const USAGE = `usage: npm run mlflow:sync
Copies the training runs, registry versions, aliases (routing) and live figures held on Kafka's
state topics into MLflow (MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME and credentials as for the
trainer; KAFKA_BROKERS, TLS and SASL as for the services), writing only what MLflow does not
already hold as the topics say. The trainer does the same at every start; this does it without
one, e.g. to fill an empty MLflow before the trainer is pointed at it. Exits 1 when something
could not be written.`;

/** Consecutive failed attempts (about 15 s of backoff) before giving up on an unreachable MLflow. */
const MAX_FAILURES = 6;

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  let config;
  try {
    config = loadConfig(process.env, { TRANSPORT: 'kafka', KAFKA_CLIENT_ID: 'mlflow-sync' });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return 78;
  }
  const logger = new JsonLogger('mlflow-sync', 'warn');
  const mirror = createMlflowMirror(config, logger);
  if (!mirror) {
    console.error(`MLFLOW_TRACKING_URI is not set: no MLflow to sync to\n${USAGE}`);
    return 2;
  }
  const bus = createEventBus(config, logger);
  await bus.connect();
  try {
    const read = await replayStateTopics(bus, mirror);
    console.log(`read ${read.records} records from Kafka (${read.undecodable} undecodable, skipped)`);
    const report = await mirror.drain(MAX_FAILURES);
    console.log(`MLflow at ${config.MLFLOW_TRACKING_URI}, experiment ${config.MLFLOW_EXPERIMENT_NAME}:`);
    console.log(`  runs: ${describe(report.runs)}`);
    console.log(`  model versions: ${describe(report.versions)}`);
    console.log(
      `  aliases: ${report.aliases.updated > 0 ? 'champion and challenger set from the routing' : report.aliases.dropped > 0 ? 'refused by MLflow (see the log above)' : 'no routing on the topic yet'}`,
    );
    const dropped = report.runs.dropped + report.versions.dropped + report.aliases.dropped;
    return dropped > 0 ? 1 : 0;
  } catch (err) {
    console.error(`mlflow:sync failed: ${(err as Error).message}`);
    return 1;
  } finally {
    await bus.close();
  }
}

function describe(counts: MirrorReport['runs']): string {
  return `${counts.created} created, ${counts.updated} updated, ${counts.unchanged} already there${counts.dropped ? `, ${counts.dropped} refused by MLflow (see the log above)` : ''}`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
