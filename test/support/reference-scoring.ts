/**
 * Checks answers against their own inputs. Plain TypeScript without path aliases: the fault suite
 * (test/faults, built by tsc alone) imports it too.
 */

/** The part of a registered version's params (GET /models/{version}) that scoring reads. */
export interface ScoringParams {
  featureNames: string[];
  classNames: string[];
  logPriors: number[];
  means: number[][];
  variances: number[][];
}

/** One scored row as the gateway answers it. */
export interface ScoredAnswer {
  prediction: string;
  class_id: number;
  probability: number;
  probabilities: Record<string, number>;
}

/** A row sent and the answer that came back for it; `label` names the request in a failure message. */
export interface Exchange {
  label: string;
  input: Record<string, number>;
  modelVersion: number;
  /** Undefined when the reply had no answer for this row. */
  answer: ScoredAnswer | undefined;
}

/**
 * Relative: the two computations below differ in the last bits only, and a class's tiny
 * probability (1e-20 for a clear setosa) tells two inputs apart as well as the large one does.
 */
const TOLERANCE = 1e-9;
/**
 * Below the smallest normal double (2^-1022) a number keeps fewer significant bits (5.9e-316 has
 * about 27), so the two computations' last-bit differences are larger than TOLERANCE there; a
 * difference under that floor is noise, not another input (the fault suite's full run met
 * 5.90393486e-316 against 5.9039348e-316).
 */
const SUBNORMAL_FLOOR = 2 ** -1022;
export const close = (a: number, b: number, tolerance = TOLERANCE) =>
  Math.abs(a - b) <= Math.max(tolerance * Math.max(Math.abs(a), Math.abs(b)), SUBNORMAL_FLOOR);

/**
 * Gaussian naive Bayes written out from its definition: per class the log prior plus each
 * feature's log normal density, normalised by log-sum-exp. Deliberately not the workers' scorer
 * (libs/model precomputes per class and normalises differently): an answer is checked against the
 * input it was for, not the code against itself.
 */
export function referenceAnswer(params: ScoringParams, input: Record<string, number>): ScoredAnswer {
  const x = params.featureNames.map((name) => input[name]);
  const joint = params.classNames.map((_, c) =>
    x.reduce((sum, value, j) => {
      const variance = params.variances[c][j];
      return sum - 0.5 * Math.log(2 * Math.PI * variance) - (value - params.means[c][j]) ** 2 / (2 * variance);
    }, params.logPriors[c]),
  );
  const top = Math.max(...joint);
  const evidence = top + Math.log(joint.reduce((sum, l) => sum + Math.exp(l - top), 0));
  const classId = joint.indexOf(top);
  const posterior = joint.map((l) => Math.exp(l - evidence));
  return {
    prediction: params.classNames[classId],
    class_id: classId,
    probability: posterior[classId],
    probabilities: Object.fromEntries(params.classNames.map((name, c) => [name, posterior[c]])),
  };
}

/** How `answer` differs from `expected`; undefined when it is the same answer. */
export function answerMismatch(answer: ScoredAnswer | undefined, expected: ScoredAnswer): string | undefined {
  if (typeof answer !== 'object' || answer === null) return 'no answer for this row';
  if (answer.prediction !== expected.prediction || answer.class_id !== expected.class_id)
    return `${answer.prediction} (class ${answer.class_id}) instead of ${expected.prediction} (class ${expected.class_id})`;
  if (!close(answer.probability, expected.probability)) return `probability ${answer.probability} instead of ${expected.probability}`;
  for (const [name, p] of Object.entries(expected.probabilities)) {
    const got = answer.probabilities?.[name];
    if (typeof got !== 'number' || !close(got, p)) return `probabilities.${name} ${got} instead of ${p}`;
  }
  if (Object.keys(answer.probabilities ?? {}).length !== Object.keys(expected.probabilities).length)
    return `probabilities for ${Object.keys(answer.probabilities ?? {}).join(', ')} instead of ${Object.keys(expected.probabilities).join(', ')}`;
  return undefined;
}

/**
 * Pairs of answers the check above cannot tell apart: were two such requests' answers crossed,
 * nothing would notice. Sorted by the smallest class probability, which differs wherever the
 * answers differ, so only neighbours within the tolerance are compared.
 */
export function indistinguishablePairs(answers: ScoredAnswer[]): Array<[number, number]> {
  const key = answers.map((a) => Math.min(...Object.values(a.probabilities)));
  const order = answers.map((_, i) => i).sort((a, b) => key[a] - key[b]);
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < order.length; i++) {
    for (let j = i + 1; j < order.length && close(key[order[i]], key[order[j]], 2 * TOLERANCE); j++) {
      if (answerMismatch(answers[order[i]], answers[order[j]]) === undefined) pairs.push([order[i], order[j]].sort((a, b) => a - b) as [number, number]);
    }
  }
  return pairs;
}

export interface CrossCheck {
  checked: number;
  /** One line per answer that is not its own input's, e.g. crossed with another request's. */
  wrong: string[];
  /** Inputs whose answers the check could not tell apart under some version: the check would miss their crossing. */
  indistinguishable: string[];
}

/**
 * Every answer against the reference answer of its own input under the version it names, and a
 * proof that the check can fail: no two inputs sent get answers it cannot tell apart.
 */
export function crossCheck(exchanges: Exchange[], params: ReadonlyMap<number, ScoringParams>): CrossCheck {
  const wrong: string[] = [];
  for (const e of exchanges) {
    const p = params.get(e.modelVersion);
    const why = p ? answerMismatch(e.answer, referenceAnswer(p, e.input)) : `model version ${e.modelVersion} has no parameters to check against`;
    if (why) wrong.push(`${e.label}: ${why}`);
  }
  const indistinguishable: string[] = [];
  for (const [version, p] of params) {
    const answers = exchanges.map((e) => referenceAnswer(p, e.input));
    for (const [a, b] of indistinguishablePairs(answers)) indistinguishable.push(`${exchanges[a].label} and ${exchanges[b].label} under version ${version}`);
  }
  return { checked: exchanges.length, wrong, indistinguishable };
}
