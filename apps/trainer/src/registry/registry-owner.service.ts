import { Inject, Injectable } from '@nestjs/common';
import { TOPICS, type ModelDecision, type ModelRegistered, type ModelRouting, type RegistryCommand } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher, SerialLock } from '@app/messaging';
import { JsonLogger } from '@app/observability';
import { ModelRegistry } from '@app/registry';
import { APP_CONFIG } from '@app/runtime';

export const EMPTY_ROUTING: ModelRouting = {
  current_version: null,
  previous_version: null,
  current_since: null,
  shadow_version: null,
  canary: null,
  updated_at: new Date(0).toISOString(),
};

type Outcome = { outcome: 'applied' | 'refused'; reason: string; previous: number | null };

/**
 * The one writer of the registry and the routing (which version is current, previous, shadow,
 * canary). Retrain promotions and commands from gateways and the monitor all pass through here,
 * one at a time, so two writers can never both claim `current`.
 */
@Injectable()
export class RegistryOwner {
  private readonly lock = new SerialLock();
  private routing: ModelRouting = EMPTY_ROUTING;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly publisher: EventPublisher,
    private readonly logger: JsonLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** State replayed at start-up. */
  restoreRouting(routing: ModelRouting): void {
    this.routing = routing;
  }

  /**
   * Repairs what a trainer killed mid-promotion left half-done: the registry says which version is
   * current (its record is published first), but the routing record or the model-ready event the
   * workers act on may not have followed. Republishing them is idempotent.
   */
  reconcile(lastReadyVersion: number | null, requestId: string): Promise<void> {
    return this.lock.run(async () => {
      const current = this.registry.current();
      if (!current) return;
      if (this.routing.current_version !== current.version) {
        this.logger.event('warn', 'routing disagrees with the registry; repairing', {
          current_version: current.version,
          routing_version: this.routing.current_version,
        });
        const previous = this.routing.current_version;
        await this.route(
          {
            current_version: current.version,
            previous_version: previous !== null && previous !== current.version ? previous : this.routing.previous_version,
            current_since: current.registered_at,
          },
          requestId,
        );
      }
      if (lastReadyVersion !== current.version) {
        this.logger.event('warn', 'workers were not told of the current version; republishing model-ready', {
          current_version: current.version,
          announced_version: lastReadyVersion,
        });
        await this.publisher.publish(TOPICS.modelReady, { model: current.model, reason: 'promote' }, { key: 'current', requestId });
      }
    });
  }

  /** Registers a trained candidate; a promoted one becomes current (the run's gate decided). */
  registerCandidate(candidate: ModelRegistered, promote: boolean, reason: string, requestId: string): Promise<void> {
    return this.lock.run(async () => {
      this.registry.apply(candidate);
      if (!promote) {
        await this.publisher.publish(TOPICS.modelRegistered, candidate, { key: String(candidate.version), requestId });
        return;
      }
      const previous = this.currentVersion();
      await this.makeCurrent(candidate.version, reason, requestId, candidate.job_id.startsWith('bootstrap-') ? 'bootstrap' : 'retrain');
      await this.decided(
        { command_id: `retrain:${candidate.job_id}`, action: 'promote', source: 'retrain', version: candidate.version, evidence: null },
        { outcome: 'applied', reason, previous },
        requestId,
      );
    });
  }

  apply(command: RegistryCommand, requestId: string): Promise<void> {
    return this.lock.run(async () => {
      const outcome = await this.execute(command, requestId);
      this.logger.event(outcome.outcome === 'applied' ? 'info' : 'warn', `registry command ${outcome.outcome}`, {
        command_id: command.command_id,
        action: command.action,
        version: command.version,
        source: command.source,
        reason: outcome.reason,
      });
      await this.decided(command, outcome, requestId);
    });
  }

  private currentVersion(): number | null {
    return this.registry.current()?.version ?? this.routing.current_version;
  }

