import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import { TOPICS, type ModelDecision, type NamedModelRegistered, type NamedModelRouting, type RegistryCommand } from '@app/contracts';
import { EventPublisher, SerialLock } from '@app/messaging';
import { JsonLogger } from '@app/observability';
import { ModelRegistry, NamedModels, NamedRoutings } from '@app/registry';
import { APP_CONFIG } from '@app/runtime';

type Outcome = { outcome: 'applied' | 'refused'; reason: string; previous: number | null };

const keyOf = (r: NamedModelRegistered) => `${r.model_name}/${r.version}`;

type RoutingPatch = Partial<Omit<NamedModelRouting, 'model_name' | 'updated_at'>>;

/**
 * The one writer of the named models' registries and routing, as RegistryOwner is of the default
 * model's: trained candidates, promotions, rollbacks, canaries and archives pass through here one
 * at a time. A named model's current version is its registry's (workers read it from the
 * records); its routing record adds what the records do not say: the previous version a rollback
 * returns to, since when the current one serves (the cool-down of automatic decisions), its
 * shadow and its canary.
 */
@Injectable()
export class NamedRegistryOwner {
  private readonly lock = new SerialLock();

  constructor(
    private readonly models: NamedModels,
    private readonly routings: NamedRoutings,
    private readonly publisher: EventPublisher,
    private readonly logger: JsonLogger,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'LIVE_COOLDOWN_SECONDS'>,
  ) {}

  registerCandidate(candidate: NamedModelRegistered, promote: boolean, reason: string, requestId: string): Promise<void> {
    return this.lock.run(async () => {
      await this.write([candidate], requestId);
      if (!promote) return;
      const previous = this.registryOf(candidate.model_name).current()?.version ?? null;
      await this.makeCurrent(candidate.model_name, candidate.version, reason, requestId);
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
    const applied = (reason: string): Outcome => ({ outcome: 'applied', reason, previous });
    if (!registry) return refuse(`there is no model named ${c.model_name}`);
    if (this.models.archivedAt(c.model_name) !== null) {
      // Repeating an archive completes one a crash cut short; anything else on an archived model is refused.
      if (c.action !== 'archive_model') return refuse(`model ${c.model_name} was deleted`);
    }
    const routing = this.routings.get(c.model_name);
    switch (c.action) {
      case 'archive_model': {
        const at = this.models.archivedAt(c.model_name) ?? new Date().toISOString();
        const reason = c.reason || 'model deleted';
        await this.write(
          registry.list().map((r) => ({
            ...r,
            status: r.status === 'current' ? ('archived' as const) : r.status,
            status_reason: r.status === 'current' ? reason : r.status_reason,
            deleted_at: at,
          })),
          requestId,
        );
        // Nothing serves an archived model: no current version (MLflow's champion alias follows), no shadow, no canary.
        if (routing) await this.route(c.model_name, { current_version: null, shadow_version: null, canary: null }, requestId);
        return applied(`model ${c.model_name} archived: its routes answer 404, its documents stay searchable`);
      }
      case 'canary_stop':
        await this.route(c.model_name, { canary: null }, requestId);
        return applied('canary stopped');
      case 'shadow_stop':
        await this.route(c.model_name, { shadow_version: null }, requestId);
        return applied('shadow stopped');
    }
    const version = c.action === 'rollback' ? (c.version ?? routing?.previous_version ?? null) : c.version;
    if (version === null) return refuse(c.action === 'rollback' ? `model ${c.model_name} has no previous version to roll back to` : 'a version is required');
    const target = registry.get(version);
    if (!target) return refuse(`model ${c.model_name} has no version ${version}`);
    if (target.status === 'rejected') return refuse(`version ${version} of ${c.model_name} was rejected by the promotion gate: ${target.status_reason}`);
    if (c.source === 'auto') {
      // A human's change wins: evidence gathered against another current version, or inside the cool-down, is stale.
      if (c.incumbent_version !== previous)
        return refuse(`the current version of ${c.model_name} is ${previous}, not ${c.incumbent_version} the evidence was gathered against`);
      const since = routing?.current_since ? Date.parse(routing.current_since) : null;
      if (since !== null && Date.now() - since < this.config.LIVE_COOLDOWN_SECONDS * 1000)
        return refuse('within the cool-down after the last change of the current version (LIVE_COOLDOWN_SECONDS)');
    }
    switch (c.action) {
      case 'promote':
      case 'rollback': {
        if (version === previous) return applied(`version ${version} is already current`);
        const reason = c.reason || `${c.action} to version ${version}`;
        await this.makeCurrent(c.model_name, version, reason, requestId);
        return applied(reason);
      }
      case 'shadow_start':
        if (version === previous) return refuse(`version ${version} is the current version of ${c.model_name}; a shadow scores beside it`);
        await this.route(c.model_name, { shadow_version: version }, requestId);
        return applied(`version ${version} scores every request of ${c.model_name} in shadow`);
      case 'canary_start': {
        if (version === previous) return refuse(`version ${version} is the current version of ${c.model_name}`);
        const percent = c.percent ?? 0;
        if (!(percent > 0 && percent <= 100)) return refuse('percent must be in (0, 100]');
        await this.route(c.model_name, { canary: { version, percent } }, requestId);
        return applied(`version ${version} answers ${percent}% of ${c.model_name}'s requests`);
      }
    }
  }

  /** The registry records (new current first), then the routing: previous, since when, and no canary of the version now current. */
  private async makeCurrent(name: string, version: number, reason: string, requestId: string): Promise<void> {
    const registry = this.registryOf(name);
    const previous = registry.current()?.version ?? null;
    await this.write(registry.promotion(version, reason, new Date()), requestId);
    const routing = this.routings.get(name);
    await this.route(
      name,
      {
        current_version: version,
        previous_version: previous !== null && previous !== version ? previous : (routing?.previous_version ?? null),
        current_since: new Date().toISOString(),
        shadow_version: routing?.shadow_version === version ? null : (routing?.shadow_version ?? null),
        canary: routing?.canary?.version === version ? null : (routing?.canary ?? null),
      },
      requestId,
    );
  }

  private async route(name: string, patch: RoutingPatch, requestId: string): Promise<void> {
    const known = this.routings.get(name);
    const routing: NamedModelRouting = {
      model_name: name,
      current_version: known?.current_version ?? this.registryOf(name).current()?.version ?? null,
      previous_version: known?.previous_version ?? null,
      current_since: known?.current_since ?? null,
      shadow_version: known?.shadow_version ?? null,
      canary: known?.canary ?? null,
      ...patch,
      updated_at: new Date().toISOString(),
    };
    await this.publisher.publish(TOPICS.namedModelRouting, routing, { key: name, requestId });
    this.routings.apply(routing);
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
