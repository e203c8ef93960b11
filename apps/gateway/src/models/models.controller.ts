import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  DEFAULT_MODEL,
  MODEL_NAME_PATTERN,
  REGISTRY_ACTIONS,
  liveEvaluationSchema,
  modelDecisionSchema,
  type ModelDecision,
  type RegistryAction,
} from '@app/contracts';
import { CLASS_NAMES } from '@app/model';
import { ModelRegistry, NamedModels, NamedRoutings, RoutingState } from '@app/registry';
import { HttpFailure, apiErrorBodySchema, validateBody } from '@app/runtime';
import { ApiErrorResponses, ApiJsonBody, ApiJsonResponse } from '@app/runtime/openapi';
import { Access } from '@app/security';
import { LiveEvaluations, NamedLiveEvaluations } from './live-evaluations';
import { ModelDecisions } from './model-decisions';
import { modelDetail, modelDetailSchema, modelListSchema, modelSummary, modelSummarySchema } from './model-view';
import { namedModelList, namedModelView, namedModelViewSchema } from './named-model-view';

/** An optional reason for a registry command, as every promote, shadow and canary route takes it. */
export const reasonBody = z.strictObject({ reason: z.string().min(1).max(500).optional() });
export const canaryBody = z.strictObject({ percent: z.number().gt(0).max(100), reason: z.string().min(1).max(500).optional() });
const decisionViewSchema = z.strictObject({
  action: z.enum(REGISTRY_ACTIONS),
  version: z.number().int().positive().nullable(),
  outcome: z.enum(['applied', 'refused']),
  reason: z.string(),
  decided_at: z.string(),
});
const detailWithDecisions = modelDetailSchema.extend({ decisions: z.array(modelDecisionSchema) });
const liveSchema = liveEvaluationSchema.extend({ updated_at: z.string().nullable() });
const VERSION = ApiParam({ name: 'version', example: 1 });
/** A version that is not the current one in the examples (the documentation test retrains first). */
const OTHER_VERSION = ApiParam({ name: 'version', example: 2 });

