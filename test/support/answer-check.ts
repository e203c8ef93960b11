import type { Row } from './feature-rows';
import { getJson, type JsonResponse } from './http';
import { crossCheck, type CrossCheck, type Exchange, type ScoringParams } from './reference-scoring';

/** A POST /predict (one row) or /predict/batch (several) and what came back. */
export interface Sent {
  label: string;
  rows: Row[];
  res: JsonResponse;
}

/** The rows of successful answers paired with what each got; a failed request is the caller's to assert. */
export function exchangesOf(sent: Sent[]): Exchange[] {
  return sent
    .filter((s) => s.res.status === 200)
    .flatMap((s) => {
      const answers = s.rows.length === 1 && !s.res.body.predictions ? [s.res.body] : (s.res.body.predictions ?? []);
      return s.rows.map((input, i) => ({
        label: s.rows.length === 1 ? s.label : `${s.label} row ${i}`,
        input,
        modelVersion: s.res.body.model_version as number,
        answer: answers[i],
      }));
    });
}

/** The registered parameters of every version the answers name, as the gateway serves them. */
export async function paramsOf(gatewayUrl: string, exchanges: Exchange[]): Promise<Map<number, ScoringParams>> {
  const versions = [...new Set(exchanges.map((e) => e.modelVersion))];
  const models = await Promise.all(versions.map((v) => getJson(`${gatewayUrl}/models/${v}`)));
  return new Map(models.flatMap((m, i) => (m.status === 200 ? [[versions[i], m.body.params as ScoringParams]] : [])));
}

/** Every successful answer checked against the reference scoring of its own input (see crossCheck). */
export async function checkAnswers(gatewayUrl: string, sent: Sent[]): Promise<CrossCheck> {
  const exchanges = exchangesOf(sent);
  return crossCheck(exchanges, await paramsOf(gatewayUrl, exchanges));
}
