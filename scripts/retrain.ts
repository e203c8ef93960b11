import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '@app/config';
import { TOPICS, decodeEvent, retrainParamsSchema, describeIssues, type TrainingRun } from '@app/contracts';
import { EventPublisher, createEventBus } from '@app/messaging';
import { JsonLogger } from '@app/observability';

const FINAL: string[] = ['promoted', 'rejected', 'failed'];

const USAGE = `usage: npm run retrain -- [--algorithm gaussian_nb|logistic_regression] [--params '{"C":1}'] [--test-size 0.2] [--random-state 42] [--var-smoothing 1e-9]
                         [--dataset iris|file.csv (in the trainer's DATA_DIR)] [--reason manual|drift|schedule] [--wait] [--timeout 120]
Publishes a retrain request to Kafka (KAFKA_BROKERS, default localhost:9092; TLS and SASL from
KAFKA_SSL* and KAFKA_SASL_* as for the services) and prints the job id;
with --wait, also waits for the trainer's outcome and exits non-zero unless the model was promoted.`;

/** Publishes the same RetrainRequested event as POST /retrain, straight to Kafka. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      algorithm: { type: 'string' },
      params: { type: 'string' },
      'test-size': { type: 'string' },
      'random-state': { type: 'string' },
      'var-smoothing': { type: 'string' },
      dataset: { type: 'string' },
      reason: { type: 'string' },
      wait: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '120' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  let params: unknown;
  try {
    params = values.params === undefined ? undefined : JSON.parse(values.params);
  } catch {
    console.error(`invalid arguments: --params must be a JSON object such as '{"C":1}'\n${USAGE}`);
    return 2;
  }
  const parsed = retrainParamsSchema.safeParse({
    algorithm: values.algorithm,
    params,
    test_size: num(values['test-size']),
    random_state: num(values['random-state']),
    var_smoothing: num(values['var-smoothing']),
    dataset: values.dataset === undefined || values.dataset === 'iris' ? undefined : { source: 'csv', path: values.dataset },
    reason: values.reason,
  });
  if (!parsed.success) {
    console.error(`invalid arguments: ${describeIssues(parsed.error)}\n${USAGE}`);
    return 2;
  }
  // The services' own configuration and factory: the same brokers, credentials and TLS settings.
  const bus = createEventBus(loadConfig(process.env, { TRANSPORT: 'kafka', KAFKA_CLIENT_ID: 'retrain-cli' }), new JsonLogger('retrain-cli', 'warn'));
  await bus.connect();
  try {
    const jobId = randomUUID();
    let finished: (run: TrainingRun) => void = () => undefined;
    const outcome = new Promise<TrainingRun>((r) => (finished = r));
    if (values.wait) {
      // Subscribed (and replaying the small compacted topic) before publishing, so a fast trainer cannot finish unseen.
      await bus.subscribe({
        groupId: `retrain-cli.${jobId}`,
        topics: [{ topic: TOPICS.trainingRun, fromBeginning: true }],
        commitOffsets: false,
        handleBatch: async (messages) => {
          for (const m of messages) {
            const d = decodeEvent(TOPICS.trainingRun, m.value);
            if (d.ok && d.event.payload.job_id === jobId && FINAL.includes(d.event.payload.status)) finished(d.event.payload);
          }
        },
      });
    }
    await new EventPublisher(bus, 'retrain-cli').publish(TOPICS.retrainRequested, { ...parsed.data, job_id: jobId }, { key: jobId, requestId: jobId });
    console.log(`job_id: ${jobId}`);
    if (!values.wait) return 0;
    const timeoutMs = Number(values.timeout) * 1000;
    const run = await Promise.race([outcome, new Promise<null>((r) => setTimeout(() => r(null), timeoutMs))]);
    if (!run) {
      console.error(`no outcome within ${values.timeout} s`);
      return 1;
    }
    console.log(`status: ${run.status}`);
    if (run.model_version) console.log(`model_version: ${run.model_version}`);
    if (run.metrics) console.log(`accuracy: ${run.metrics.accuracy}`);
    console.log(`reason: ${run.outcome_reason}`);
    return run.status === 'promoted' ? 0 : 1;
  } finally {
    await bus.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`retrain failed: ${err.message}`);
    process.exit(1);
  },
);
