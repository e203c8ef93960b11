import { CLASS_NAMES, FEATURE_NAMES } from '@app/model';
import { INDEX_KINDS, indexPattern, type IndexKind } from './index-names';

type Mapping = Record<string, unknown>;
const keyword = { type: 'keyword' };
const float = { type: 'float' };
const double = { type: 'double' };
const integer = { type: 'integer' };
const date = { type: 'date' };
const bool = { type: 'boolean' };
const text = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } };
const object = (properties: Mapping) => ({ properties });
/** Each entry its own hidden document, so a query pairs a name with its own value (an object array would flatten them). */
const nested = (properties: Mapping) => ({ type: 'nested', properties });
const perFeature = (inner: Mapping) => object(Object.fromEntries(FEATURE_NAMES.map((f) => [f, inner])));
const perClass = (inner: Mapping) => object(Object.fromEntries(CLASS_NAMES.map((c) => [c, inner])));
const summary = object({ count: integer, mean: float, std: float, min: float, max: float });
const drift = object({ psi: float, ks: float, p_value: float, drifted: bool });

const COMMON: Mapping = {
  '@timestamp': date,
  event_id: keyword,
  event_type: keyword,
  request_id: keyword,
  client_request_id: keyword,
  trace_id: keyword,
  producer: keyword,
  topic: keyword,
  model: keyword,
};

/**
 * A named model's rows and versions. Its features and classes may be any names (up to 1000 of
 * 200 characters), so they are name/value entries, not fields of their own: the mapping stays
 * these few fields whatever the models, and a query still finds a feature by name and value.
 */
const NAMED_PREDICTION_FIELDS: Mapping = {
  features: nested({ name: keyword, value: double }),
  class_probabilities: nested({ class: keyword, probability: float }),
};
const NAMED_MODEL_FIELDS: Mapping = { feature_names: keyword, deleted_at: date };
/**
 * A named model's window statistics and drift, likewise: one entry per feature (its summary and
 * drift scores; a drift document has only the scores) and one per class, never a field per name.
 */
const NAMED_FEATURE_STATS: Mapping = {
  feature_stats: nested({
    name: keyword,
    count: integer,
    mean: float,
    std: float,
    min: float,
    max: float,
    psi: float,
    ks: float,
    p_value: float,
    drifted: bool,
  }),
};
const NAMED_STATS_FIELDS: Mapping = { ...NAMED_FEATURE_STATS, class_shares: nested({ class: keyword, share: float }) };
/** A named model's shadow and labeled rows carry their input as its predictions do; its live figures, a recall per class. */
const NAMED_INPUT_FIELDS: Mapping = { features: NAMED_PREDICTION_FIELDS.features };
const NAMED_LIVE_FIELDS: Mapping = { class_recall: nested({ class: keyword, recall: float }) };

/** Every field typed up front: `dynamic: strict` rejects (and so dead-letters) a document that does not fit. */
const FIELDS: Record<IndexKind, Mapping> = {
  predictions: {
    model_version: integer,
    worker: keyword,
    prediction: keyword,
    class_id: integer,
    probability: float,
    probabilities: perClass(float),
    input: perFeature(float),
    scoring_latency_ms: float,
    batch_size: integer,
    batch_index: integer,
    ...NAMED_PREDICTION_FIELDS,
  },
  shadow: {
    model_version: integer,
    serving_version: integer,
    worker: keyword,
    prediction: keyword,
    class_id: integer,
    probability: float,
    input: perFeature(float),
    batch_index: integer,
    ...NAMED_INPUT_FIELDS,
  },
  feedback: {
    target_request_id: keyword,
    batch_index: integer,
    label: keyword,
    labeled_at: date,
    joined: bool,
    model_version: integer,
    prediction: keyword,
    correct: bool,
    input: perFeature(float),
    ...NAMED_INPUT_FIELDS,
  },
  live: {
    model_version: integer,
    labeled: integer,
    correct: integer,
    accuracy: float,
    accuracy_ci95_low: float,
    accuracy_ci95_high: float,
    per_class_recall: perClass(float),
    ...NAMED_LIVE_FIELDS,
  },
  stats: {
    model_version: integer,
    count: integer,
    features: perFeature(summary),
    class_mix: perClass(float),
    latency_ms: object({ p50: float, p95: float, p99: float }),
    drift: perFeature(drift),
    ...NAMED_STATS_FIELDS,
  },
  drift: {
    model_version: integer,
    window_size: integer,
    drifted_features: keyword,
    features: perFeature(drift),
    psi_max: float,
    retrain_requested: bool,
    ...NAMED_FEATURE_STATS,
  },
  models: {
    model_version: integer,
    previous_version: integer,
    status: keyword,
    job_id: keyword,
    accuracy: float,
    macro_f1: float,
    reason: text,
    shadow_version: integer,
    canary_version: integer,
    canary_percent: float,
    command_id: keyword,
    source: keyword,
    outcome: keyword,
    evidence: object({
      test: keyword,
      labeled: integer,
      challenger_only_correct: integer,
      incumbent_only_correct: integer,
      incumbent_accuracy: float,
      challenger_accuracy: float,
      p_value: double,
      alpha: float,
    }),
    ...NAMED_MODEL_FIELDS,
  },
  events: {
    job_id: keyword,
    reason: text,
    error: keyword,
    batch_size: integer,
    source_topic: keyword,
    consumer_group: keyword,
    target_request_id: keyword,
    batch_index: integer,
    label: keyword,
    command_id: keyword,
    action: keyword,
    model_version: integer,
    source: keyword,
  },
};

export interface IndexTemplate {
  name: string;
  index_patterns: string[];
  priority: number;
  template: { settings: Mapping; mappings: Mapping };
  /** ADDED_COMMON_FIELDS and the fields added to this kind alone: what to put on its indices that already exist. */
  added: Mapping;
}

/**
 * Fields added to every index after the first release, put on indices that already exist when
 * a new monitor starts: under `dynamic: strict` the day's index (made from the older template)
 * would otherwise refuse, and dead-letter, every document that carries one.
 */
export const ADDED_COMMON_FIELDS: Mapping = { trace_id: keyword, model: keyword };

/**
 * Fields added to one kind's indices after the first release, for the same reason. Not common:
 * `features` is an object in the stats and drift indices, which cannot become nested, so a named
 * model's statistics and drift take fields of their own there.
 */
const ADDED_FIELDS: Partial<Record<IndexKind, Mapping>> = {
  predictions: NAMED_PREDICTION_FIELDS,
  models: NAMED_MODEL_FIELDS,
  stats: NAMED_STATS_FIELDS,
  drift: NAMED_FEATURE_STATS,
  shadow: NAMED_INPUT_FIELDS,
  feedback: NAMED_INPUT_FIELDS,
  live: NAMED_LIVE_FIELDS,
};

export function indexTemplates(prefix: string): IndexTemplate[] {
  return INDEX_KINDS.map((kind) => ({
    name: `${prefix}-${kind}`,
    index_patterns: [indexPattern(prefix, kind)],
    priority: 200,
    template: {
      // Replicas are left to the cluster's default: one on a cluster, and a single node simply runs yellow.
      settings: { number_of_shards: 1, refresh_interval: '1s' },
      mappings: { dynamic: 'strict', properties: { ...COMMON, ...FIELDS[kind] } },
    },
    added: { ...ADDED_COMMON_FIELDS, ...ADDED_FIELDS[kind] },
  }));
}