@ApiTags('models')
@Controller('models')
export class ModelsController {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly routing: RoutingState,
    private readonly decisions: ModelDecisions,
    private readonly live: LiveEvaluations,
    private readonly named: NamedModels,
    private readonly namedLive: NamedLiveEvaluations,
    private readonly namedRoutings: NamedRoutings,
  ) {}

  @Get()
  @Access('predict')
  @ApiOperation({ summary: 'Every registered version, the current and previous ones, the shadow and the canary' })
  @ApiJsonResponse(200, 'The registry', modelListSchema)
  @ApiErrorResponses(apiErrorBodySchema, [401, 403, 429, 503])
  list() {
    const current = this.registry.current();
    const r = this.routing.current;
    return {
      current_version: current?.version ?? null,
      previous_version: r?.previous_version ?? null,
      shadow_version: r?.shadow_version ?? null,
      canary: r?.canary ?? null,
      models: this.registry.listAsServed().map(modelSummary),
      named_models: namedModelList(this.named, this.namedLive, this.namedRoutings),
    };
  }

  @Get('current')
  @Access('predict')
  @ApiOperation({ summary: 'The serving version: metrics, parameters, feature baselines, decisions' })
  @ApiJsonResponse(200, 'The current version', detailWithDecisions)
  @ApiErrorResponses(apiErrorBodySchema, [401, 403, 404, 429, 503])
  current() {
    const current = this.registry.current();
    if (!current) throw new NotFoundException({ status: 'error', error: 'no_model', message: 'No model has been promoted yet' });
    return { ...modelDetail(current), decisions: this.decisions.involving(current.version) };
  }

  /** A version of the default model by number, or a named model by name (names start with a letter, so the two never meet). */
  @Get(':version')
  @Access('predict')
  @ApiOperation({ summary: 'One registered version of the default model (by number), or a named model (by name): its schema and versions' })
  @ApiParam({ name: 'version', example: 1, description: 'A version number of the default model, or a model name' })
  @ApiJsonResponse(200, 'The version, or the named model', z.union([detailWithDecisions, namedModelViewSchema]))
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 429, 503])
  get(@Param('version') segment: string) {
    if (/^\d{1,9}$/.test(segment)) {
      const version = Number(segment);
      return { ...modelDetail(this.existing(version)), decisions: this.decisions.involving(version) };
    }
    if (!MODEL_NAME_PATTERN.test(segment))
      throw new HttpFailure(400, 'invalid_model_reference', `${JSON.stringify(segment.slice(0, 64))} is neither a version number nor a model name`);
    const registry = this.named.registry(segment);
    if (!registry || segment === DEFAULT_MODEL) {
      if (segment === DEFAULT_MODEL) return this.list();
      throw new NotFoundException({ status: 'error', error: 'not_found', message: `There is no model named ${segment}` });
    }
    return namedModelView(segment, registry, this.named.archivedAt(segment), this.namedLive, this.namedRoutings.get(segment));
  }

  @Get(':version/live')
  @Access('predict')
  @ApiOperation({ summary: 'Live figures from ground-truth feedback: labeled rows, accuracy with its 95% interval, per-class recall, confusion, comparisons' })
  @VERSION
  @ApiJsonResponse(200, 'The live evaluation of the version', liveSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 429, 503])
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
  @Access('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Make a version current (rollback or roll forward); every worker swaps to it' })
  @VERSION
  @ApiJsonBody(reasonBody, { 'with a reason': { reason: 'rollback drill' }, 'without one': {} }, 'Optional: an empty body is a promotion without a reason')
  @ApiJsonResponse(200, 'The promoted version', modelSummarySchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 409, 413, 415, 429, 503, 504])
  async promote(@Param('version', ParseIntPipe) version: number, @Body() body: unknown) {
    const reason = validateBody(reasonBody.optional(), body ?? undefined)?.reason ?? `manual promotion of version ${version}`;
    const record = this.existing(version);
    const decision = await this.command('promote', version, reason);
    // The registry view here may trail the decision by a moment: the decision is what happened.
    return { ...modelSummary(record), status: 'current' as const, status_reason: decision.reason };
  }

  @Post(':version/shadow')
  @Access('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Every worker also scores each request with this version; answers still come from the current one' })
  @OTHER_VERSION
  @ApiJsonBody(reasonBody, { 'start a shadow': {} }, 'Optional reason')
  @ApiJsonResponse(200, 'Applied by the registry owner', decisionViewSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 409, 413, 415, 429, 503, 504])
  async startShadow(@Param('version', ParseIntPipe) version: number, @Body() body: unknown) {
    const reason = validateBody(reasonBody.optional(), body ?? undefined)?.reason ?? `shadow of version ${version}`;
    this.existing(version);
    return decisionView(await this.command('shadow_start', version, reason));
  }

  @Delete(':version/shadow')
  @Access('admin')
  @ApiOperation({ summary: 'Stop scoring in shadow' })
  @OTHER_VERSION
  @ApiJsonResponse(200, 'Applied by the registry owner', decisionViewSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 429, 503, 504])
  async stopShadow(@Param('version', ParseIntPipe) version: number) {
    if (this.routing.current?.shadow_version !== version)
      throw new NotFoundException({ status: 'error', error: 'not_found', message: `version ${version} is not in shadow` });
    return decisionView(await this.command('shadow_stop', version, `shadow of version ${version} stopped`));
  }

  @Post(':version/canary')
  @Access('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'This version answers `percent` of requests, chosen by a hash of the caller request id (a retried request gets the same model)' })
  @OTHER_VERSION
  @ApiJsonBody(canaryBody, { 'ten percent': { percent: 10 } })
  @ApiJsonResponse(200, 'Applied by the registry owner', decisionViewSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 409, 413, 415, 429, 503, 504])
  async startCanary(@Param('version', ParseIntPipe) version: number, @Body() body: unknown) {
    const { percent, reason } = validateBody(canaryBody, body);
    this.existing(version);
    return decisionView(await this.command('canary_start', version, reason ?? `canary of version ${version} at ${percent}%`, percent));
  }

  @Delete(':version/canary')
  @Access('admin')
  @ApiOperation({ summary: 'End the canary' })
  @OTHER_VERSION
  @ApiJsonResponse(200, 'Applied by the registry owner', decisionViewSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 429, 503, 504])
  async stopCanary(@Param('version', ParseIntPipe) version: number) {
    if (this.routing.current?.canary?.version !== version)
      throw new NotFoundException({ status: 'error', error: 'not_found', message: `version ${version} is not a canary` });
    return decisionView(await this.command('canary_stop', version, `canary of version ${version} stopped`));
  }

  private existing(version: number) {
    const record = this.registry.listAsServed().find((r) => r.version === version);
    if (!record) throw new NotFoundException({ status: 'error', error: 'not_found', message: `Model version ${version} does not exist` });
    return record;
  }

  private command(action: RegistryAction, version: number, reason: string, percent: number | null = null): Promise<ModelDecision> {
    return this.decisions.manual({ action, version, reason, percent });
  }
}

function decisionView(d: ModelDecision) {
  return { action: d.action, version: d.version, outcome: d.outcome, reason: d.reason, decided_at: d.decided_at };
}