  private async execute(c: RegistryCommand, requestId: string): Promise<Outcome> {
    const previous = this.currentVersion();
    const refuse = (reason: string): Outcome => ({ outcome: 'refused', reason, previous });
    const applied = (reason: string): Outcome => ({ outcome: 'applied', reason, previous });
    if (c.action === 'shadow_stop' || c.action === 'canary_stop') {
      await this.route(c.action === 'shadow_stop' ? { shadow_version: null } : { canary: null }, requestId);
      return applied(c.action === 'shadow_stop' ? 'shadow stopped' : 'canary stopped');
    }
    if (c.action === 'archive_model') return refuse(`the default model cannot be deleted; it is what POST /predict serves`);
    const version = c.action === 'rollback' ? (c.version ?? this.routing.previous_version) : c.version;
    if (version === null) return refuse(c.action === 'rollback' ? 'there is no previous version to roll back to' : 'a version is required');
    const target = this.registry.get(version);
    if (!target) return refuse(`model version ${version} does not exist`);
    if (target.status === 'rejected') return refuse(`model version ${version} was rejected by the promotion gate: ${target.status_reason}`);
    if (c.source === 'auto') {
      // A human's change wins: evidence gathered against another current version, or inside the cool-down, is stale.
      if (c.incumbent_version !== previous) return refuse(`the current version is ${previous}, not ${c.incumbent_version} the evidence was gathered against`);
      const since = this.routing.current_since ? Date.parse(this.routing.current_since) : null;
      if (since !== null && Date.now() - since < this.config.LIVE_COOLDOWN_SECONDS * 1000) {
        return refuse('within the cool-down after the last change of the current version (LIVE_COOLDOWN_SECONDS)');
      }
    }
    switch (c.action) {
      case 'promote':
      case 'rollback': {
        if (version === previous) return applied(`version ${version} is already current`);
        const reason = c.reason || `${c.action} to version ${version}`;
        await this.makeCurrent(version, reason, requestId, 'promote');
        return applied(reason);
      }
      case 'shadow_start':
        if (version === previous) return refuse(`version ${version} is the current version; a shadow scores beside it`);
        await this.route({ shadow_version: version }, requestId);
        return applied(`version ${version} scores every request in shadow`);
      case 'canary_start': {
        if (version === previous) return refuse(`version ${version} is the current version`);
        const percent = c.percent ?? 0;
        if (!(percent > 0 && percent <= 100)) return refuse('percent must be in (0, 100]');
        await this.route({ canary: { version, percent } }, requestId);
        return applied(`version ${version} answers ${percent}% of requests`);
      }
    }
  }

  /** Registry records (new current first), the routing change, then the swap event every worker acts on. */
  private async makeCurrent(version: number, reason: string, requestId: string, readyReason: 'bootstrap' | 'retrain' | 'promote'): Promise<void> {
    const previous = this.currentVersion();
    for (const record of this.registry.promotion(version, reason, new Date())) {
      await this.publisher.publish(TOPICS.modelRegistered, record, { key: String(record.version), requestId });
      this.registry.apply(record);
    }
    await this.route(
      {
        current_version: version,
        previous_version: previous !== null && previous !== version ? previous : this.routing.previous_version,
        current_since: new Date().toISOString(),
        shadow_version: this.routing.shadow_version === version ? null : this.routing.shadow_version,
        canary: this.routing.canary?.version === version ? null : this.routing.canary,
      },
      requestId,
    );
    await this.publisher.publish(TOPICS.modelReady, { model: this.registry.get(version)!.model, reason: readyReason }, { key: 'current', requestId });
  }

  private async route(patch: Partial<ModelRouting>, requestId: string): Promise<void> {
    this.routing = { ...this.routing, ...patch, updated_at: new Date().toISOString() };
    await this.publisher.publish(TOPICS.modelRouting, this.routing, { key: 'routing', requestId });
  }

  private async decided(
    c: Pick<RegistryCommand, 'command_id' | 'action' | 'version' | 'evidence'> & { source: ModelDecision['source'] },
    o: Outcome,
    requestId: string,
  ): Promise<void> {
    const decision: ModelDecision = {
      command_id: c.command_id,
      action: c.action,
      source: c.source,
      outcome: o.outcome,
      version: c.action === 'rollback' && o.outcome === 'applied' ? this.routing.current_version : c.version,
      previous_version: o.previous,
      reason: o.reason.slice(0, 1000),
      evidence: c.evidence,
      decided_at: new Date().toISOString(),
    };
    await this.publisher.publish(TOPICS.modelDecision, decision, { key: c.command_id, requestId });
  }
}
