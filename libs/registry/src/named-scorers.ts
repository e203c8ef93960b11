import { Injectable } from '@nestjs/common';
import type { NamedModelRegistered, NamedScoredInstance } from '@app/contracts';
import { compileScorer } from '@app/model';
import { NamedModels } from './named-models';

/**
 * Compiled scorers kept at once. A named model's versions are all in the registry view (small:
 * parameters, not data); compiled ones are kept for the most recently used, so a worker serving
 * a hundred models holds a bounded set and compiles any other on first use.
 */
export const NAMED_SCORERS_KEPT = 64;

export interface NamedScorer {
  model: string;
  version: number;
  features: readonly string[];
  score: (row: Readonly<Record<string, number>>) => NamedScoredInstance;
}

function compile(record: NamedModelRegistered): NamedScorer {
  const { params } = record.model;
  const scorer = compileScorer(params);
  const { featureNames, classNames } = params;
  return {
    model: record.model_name,
    version: record.version,
    features: featureNames,
    score: (row) => {
      const r = scorer(featureNames.map((f) => row[f]));
      return {
        prediction: r.className,
        class_id: r.classId,
        probability: r.probability,
        probabilities: Object.fromEntries(classNames.map((c, i) => [c, r.probabilities[i]])),
      };
    },
  };
}

/** A named model's current (or pinned) version, compiled on first use, least recently used dropped first. */
@Injectable()
export class NamedScorers {
  private readonly built = new Map<string, NamedScorer>();

  constructor(private readonly models: NamedModels) {}

  /** undefined: no such serving model (or version) in this worker's view yet, or a model with no current version. */
  get(model: string, version?: number): NamedScorer | undefined {
    const registry = this.models.serving(model);
    const record = version === undefined ? registry?.current() : registry?.get(version);
    // A version named by the request scores even if the gate rejected it: comparing versions is what naming one is for.
    if (!record) return undefined;
    const key = `${model}/${record.version}`;
    let scorer = this.built.get(key);
    if (scorer) this.built.delete(key);
    else scorer = compile(record);
    this.built.set(key, scorer);
    if (this.built.size > NAMED_SCORERS_KEPT) this.built.delete(this.built.keys().next().value!);
    return scorer;
  }

  get size(): number {
    return this.built.size;
  }
}
