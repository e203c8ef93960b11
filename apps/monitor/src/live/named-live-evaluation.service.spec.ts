import {
  TOPICS,
  createEnvelope,
  decodeEvent,
  type EventEnvelope,
  type NamedFeedbackReceived,
  type NamedLabeledRow,
  type NamedLiveEvaluation,
  type NamedModelRegistered,
  type NamedModelRouting,
  type NamedPredictionMade,
  type NamedShadowPrediction,
  type RegistryCommand,
} from '@app/contracts';
import { loadConfig } from '@app/config';
import type { IndexedNamedPrediction, PredictionIndex } from '@app/elasticsearch';
import { EventPublisher, InMemoryEventBus, RetryableError } from '@app/messaging';
import { compileScorer, fitGaussianNB } from '@app/model';
import { JsonLogger } from '@app/observability';
import { NamedModels, NamedRoutings, NamedScorers } from '@app/registry';
import { NamedLiveEvaluationService } from './named-live-evaluation.service';

const X = [
  [0, 0],
  [0.2, 0.1],
  [0.1, 0.3],
  [1, 1],
  [0.9, 1.2],
  [1.1, 0.8],
];
/** Version 1 learned the classes; version 2 learned them swapped, so it is wrong wherever 1 is right. */
const RIGHT = fitGaussianNB({ featureNames: ['a', 'b'], classNames: ['no', 'yes'], X, y: [0, 0, 0, 1, 1, 1] });
const SWAPPED = fitGaussianNB({ featureNames: ['a', 'b'], classNames: ['no', 'yes'], X, y: [1, 1, 1, 0, 0, 0] });
const CHURN = fitGaussianNB({ featureNames: ['a', 'b'], classNames: ['stays', 'churns'], X, y: [0, 0, 0, 1, 1, 1] });

function record(
  model_name: string,
  version: number,
  params: NamedModelRegistered['model']['params'],
  status: NamedModelRegistered['status'] = 'current',
): NamedModelRegistered {
  return {
    model_name,
    version,
    status,
    status_reason: 'test',
    parent_version: null,
    job_id: `job-${model_name}-${version}`,
    registered_at: '2026-12-01T00:00:00.000Z',
    deleted_at: null,
    schema: { label: 'y', features: [], reference: { dataset: `${model_name}.csv`, label: 'y' } },
    model: { params, baselines: [] } as unknown as NamedModelRegistered['model'],
  };
}

/** A reply with one scored request: the predictions are what `params` says of the rows, as a worker's would be. */
function reply(
  model: string,
  requestId: string,
  version: number,
  params: NamedModelRegistered['model']['params'],
  rows: number[][],
): EventEnvelope<NamedPredictionMade> {
  const score = compileScorer(params);
  return createEnvelope(
    'NamedPredictionMade',
    {
      worker: 'worker-a',
      reply_to: 'gateway-1',
      results: [
        {
          outcome: 'scored',
          request_id: requestId,
          event_id: `evt-${requestId}`,
          model,
          instances: rows.map(([a, b]) => ({ a, b })),
          predictions: rows.map((x) => {
            const r = score(x);
            return {
              prediction: r.className,
              class_id: r.classId,
              probability: r.probability,
              probabilities: Object.fromEntries(params.classNames.map((c, i) => [c, r.probabilities[i]])),
            };
          }),
          model_version: version,
          scoring_latency_ms: 0.3,
        },
      ],
    },
    { requestId, producer: 'inference-worker', occurredAt: new Date('2026-12-03T10:00:00.000Z') },
  );
}

/** What the prediction index holds of a reply's request, as the monitor indexed it. */
function indexed(e: EventEnvelope<NamedPredictionMade>): IndexedNamedPrediction {
  const r = e.payload.results[0];
  if (r.outcome !== 'scored') throw new Error('a failed request is not indexed as predictions');
  return {
    model: r.model,
    request_id: r.request_id,
    occurred_at: e.occurred_at,
    model_version: r.model_version,
    instances: r.instances,
    predictions: r.predictions.map((p) => p.prediction),
  };
}

/** The prediction index: a named request is found only under the model that served it, as Elasticsearch's term on `model` does. */
class FakePredictionIndex implements PredictionIndex {
  readonly searches: string[] = [];
  down = false;
  constructor(private readonly requests: IndexedNamedPrediction[]) {}

