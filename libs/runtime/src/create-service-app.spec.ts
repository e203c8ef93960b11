import { Controller, Module } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { loadConfig } from '@app/config';
import { TOPICS, decodeEvent, type EventEnvelope, type RetrainFailed } from '@app/contracts';
import { InMemoryEventBus, RetryableError } from '@app/messaging';
import { JsonLogger } from '@app/observability';
import { createServiceApp } from './create-service-app';
import { serviceContext } from './service-context';
import { RuntimeModule } from './runtime.module';

const calls: Record<string, number> = {};

@Controller()
class FlakyHandler {
  @EventPattern(TOPICS.retrainFailed)
  onFailed(@Payload() event: EventEnvelope<RetrainFailed>): void {
    const n = (calls[event.payload.job_id] = (calls[event.payload.job_id] ?? 0) + 1);
    if (event.payload.job_id === 'transient' && n < 5) throw new RetryableError('sink down');
    if (event.payload.job_id === 'poison') throw new Error('boom');
  }
}

const audited: string[] = [];
let markerAudited!: () => void;
const markerSeen = new Promise<void>((resolve) => (markerAudited = resolve));

/** A second handler of the same topic (as the monitor and the registry both read model events). */
@Controller()
class BatchAudit {
  @EventPattern(TOPICS.retrainFailed, { batch: true })
  onBatch(@Payload() events: Array<EventEnvelope<RetrainFailed>>): void {
    audited.push(...events.map((e) => e.payload.job_id));
    if (audited.includes('marker')) markerAudited();
  }
}

describe('event handlers in a service app', () => {
  it('retries a RetryableError without parking it, parks an event that keeps failing, and feeds every handler of a topic', async () => {
    const bus = new InMemoryEventBus();
    await bus.connect();
    const logger = new JsonLogger('test', 'error', () => undefined);
    const ctx = serviceContext('svc', loadConfig({ TRANSPORT: 'memory', PORT: '0' }), bus, logger);
    @Module({ imports: [RuntimeModule.forRoot(ctx)], controllers: [FlakyHandler, BatchAudit] })
    class TestModule {}
    const app = await createServiceApp(ctx, TestModule, { listen: false });
    try {
      await ctx.publisher.publish(TOPICS.retrainFailed, { job_id: 'transient', reason: 'x' });
      await ctx.publisher.publish(TOPICS.retrainFailed, { job_id: 'poison', reason: 'x' });
      // The group handles the topic in order, every handler of a batch before the next batch: once
      // the last handler has seen this marker, everything before it was handled or parked.
      await ctx.publisher.publish(TOPICS.retrainFailed, { job_id: 'marker', reason: 'x' });
      await markerSeen;
      expect(audited).toEqual(['transient', 'poison', 'marker']);
      expect(calls.marker).toBe(1);
      // Batches are redelivered whole, so the transient event may run once more: at least once, never parked.
      expect(calls.transient).toBeGreaterThanOrEqual(5);
      expect(calls.poison).toBeGreaterThanOrEqual(3);
      const parked = (await bus.readToEnd(TOPICS.deadLetter)).map((m) => decodeEvent(TOPICS.deadLetter, m.value));
      expect(parked).toHaveLength(1);
      expect(parked[0].ok && parked[0].event.payload).toMatchObject({
        source_topic: TOPICS.retrainFailed,
        consumer_group: 'svc',
        reason: 'handler failed after 3 attempts: boom',
      });
    } finally {
      await app.close();
    }
  }, 20_000);
});
