import type { LiveEvaluation, ModelRegistered, ModelRouting } from '@app/contracts';
import { fitGaussianNB, irisDataset } from '@app/model';
import { modelChecksum } from '@app/training';
import { mirroredVersion, routingAliases } from './version-mapping';

const params = fitGaussianNB(irisDataset());
const RECORD: ModelRegistered = {
  version: 3,
  status: 'current',
  status_reason: 'promote to version 3',
  parent_version: 2,
  job_id: 'job-3',
  registered_at: '2026-11-28T14:35:35.273Z',
  model: {
    version: 3,
    run_id: '5c37d62e-c6ab-80d3-9220-257ff0307398',
    trained_at: '2026-11-28T14:35:35.272Z',
    checksum: modelChecksum(params),
    params,
    metrics: { accuracy: 0.96, macro_f1: 0.95, per_class: {}, confusion_matrix: [], holdout_size: 30 },
    baselines: [],
  },
};
const LIVE: LiveEvaluation = {
  version: 3,
  labeled: 300,
  correct: 287,
  accuracy: 0.9566666666666667,
  accuracy_ci95: [0.9275, 0.9745],
  per_class_recall: {},
  confusion_matrix: [],
  comparisons: [],
  updated_at: '2026-11-28T15:00:00.000Z',
};
const tagsOf = (v: ReturnType<typeof mirroredVersion>) => Object.fromEntries(v.tags.map((t) => [t.key, t.value]));

describe('mirroredVersion', () => {
  it('tags the version with our registry number, status, run and checksum, and describes it', () => {
    const v = mirroredVersion(RECORD, undefined);
    expect(v).toMatchObject({
      modelName: 'iris',
      registryVersion: 3,
      platformRunId: RECORD.model.run_id,
      jobId: 'job-3',
      trainedAt: Date.parse(RECORD.model.trained_at),
    });
    expect(tagsOf(v)).toEqual({
      registry_version: '3',
      status: 'current',
      status_reason: 'promote to version 3',
      job_id: 'job-3',
      platform_run_id: RECORD.model.run_id,
      model_checksum: RECORD.model.checksum,
      parent_version: '2',
      holdout_accuracy: '0.96',
    });
    expect(v.description).toBe("Version 3 of the iris platform's registry (retrain job job-3): current. promote to version 3");
  });

  it('adds live accuracy with its interval once the monitor has labeled rows, and changes the digest', () => {
    const v = mirroredVersion(RECORD, LIVE);
    expect(tagsOf(v)).toMatchObject({ live_labeled: '300', live_accuracy: '0.9566666666666667', live_accuracy_ci95: '[0.9275, 0.9745]' });
    expect(v.digest).not.toBe(mirroredVersion(RECORD, undefined).digest);
    const unlabeled = tagsOf(mirroredVersion(RECORD, { ...LIVE, labeled: 0, correct: 0, accuracy: null, accuracy_ci95: null }));
    expect(unlabeled.live_labeled).toBe('0');
    expect(unlabeled).not.toHaveProperty('live_accuracy');
  });

  it("keeps its digest when only the live record's timestamp moves", () => {
    expect(mirroredVersion(RECORD, { ...LIVE, updated_at: '2026-11-28T15:00:05.000Z' }).digest).toBe(mirroredVersion(RECORD, LIVE).digest);
  });

  it('carries the registry artifact as model/model.json and a README of how to load it', () => {
    const [json, readme] = mirroredVersion(RECORD, undefined).files;
    expect(json).toEqual({ path: 'model/model.json', content: JSON.stringify(RECORD.model), contentType: 'application/json' });
    expect(readme.path).toBe('model/README.md');
    expect(readme.content).toContain('download_artifacts("models:/iris@champion/model.json")');
    expect(readme.content).toContain('classes, in order: `setosa`, `versicolor`, `virginica`');
  });
});

describe('routingAliases', () => {
  const routing: ModelRouting = {
    current_version: 4,
    previous_version: 3,
    current_since: null,
    shadow_version: 2,
    canary: null,
    updated_at: '2026-11-28T15:00:00.000Z',
  };

  it('makes the current version champion and the shadow challenger', () => {
    expect(routingAliases(routing)).toEqual({ champion: 4, challenger: 2 });
  });

  it('prefers the canary, which answers traffic, over the shadow', () => {
    expect(routingAliases({ ...routing, canary: { version: 5, percent: 10 } })).toEqual({ champion: 4, challenger: 5 });
  });

  it('has no challenger without a shadow or a canary', () => {
    expect(routingAliases({ ...routing, shadow_version: null })).toEqual({ champion: 4, challenger: null });
  });
});