  find(): Promise<null> {
    return Promise.resolve(null);
  }

  findNamed(model: string, requestId: string): Promise<IndexedNamedPrediction | null> {
    this.searches.push(`${model}/${requestId}`);
    if (this.down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9200'));
    return Promise.resolve(this.requests.find((p) => p.model === model && p.request_id === requestId) ?? null);
  }
}

const label = (model_name: string, request_id: string, row: number, value: string): EventEnvelope<NamedFeedbackReceived> =>
  createEnvelope('NamedFeedbackReceived', { model_name, request_id, row, label: value }, { requestId: `fb-${request_id}`, producer: 'gateway' });

async function harness(
  bus = new InMemoryEventBus({ compactedTopics: new Set([TOPICS.namedFeedbackLabeled, TOPICS.namedModelLive]) }),
  setup: { env?: Record<string, string>; records?: NamedModelRegistered[]; routing?: Partial<NamedModelRouting>; index?: PredictionIndex } = {},
) {
  const models = new NamedModels();
  for (const r of setup.records ?? [record('wine', 1, RIGHT), record('wine', 2, SWAPPED, 'rejected')]) models.apply(r);
  models.apply(record('churn', 1, CHURN));
  const routings = new NamedRoutings();
  if (setup.routing)
    routings.apply({
      model_name: 'wine',
      current_version: null,
      previous_version: null,
      current_since: null,
      shadow_version: null,
      canary: null,
      updated_at: '2026-12-01T00:00:00.000Z',
      ...setup.routing,
    });
  const service = new NamedLiveEvaluationService(
    bus,
    new EventPublisher(bus, 'monitor'),
    models,
    routings,
    new NamedScorers(models),
    new JsonLogger('test', 'error', () => undefined),
    loadConfig({}, { LIVE_PUBLISH_SECONDS: '3600', ...setup.env }),
    setup.index,
  );
  await service.onApplicationBootstrap();
  const read = async <T>(topic: typeof TOPICS.namedFeedbackLabeled | typeof TOPICS.namedModelLive | typeof TOPICS.registryCommand) =>
    (await bus.readToEnd(topic)).map((m) => {
      // Every record must be one its topic's contract accepts.
      const d = decodeEvent(topic, m.value);
      if (!d.ok) throw new Error(`${topic}: ${d.reason}`);
      return { key: m.key, payload: d.event.payload as T };
    });
  return { bus, service, read };
}

describe('NamedLiveEvaluationService', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  afterEach(() => h.service.onApplicationShutdown());

  it('joins labels with the prediction of the same model, early or late, and counts them for the version that served', async () => {
    h = await harness();
    // Row 1's label comes before the prediction, row 0's after it.
    await h.service.observeFeedback([label('wine', 'r1', 1, 'yes')]);
    await h.service.observePredictions([reply('wine', 'r1', 1, RIGHT, [X[0], X[3]])]);
    await h.service.observeFeedback([label('wine', 'r1', 0, 'yes')]);
    const e = h.service.evaluation('wine', 1);
    expect(e).toMatchObject({
      model_name: 'wine',
      version: 1,
      labeled: 2,
      correct: 1,
      accuracy: 0.5,
      per_class_recall: { no: null, yes: 0.5 },
      confusion_matrix: [
        [0, 0],
        [1, 1],
      ],
    });
    // Compacted: the waiting record of row 1 was replaced by its joined one.
    const rows = await h.read<NamedLabeledRow>(TOPICS.namedFeedbackLabeled);
    expect(rows.map((r) => [r.key, r.payload.joined, r.payload.predicted])).toEqual([
      ['wine/r1:1', true, 'yes'],
      ['wine/r1:0', true, 'no'],
    ]);
    expect(rows[1].payload.input).toEqual({ a: 0, b: 0 });
  });

  it("never joins a label with another model's prediction of the same request id", async () => {
    h = await harness();
    await h.service.observePredictions([reply('churn', 'shared', 1, CHURN, [X[0]])]);
    await h.service.observeFeedback([label('wine', 'shared', 0, 'no')]);
    expect(h.service.evaluation('churn', 1).labeled).toBe(0);
    expect(h.service.evaluation('wine', 1).labeled).toBe(0);
    await h.service.observePredictions([reply('wine', 'shared', 1, RIGHT, [X[0]])]);
    expect(h.service.evaluation('wine', 1)).toMatchObject({ labeled: 1, correct: 1 });
    expect(h.service.evaluation('churn', 1).labeled).toBe(0);
  });

  it('compares versions on the same labeled rows, each scoring them again, whichever served them', async () => {
    h = await harness();
    await h.service.observePredictions([reply('wine', 'a', 1, RIGHT, X)]);
    await h.service.observeFeedback(X.map((_, i) => label('wine', 'a', i, i < 3 ? 'no' : 'yes')));
    // Version 2 served nothing; it is compared because version 1 is current.
    await h.service.observePredictions([reply('wine', 'b', 2, SWAPPED, [X[0]])]);
    await h.service.observeFeedback([label('wine', 'b', 0, 'no')]);
    expect(h.service.evaluation('wine', 1)).toMatchObject({
      labeled: 6,
      accuracy: 1,
      comparisons: [{ other_version: 2, compared: 0, agreement: null, labeled: 7, accuracy: 1, other_accuracy: 0 }],
    });
    expect(h.service.evaluation('wine', 2)).toMatchObject({
      labeled: 1,
      accuracy: 0,
      comparisons: [{ other_version: 1, labeled: 7, accuracy: 0, other_accuracy: 1 }],
    });
  });

  it('counts a label once: a duplicate, or one for a row the prediction does not have, changes nothing', async () => {
    h = await harness();
    await h.service.observePredictions([reply('wine', 'r', 1, RIGHT, [X[0]])]);
    await h.service.observeFeedback([label('wine', 'r', 0, 'no'), label('wine', 'r', 0, 'yes')]);
    await h.service.observeFeedback([label('wine', 'r', 0, 'yes'), label('wine', 'r', 5, 'no')]);
    // A prediction delivered again does not count its label twice.
    await h.service.observePredictions([reply('wine', 'r', 1, RIGHT, [X[0]])]);
    expect(h.service.evaluation('wine', 1)).toMatchObject({ labeled: 1, correct: 1 });
    expect(await h.read(TOPICS.namedFeedbackLabeled)).toHaveLength(1);
  });

  it('publishes every version of a model whose rows changed, keyed name/version', async () => {
    h = await harness();
    await h.service.observePredictions([reply('wine', 'a', 1, RIGHT, [X[0]]), reply('wine', 'b', 2, SWAPPED, [X[3]])]);
    await h.service.observeFeedback([label('wine', 'a', 0, 'no'), label('wine', 'b', 0, 'yes')]);
    await h.service.publish();
    const live = await h.read<NamedLiveEvaluation>(TOPICS.namedModelLive);
    expect(live.map((r) => [r.key, r.payload.labeled, r.payload.accuracy])).toEqual([
      ['wine/1', 1, 1],
      ['wine/2', 1, 0],
    ]);
    await h.service.publish();
    expect(await h.read(TOPICS.namedModelLive)).toHaveLength(2);
  });

  it('rebuilds its figures and waiting labels from the labeled-row topic after a restart', async () => {
    h = await harness();
    await h.service.observePredictions([reply('wine', 'a', 1, RIGHT, [X[0], X[4]])]);
    await h.service.observeFeedback([label('wine', 'a', 0, 'no'), label('wine', 'a', 1, 'no'), label('wine', 'later', 0, 'yes')]);
    const before = h.service.evaluation('wine', 1);
    h.service.onApplicationShutdown();
    h = await harness(h.bus);
    expect({ ...h.service.evaluation('wine', 1), updated_at: '' }).toEqual({ ...before, updated_at: '' });
    expect(before).toMatchObject({ labeled: 2, correct: 1 });
    // The label that waited before the restart still joins its prediction.
    await h.service.observePredictions([reply('wine', 'later', 1, RIGHT, [X[5]])]);
    expect(h.service.evaluation('wine', 1)).toMatchObject({ labeled: 3, correct: 2 });
  });

  describe('labels for predictions older than its memory', () => {
    // A restarted monitor: the replies were consumed by the one before, only the index has them.
    const old = reply('wine', 'old', 2, SWAPPED, [X[0], X[3]]);

    it('joins them with the indexed prediction of the version that served, searching once per request', async () => {
      const index = new FakePredictionIndex([indexed(old)]);
      h = await harness(undefined, { index });
      await h.service.observeFeedback([label('wine', 'old', 0, 'no'), label('wine', 'old', 1, 'yes'), label('wine', 'old', 2, 'no')]);
      await h.service.observeFeedback([label('wine', 'old', 1, 'no')]);
      // Version 2 learned the classes swapped: it said yes of row 0 and no of row 1, both wrong.
      expect(h.service.evaluation('wine', 2)).toMatchObject({
        labeled: 2,
        correct: 0,
        confusion_matrix: [
          [0, 1],
          [1, 0],
        ],
      });
      expect(h.service.evaluation('wine', 1).labeled).toBe(0);
      const rows = await h.read<NamedLabeledRow>(TOPICS.namedFeedbackLabeled);
      expect(rows.map((r) => [r.key, r.payload.joined, r.payload.served_version, r.payload.predicted, r.payload.input])).toEqual([
        ['wine/old:0', true, 2, 'yes', { a: 0, b: 0 }],
        ['wine/old:1', true, 2, 'no', { a: 1, b: 1 }],
      ]);
      expect(rows[0].payload.predicted_at).toBe('2026-12-03T10:00:00.000Z');
      // Row 2 is not in the prediction (rejected); the later label of row 1 a duplicate.
      expect(index.searches).toEqual(['wine/old']);
    });

    it("never joins them with another model's indexed prediction of the same request id", async () => {
      const index = new FakePredictionIndex([indexed(reply('churn', 'old', 1, CHURN, [X[0]]))]);
      h = await harness(undefined, { index });
      await h.service.observeFeedback([label('wine', 'old', 0, 'no')]);
      expect(index.searches).toEqual(['wine/old']);
      expect(h.service.evaluation('wine', 1).labeled).toBe(0);
      expect(h.service.evaluation('churn', 1).labeled).toBe(0);
      expect((await h.read<NamedLabeledRow>(TOPICS.namedFeedbackLabeled)).map((r) => [r.key, r.payload.joined])).toEqual([['wine/old:0', false]]);
    });

    it('keeps one the index does not have waiting, once per batch, and joins it when its prediction comes', async () => {
      const index = new FakePredictionIndex([]);
      h = await harness(undefined, { index });
      await h.service.observeFeedback([label('wine', 'later', 0, 'no'), label('wine', 'later', 1, 'yes')]);
      expect(index.searches).toEqual(['wine/later']);
      expect((await h.read<NamedLabeledRow>(TOPICS.namedFeedbackLabeled)).map((r) => r.payload.joined)).toEqual([false, false]);
      await h.service.observePredictions([reply('wine', 'later', 1, RIGHT, [X[0], X[3]])]);
      expect(h.service.evaluation('wine', 1)).toMatchObject({ labeled: 2, correct: 2 });
    });

    it('fails the batch as retryable while the index is down, recording nothing, and joins it on the retry', async () => {
      const index = new FakePredictionIndex([indexed(old)]);
      index.down = true;
      h = await harness(undefined, { index });
      const batch = [label('wine', 'old', 0, 'no')];
      const failed = h.service.observeFeedback(batch);
      await expect(failed).rejects.toBeInstanceOf(RetryableError);
      await expect(failed).rejects.toThrow('prediction index unavailable: connect ECONNREFUSED 127.0.0.1:9200');
      expect(await h.read(TOPICS.namedFeedbackLabeled)).toEqual([]);
      index.down = false;
      await h.service.observeFeedback(batch);
      expect(h.service.evaluation('wine', 2)).toMatchObject({ labeled: 1, correct: 0 });
    });
  });

  describe('automatic decisions', () => {
    const AUTO = { AUTO_PROMOTE: 'true', AUTO_ROLLBACK: 'true', LIVE_MIN_LABELS: '20', LIVE_COOLDOWN_SECONDS: '0' };
    /** 30 labeled rows (each of X five times), served by `version` with `params`, labeled with their true class. */
    async function labelThirty(service: NamedLiveEvaluationService, version: number, params: NamedModelRegistered['model']['params']) {
      for (let k = 0; k < 5; k++) {
        await service.observePredictions([reply('wine', `r${version}-${k}`, version, params, X)]);
        await service.observeFeedback(X.map((_, i) => label('wine', `r${version}-${k}`, i, i < 3 ? 'no' : 'yes')));
      }
    }

    it('rolls a model back to its previous version when that one is significantly more accurate on the same rows, once', async () => {
      h = await harness(undefined, {
        env: AUTO,
        records: [record('wine', 1, RIGHT, 'archived'), record('wine', 2, SWAPPED)],
        routing: { current_version: 2, previous_version: 1, current_since: '2026-12-01T00:00:00.000Z' },
      });
      await labelThirty(h.service, 2, SWAPPED);
      await h.service.publish();
      await h.service.publish();
      const commands = await h.read<RegistryCommand>(TOPICS.registryCommand);
      expect(commands.map((c) => c.payload)).toEqual([
        expect.objectContaining({
          model_name: 'wine',
          action: 'rollback',
          version: 1,
          incumbent_version: 2,
          source: 'auto',
          evidence: expect.objectContaining({
            labeled: 30,
            challenger_only_correct: 30,
            incumbent_only_correct: 0,
            incumbent_accuracy: 0,
            challenger_accuracy: 1,
          }),
        }),
      ]);
    });

    it("counts a shadow's agreement with the serving version and promotes a shadow that beats it", async () => {
      h = await harness(undefined, {
        env: AUTO,
        records: [record('wine', 1, RIGHT, 'archived'), record('wine', 2, SWAPPED)],
        routing: { current_version: 2, previous_version: null, current_since: '2026-12-01T00:00:00.000Z', shadow_version: 1 },
      });
      const right = compileScorer(RIGHT);
      const shadow = (rows: number[][]): EventEnvelope<NamedShadowPrediction> =>
        createEnvelope(
          'NamedShadowPredictionMade',
          {
            model: 'wine',
            instances: rows.map(([a, b]) => ({ a, b })),
            predictions: rows.map((x) => {
              const r = right(x);
              return {
                prediction: r.className,
                class_id: r.classId,
                probability: r.probability,
                probabilities: { no: r.probabilities[0], yes: r.probabilities[1] },
              };
            }),
            model_version: 1,
            serving_version: 2,
            worker: 'worker-a',
          },
          { requestId: 'r-shadow', producer: 'inference-worker' },
        );
      // Version 2 learned the classes swapped: it never agrees with version 1.
      h.service.observeShadow([shadow(X)]);
      expect(h.service.evaluation('wine', 2).comparisons).toEqual([expect.objectContaining({ other_version: 1, compared: 6, agreement: 0 })]);
      await labelThirty(h.service, 2, SWAPPED);
      await h.service.publish();
      expect((await h.read<RegistryCommand>(TOPICS.registryCommand)).map((c) => c.payload)).toEqual([
        expect.objectContaining({ model_name: 'wine', action: 'promote', version: 1, incumbent_version: 2 }),
      ]);
    });

    it('promotes a canary that beats the current version; does nothing within the cool-down or when not enabled', async () => {
      const setup = {
        records: [record('wine', 1, RIGHT, 'archived'), record('wine', 2, SWAPPED)],
        routing: { current_version: 2, previous_version: null, current_since: new Date().toISOString(), canary: { version: 1, percent: 10 } },
      };
      h = await harness(undefined, { ...setup, env: { ...AUTO, LIVE_COOLDOWN_SECONDS: '600' } });
      await labelThirty(h.service, 2, SWAPPED);
      await h.service.publish();
      expect(await h.read(TOPICS.registryCommand)).toEqual([]);
      h.service.onApplicationShutdown();
      h = await harness(undefined, { ...setup, env: { LIVE_MIN_LABELS: '20' } });
      await labelThirty(h.service, 2, SWAPPED);
      await h.service.publish();
      expect(await h.read(TOPICS.registryCommand)).toEqual([]);
      h.service.onApplicationShutdown();
      h = await harness(undefined, { ...setup, env: AUTO });
      await labelThirty(h.service, 2, SWAPPED);
      await h.service.publish();
      expect((await h.read<RegistryCommand>(TOPICS.registryCommand)).map((c) => c.payload)).toEqual([
        expect.objectContaining({ model_name: 'wine', action: 'promote', version: 1, incumbent_version: 2 }),
      ]);
      expect(h.service.evaluation('wine', 2).comparisons).toEqual([expect.objectContaining({ other_version: 1, labeled: 30, accuracy: 0, other_accuracy: 1 })]);
    });
  });
});
