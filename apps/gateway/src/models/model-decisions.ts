import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import { DEFAULT_MODEL, TOPICS, type ModelDecision, type RegistryAction, type RegistryCommand } from '@app/contracts';
import { EventPublisher } from '@app/messaging';
import { APP_CONFIG, HttpFailure } from '@app/runtime';

/** Decisions kept for GET /models/{v}: the recent history, not the whole topic. */
const DECISIONS_KEPT = 1_000;

/**
 * The gateway's side of registry commands: publish one for the registry's owner (the trainer)
 * and wait for its decision, so an HTTP caller still gets the outcome in the response. Also the
 * recent decisions, automatic ones with their evidence, for the registry API.
 */
@Injectable()
export class ModelDecisions implements OnApplicationShutdown {
  private readonly waiting = new Map<string, { resolve: (d: ModelDecision) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly recent: ModelDecision[] = [];

  constructor(
    private readonly publisher: EventPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async issue(command: RegistryCommand): Promise<ModelDecision> {
    const decided = new Promise<ModelDecision>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(command.command_id);
        reject(new HttpFailure(504, 'decision_timeout', `the registry did not decide within ${this.config.PREDICT_TIMEOUT_MS} ms; see GET /models`));
      }, this.config.PREDICT_TIMEOUT_MS);
      this.waiting.set(command.command_id, { resolve, reject, timer });
    });
    decided.catch(() => undefined);
    try {
      await this.publisher.publish(TOPICS.registryCommand, command, { key: command.command_id });
    } catch (err) {
      const entry = this.waiting.get(command.command_id);
      clearTimeout(entry?.timer);
      this.waiting.delete(command.command_id);
      throw err;
    }
    return decided;
  }

  /**
   * A caller's command to the registry owner: applied, or a 409 naming why the owner refused (a
   * rejected version, the current one as its own shadow, a deleted model, …).
   */
  async manual(c: { action: RegistryAction; version: number | null; reason: string; percent?: number | null; model?: string }): Promise<ModelDecision> {
    const decision = await this.issue({
      command_id: randomUUID(),
      ...(c.model !== undefined ? { model_name: c.model } : {}),
      action: c.action,
      version: c.version,
      percent: c.percent ?? null,
      reason: c.reason,
      source: 'manual',
      incumbent_version: null,
      evidence: null,
    });
    if (decision.outcome === 'refused') throw new HttpFailure(409, 'not_applied', decision.reason);
    return decision;
  }

  record(decision: ModelDecision): void {
    this.recent.push(decision);
    if (this.recent.length > DECISIONS_KEPT) this.recent.shift();
    const entry = this.waiting.get(decision.command_id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.waiting.delete(decision.command_id);
    entry.resolve(decision);
  }

  /** Decisions about a version of a model (the default one unless named): version numbers are per model. */
  involving(version: number, model: string = DEFAULT_MODEL): ModelDecision[] {
    return this.recent.filter((d) => (d.model_name ?? DEFAULT_MODEL) === model && (d.version === version || d.previous_version === version));
  }

  onApplicationShutdown(): void {
    for (const [id, entry] of this.waiting) {
      clearTimeout(entry.timer);
      entry.reject(new HttpFailure(503, 'shutting_down', 'the gateway stopped before the registry decided'));
      this.waiting.delete(id);
    }
  }
}
