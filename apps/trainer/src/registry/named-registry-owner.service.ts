import { Injectable } from '@nestjs/common';
import { TOPICS, type ModelDecision, type NamedModelRegistered, type RegistryCommand } from '@app/contracts';
import { EventPublisher, SerialLock } from '@app/messaging';
import { JsonLogger } from '@app/observability';
import { ModelRegistry, NamedModels } from '@app/registry';

type Outcome = { outcome: 'applied' | 'refused'; reason: string; previous: number | null };

const keyOf = (r: NamedModelRegistered) => `${r.model_name}/${r.version}`;

/**
 * The one writer of the named models' registries, as RegistryOwner is of the default model's:
 * trained candidates, promotions and archives pass through here one at a time. A named model's
 * current version is its registry's; workers read it from the records, so no routing record or
 * model-ready event is needed.
 */
@Injectable()
export class NamedRegistryOwner {
  private readonly lock = new SerialLock();

  constructor(
    private readonly models: NamedModels,
    private readonly publisher: EventPublisher,
    private readonly logger: JsonLogger,
  ) {}

  registerCandidate(candidate: NamedModelRegistered, promote: boolean, reason: string, requestId: string): Promise<void> {
    return this.lock.run(async () => {
      await this.write([candidate], requestId);
      if (!promote) return;
      const previous = this.registryOf(candidate.model_name).current()?.version ?? null;
      await this.write(this.registryOf(candidate.model_name).promotion(candidate.version, reason, new Date()), requestId);
      await this.decided(
        {
          command_id: `retrain:${candidate.job_id}`,
          model_name: candidate.model_name,
          action: 'promote',
          source: 'retrain',
          version: candidate.version,
          evidence: null,
        },
        { outcome: 'applied', reason, previous },
        requestId,
      );
    });
  }

  apply(command: RegistryCommand & { model_name: string }, requestId: string): Promise<void> {
    return this.lock.run(async () => {
      const outcome = await this.execute(command, requestId);
      this.logger.event(outcome.outcome === 'applied' ? 'info' : 'warn', `registry command ${outcome.outcome}`, {
        command_id: command.command_id,
        model: command.model_name,
        action: command.action,
        version: command.version,
        reason: outcome.reason,
      });
      await this.decided(command, outcome, requestId);
    });
  }

  private async execute(c: RegistryCommand & { model_name: string }, requestId: string): Promise<Outcome> {
    const registry = this.models.registry(c.model_name);
    const previous = registry?.current()?.version ?? null;
    const refuse = (reason: string): Outcome => ({ outcome: 'refused', reason, previous });
    if (!registry) return refuse(`there is no model named ${c.model_name}`);
    if (this.models.archivedAt(c.model_name) !== null) {
      // Repeating an archive completes one a crash cut short; anything else on an archived model is refused.
      if (c.action !== 'archive_model') return refuse(`model ${c.model_name} was deleted`);
    }
    switch (c.action) {
      case 'archive_model': {
        const at = this.models.archivedAt(c.model_name) ?? new Date().toISOString();
        const reason = c.reason || 'model deleted';
        await this.write(
          registry
            .list()
            .map((r) => ({
              ...r,
              status: r.status === 'current' ? ('archived' as const) : r.status,
              status_reason: r.status === 'current' ? reason : r.status_reason,
              deleted_at: at,
            })),
          requestId,
        );
        return { outcome: 'applied', reason: `model ${c.model_name} archived: its routes answer 404, its documents stay searchable`, previous };
      }
      case 'promote':
      case 'rollback': {
        const version = c.version;
        if (version === null) return refuse('a version is required');
        const target = registry.get(version);
        if (!target) return refuse(`model ${c.model_name} has no version ${version}`);
        if (target.status === 'rejected') return refuse(`version ${version} of ${c.model_name} was rejected by the promotion gate: ${target.status_reason}`);
        if (version === previous) return { outcome: 'applied', reason: `version ${version} is already current`, previous };
        const reason = c.reason || `${c.action} to version ${version}`;
        await this.write(registry.promotion(version, reason, new Date()), requestId);
        return { outcome: 'applied', reason, previous };
      }
      default:
        return refuse(`${c.action} is not available for named models yet; the default model has it`);
    }
  }

  private registryOf(name: string): ModelRegistry<NamedModelRegistered> {
    return this.models.registry(name)!;
  }

  /** Applied here as published, so the next command of the queue sees them. */
  private async write(records: NamedModelRegistered[], requestId: string): Promise<void> {
    for (const record of records) {
      await this.publisher.publish(TOPICS.namedModelRegistered, record, { key: keyOf(record), requestId });
      this.models.apply(record);
    }
  }

  private async decided(
    c: Pick<RegistryCommand, 'command_id' | 'action' | 'version' | 'evidence' | 'model_name'> & { source: ModelDecision['source'] },
    o: Outcome,
    requestId: string,
  ): Promise<void> {
    const decision: ModelDecision = {
      command_id: c.command_id,
      model_name: c.model_name,
      action: c.action,
      source: c.source,
      outcome: o.outcome,
      version: c.version,
      previous_version: o.previous,
      reason: o.reason.slice(0, 1000),
      evidence: c.evidence,
      decided_at: new Date().toISOString(),
    };
    await this.publisher.publish(TOPICS.modelDecision, decision, { key: c.command_id, requestId });
  }
}
