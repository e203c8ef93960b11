import { Injectable } from '@nestjs/common';
import type { ModelArtifact, ScoredInstance } from '@app/contracts';
import { compileScorer } from '@app/model';
import { currentModelVersion } from '@app/observability';

export interface LoadedModel {
  version: number;
  score: (x: readonly number[]) => ScoredInstance;
}

/**
 * The model this worker serves. A swap replaces one reference: a request holds the
 * LoadedModel it started with, so it finishes on that version and reports it.
 */
@Injectable()
export class ServingModel {
  private loaded: LoadedModel | null = null;

  get current(): LoadedModel | null {
    return this.loaded;
  }

  swap(artifact: ModelArtifact): LoadedModel {
    const next = loadModel(artifact);
    this.loaded = next;
    currentModelVersion.set(artifact.version);
    return next;
  }
}

/** Compiles an artifact's parameters into a scorer that answers in the contract's shape. */
export function loadModel(artifact: ModelArtifact): LoadedModel {
  const scorer = compileScorer(artifact.params);
  const classNames = artifact.params.classNames;
  return {
    version: artifact.version,
    score: (x) => {
      const r = scorer(x);
      return {
        prediction: r.className as ScoredInstance['prediction'],
        class_id: r.classId,
        probability: r.probability,
        probabilities: Object.fromEntries(classNames.map((c, i) => [c, r.probabilities[i]])) as ScoredInstance['probabilities'],
      };
    },
  };
}
