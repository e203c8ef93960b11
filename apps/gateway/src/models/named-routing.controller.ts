import { Body, Controller, Delete, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { ModelDecision, RegistryAction } from '@app/contracts';
import { NamedModels, NamedRoutings } from '@app/registry';
import { apiErrorBodySchema, validateBody } from '@app/runtime';
import { ApiErrorResponses, ApiJsonBody, ApiJsonResponse } from '@app/runtime/openapi';
import { Access } from '@app/security';
import { ModelDecisions } from './model-decisions';
import { namedOnly, notFound } from './model-name-param';
import { canaryBody, reasonBody } from './models.controller';

const NAME = ApiParam({ name: 'name', example: 'wine', description: 'A named model' });
const VERSION = ApiParam({ name: 'version', example: 2 });
const decisionSchema = z.strictObject({ model: z.string(), action: z.string(), version: z.number().nullable(), outcome: z.string(), reason: z.string() });

/**
 * A named model's shadow and canary, as the default model's /models/{v}/shadow and /canary: a
 * shadow scores every request beside the current version (indexed, never returned); a canary
 * answers `percent` of the model's requests (chosen by a hash of the caller's request id). Each
 * lasts until stopped or promoted. The trainer, the registry's one writer, applies them.
 */
@ApiTags('models')
@Controller('models')
export class NamedRoutingController {
  constructor(
    private readonly models: NamedModels,
    private readonly routings: NamedRoutings,
    private readonly decisions: ModelDecisions,
  ) {}

  @Post(':name/versions/:version/canary')
  @Access('admin')
  @HttpCode(200)
  @ApiOperation({ summary: "A version of a named model answers `percent` of the model's requests, chosen by a hash of the caller request id" })
  @NAME
  @VERSION
  @ApiJsonBody(canaryBody, { 'ten percent': { percent: 10 } })
  @ApiJsonResponse(200, 'Applied by the registry owner', decisionSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 409, 413, 415, 429, 503, 504])
  async start(@Param('name') name: string, @Param('version', ParseIntPipe) version: number, @Body() body: unknown) {
    const model = namedOnly(name, 'POST /models/{version}/canary');
    const { percent, reason } = validateBody(canaryBody, body);
    this.existing(model, version);
    return view(model, await this.command(model, 'canary_start', version, reason ?? `canary of version ${version} at ${percent}%`, percent));
  }

  @Delete(':name/versions/:version/canary')
  @Access('admin')
  @ApiOperation({ summary: "End a named model's canary" })
  @NAME
  @VERSION
  @ApiJsonResponse(200, 'Applied by the registry owner', decisionSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 429, 503, 504])
  async stop(@Param('name') name: string, @Param('version', ParseIntPipe) version: number) {
    const model = namedOnly(name, 'DELETE /models/{version}/canary');
    this.existing(model, version);
    if (this.routings.get(model)?.canary?.version !== version) throw notFound(`version ${version} of ${model} is not a canary`);
    return view(model, await this.command(model, 'canary_stop', version, `canary of version ${version} stopped`));
  }

  @Post(':name/versions/:version/shadow')
  @Access('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'A version of a named model scores every request of the model beside the current one; its answers are indexed, never returned' })
  @NAME
  @VERSION
  @ApiJsonBody(reasonBody.optional(), { 'with a reason': { reason: 'try the logistic regression on live traffic' } }, 'Optional')
  @ApiJsonResponse(200, 'Applied by the registry owner', decisionSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 409, 413, 415, 429, 503, 504])
  async startShadow(@Param('name') name: string, @Param('version', ParseIntPipe) version: number, @Body() body: unknown) {
    const model = namedOnly(name, 'POST /models/{version}/shadow');
    const reason = validateBody(reasonBody.optional(), body ?? undefined)?.reason;
    this.existing(model, version);
    return view(model, await this.command(model, 'shadow_start', version, reason ?? `shadow of version ${version}`));
  }

  @Delete(':name/versions/:version/shadow')
  @Access('admin')
  @ApiOperation({ summary: "End a named model's shadow" })
  @NAME
  @VERSION
  @ApiJsonResponse(200, 'Applied by the registry owner', decisionSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 429, 503, 504])
  async stopShadow(@Param('name') name: string, @Param('version', ParseIntPipe) version: number) {
    const model = namedOnly(name, 'DELETE /models/{version}/shadow');
    this.existing(model, version);
    if (this.routings.get(model)?.shadow_version !== version) throw notFound(`version ${version} of ${model} is not in shadow`);
    return view(model, await this.command(model, 'shadow_stop', version, `shadow of version ${version} stopped`));
  }

  private existing(model: string, version: number): void {
    if (!this.models.serving(model)) throw notFound(this.models.archivedAt(model) ? `model ${model} was deleted` : `there is no model named ${model}`);
    if (!this.models.version(model, version)) throw notFound(`model ${model} has no version ${version}`);
  }

  private command(model: string, action: RegistryAction, version: number, reason: string, percent: number | null = null): Promise<ModelDecision> {
    return this.decisions.manual({ model, action, version, reason, percent });
  }
}

function view(model: string, d: ModelDecision) {
  return { model, action: d.action, version: d.version, outcome: d.outcome, reason: d.reason };
}
