import { randomUUID } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CLASS_NAMES } from '@app/model';
import type { ModelDecision, RegistryAction } from '@app/contracts';
import { ModelRegistry, RoutingState } from '@app/registry';
import { HttpFailure, validateBody } from '@app/runtime';
import { Access } from '@app/security';
import { LiveEvaluations } from './live-evaluations';
import { ModelDecisions } from './model-decisions';
import { modelDetail, modelSummary } from './model-view';

const reasonBody = z.strictObject({ reason: z.string().min(1).max(500).optional() }).optional();
const canaryBody = z.strictObject({ percent: z.number().gt(0).max(100), reason: z.string().min(1).max(500).optional() });

@ApiTags('models')
@Controller('models')
export class ModelsController {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly routing: RoutingState,
    private readonly decisions: ModelDecisions,
    private readonly live: LiveEvaluations,
  ) {}

  @Get()
  @Access('predict')
  list() {
    const current = this.registry.current();
    const r = this.routing.current;
    return {
      current_version: current?.version ?? null,
      previous_version: r?.previous_version ?? null,
      shadow_version: r?.shadow_version ?? null,
      canary: r?.canary ?? null,
      models: this.registry.list().map(modelSummary),
    };
  }

  @Get('current')
  @Access('predict')
  current() {
    const current = this.registry.current();
    if (!current) throw new NotFoundException({ status: 'error', error: 'no_model', message: 'No model has been promoted yet' });
    return { ...modelDetail(current), decisions: this.decisions.involving(current.version) };
  }

  @Get(':version')
  @Access('predict')
  get(@Param('version', ParseIntPipe) version: number) {
    return { ...modelDetail(this.existing(version)), decisions: this.decisions.involving(version) };
  }

  /** Live figures from ground-truth feedback: labeled count, accuracy with its 95% interval, per-class recall, confusion, comparisons. */
  @Get(':version/live')
  @Access('predict')
  liveFigures(@Param('version', ParseIntPipe) version: number) {
    this.existing(version);
    return (
      this.live.get(version) ?? {
        version,
        labeled: 0,
        correct: 0,
        accuracy: null,
        accuracy_ci95: null,
        per_class_recall: Object.fromEntries(CLASS_NAMES.map((c) => [c, null])),
        confusion_matrix: CLASS_NAMES.map(() => CLASS_NAMES.map(() => 0)),
        comparisons: [],
        updated_at: null,
      }
    );
  }

  /** Rollback or roll forward: a command to the registry's owner; every worker swaps to the version. */
  @Post(':version/promote')
  @HttpCode(200)
  @Access('admin')
  async promote(@Param('version', ParseIntPipe) version: number, @Body() body: unknown) {
    const reason = validateBody(reasonBody, body ?? undefined)?.reason ?? `manual promotion of version ${version}`;
    const record = this.existing(version);
    const decision = await this.command('promote', version, reason);
    // The registry view here may trail the decision by a moment: the decision is what happened.
    return { ...modelSummary(record), status: 'current', status_reason: decision.reason };
  }

  /** Every worker also scores each request with this version; answers still come from the current one. */
  @Post(':version/shadow')
  @HttpCode(200)
  @Access('admin')
  async startShadow(@Param('version', ParseIntPipe) version: number, @Body() body: unknown) {
    const reason = validateBody(reasonBody, body ?? undefined)?.reason ?? `shadow of version ${version}`;
    this.existing(version);
    return decisionView(await this.command('shadow_start', version, reason));
  }

  @Delete(':version/shadow')
  @Access('admin')
  async stopShadow(@Param('version', ParseIntPipe) version: number) {
    if (this.routing.current?.shadow_version !== version) throw new NotFoundException({ status: 'error', error: 'not_found', message: `version ${version} is not in shadow` });
    return decisionView(await this.command('shadow_stop', version, `shadow of version ${version} stopped`));
  }

  /** This version answers `percent` of requests, chosen by a hash of the caller's request id so a retried request gets the same model. */
  @Post(':version/canary')
  @HttpCode(200)
  @Access('admin')
  async startCanary(@Param('version', ParseIntPipe) version: number, @Body() body: unknown) {
    const { percent, reason } = validateBody(canaryBody, body);
    this.existing(version);
    return decisionView(await this.command('canary_start', version, reason ?? `canary of version ${version} at ${percent}%`, percent));
  }

  @Delete(':version/canary')
  @Access('admin')
  async stopCanary(@Param('version', ParseIntPipe) version: number) {
    if (this.routing.current?.canary?.version !== version) throw new NotFoundException({ status: 'error', error: 'not_found', message: `version ${version} is not a canary` });
    return decisionView(await this.command('canary_stop', version, `canary of version ${version} stopped`));
  }

  private existing(version: number) {
    const record = this.registry.get(version);
    if (!record) throw new NotFoundException({ status: 'error', error: 'not_found', message: `Model version ${version} does not exist` });
    return record;
  }

  /** Applied, or a 409 naming why the owner refused (a rejected version, the current one as its own shadow, …). */
  private async command(action: RegistryAction, version: number, reason: string, percent: number | null = null): Promise<ModelDecision> {
    const decision = await this.decisions.issue({
      command_id: randomUUID(),
      action,
      version,
      percent,
      reason,
      source: 'manual',
      incumbent_version: null,
      evidence: null,
    });
    if (decision.outcome === 'refused') throw new HttpFailure(409, 'not_applied', decision.reason);
    return decision;
  }
}

function decisionView(d: ModelDecision) {
  return { action: d.action, version: d.version, outcome: d.outcome, reason: d.reason, decided_at: d.decided_at };
}
