import { distinctFlower } from '../test/support/distinct-flowers';

/**
 * Every request of a run sends its own flower (number n % FLOWERS of the tests' fixed sequence),
 * and every answer is compared with the answer that flower got alone before the run: a crossed
 * answer (another request's class and probabilities) or a wrong one counts as an error. The same
 * for ours and the baseline, whatever their response shapes.
 */
export const FLOWERS = 256;

export const flowerBody = (n: number): string => JSON.stringify(distinctFlower(n % FLOWERS));

/** The part of a response that depends on the input: the class and the scores, nothing per request (ids, latency, worker). */
const ANSWER_FIELDS = ['prediction', 'class_id', 'probability', 'probabilities', 'confidence'];

export function answerOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const fields = ANSWER_FIELDS.filter((f) => f in parsed);
    return fields.length === 0 ? null : JSON.stringify(fields.map((f) => parsed[f]));
  } catch {
    return null;
  }
}

export interface Reference {
  /** The answer of each flower, asked alone. */
  answers: string[];
  /** Flowers whose answer another flower also gets: a request crossed between two of them would not show. */
  indistinguishable: number;
}

/** Asks every flower once, one at a time, and keeps its answer. */
export async function referenceAnswers(baseUrl: string): Promise<Reference> {
  const answers: string[] = [];
  for (let n = 0; n < FLOWERS; n++) {
    const res = await fetch(`${baseUrl}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: flowerBody(n) });
    const answer = answerOf(await res.text());
    if (res.status !== 200 || answer === null) throw new Error(`${baseUrl}/predict answered flower ${n} with ${res.status}, not a prediction`);
    answers.push(answer);
  }
  const seen = new Map<string, number>();
  for (const a of answers) seen.set(a, (seen.get(a) ?? 0) + 1);
  return { answers, indistinguishable: answers.filter((a) => seen.get(a)! > 1).length };
}

/** Whether request n's 2xx body is the answer its own flower got alone. */
export const rightAnswer = (reference: Reference, n: number, body: string): boolean => answerOf(body) === reference.answers[n % FLOWERS];
