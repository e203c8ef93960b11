import { TOPICS, decodeEvent, type PayloadOf, type Topic } from '@app/contracts';
import type { EventBus } from '@app/messaging';
import type { MlflowMirror } from './mlflow-mirror';

/** Hands every record on the state topics the mirror follows to it, oldest first: the backfill of `npm run mlflow:sync`. */
export async function replayStateTopics(bus: EventBus, mirror: MlflowMirror): Promise<{ records: number; undecodable: number }> {
  const counts = { records: 0, undecodable: 0 };
  const replay = async <T extends Topic>(topic: T, observe: (payload: PayloadOf<T>) => void) => {
    for (const m of await bus.readToEnd(topic)) {
      const d = decodeEvent(topic, m.value);
      if (!d.ok) {
        counts.undecodable++;
        continue;
      }
      counts.records++;
      observe(d.event.payload);
    }
  };
  await replay(TOPICS.trainingRun, (r) => mirror.observeRun(r));
  await replay(TOPICS.modelRegistered, (r) => mirror.observeVersion(r));
  await replay(TOPICS.modelRouting, (r) => mirror.observeRouting(r));
  await replay(TOPICS.modelLive, (r) => mirror.observeLive(r));
  await replay(TOPICS.namedModelRegistered, (r) => mirror.observeVersion(r));
  await replay(TOPICS.namedModelRouting, (r) => mirror.observeRouting(r));
  await replay(TOPICS.namedModelLive, (r) => mirror.observeLive(r));
  return counts;
}
