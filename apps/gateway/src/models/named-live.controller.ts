import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { TOPICS, feedbackBodySchema, namedLiveEvaluationSchema, type FeedbackItem, type NamedFeedbackReceived } from '@app/contracts';
import { EventPublisher } from '@app/messaging';
import { NamedModels } from '@app/registry';
import { apiErrorBodySchema, validateBody } from '@app/runtime';
import { ApiErrorResponses, ApiJsonBody, ApiJsonResponse } from '@app/runtime/openapi';
import { Access } from '@app/security';
import { feedbackAnswerSchema } from '../feedback/feedback.controller';
import { checkLabels } from '../feedback/feedback-labels';
import { NamedLiveEvaluations } from './live-evaluations';
import { namedOnly, notFound } from './model-name-param';

const NAME = ApiParam({ name: 'name', example: 'wine', description: 'A named model' });
const liveSchema = namedLiveEvaluationSchema.extend({ updated_at: z.string().nullable() });

/**
 * Ground truth for a named model's predictions and the live figures it yields, as POST /feedback
 * and GET /models/{v}/live are for the default model. A label must be one of the model's classes
 * (of any of its versions); it joins only a prediction this model made.
 */
@ApiTags('models')
@Controller('models')
export class NamedLiveController {
  constructor(
    private readonly models: NamedModels,
    private readonly live: NamedLiveEvaluations,
    private readonly publisher: EventPublisher,
  ) {}

  @Post(':name/feedback')
  @Access('admin')
  @HttpCode(202)
  @ApiOperation({ summary: "Ground-truth labels for a named model's predictions, by the request id they answered with (and the row of a batch)" })
  @NAME
  @ApiJsonBody(
    feedbackBodySchema,
    {
      'one label': { request_id: '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b', label: 'class_1' },
      'a batch of labels': {
        items: [
          { request_id: '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b', row: 0, label: 'class_1' },
          { request_id: '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b', row: 1, label: 'class_2' },
        ],
      },
    },
    "One label, or up to 1000 as items; a label not among the model's classes is rejected per item, not with a 400",
  )
  @ApiJsonResponse(202, 'Counted: accepted labels are joined with the prediction of this model whenever it is (or was) made', feedbackAnswerSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 413, 415, 429, 503])
  async submit(@Param('name') name: string, @Body() body: unknown) {
    const model = namedOnly(name, 'POST /feedback');
    const parsed = validateBody(feedbackBodySchema, body);
    const registry = this.models.serving(model);
    if (!registry) throw notFound(this.models.archivedAt(model) ? `model ${model} was deleted` : `there is no model named ${model}`);
    const classes = [...new Set(registry.list().flatMap((r) => r.model.params.classNames))];
    const items: FeedbackItem[] = 'items' in parsed ? parsed.items : [parsed];
    const { accepted, rejections } = checkLabels(items, classes, (item, label): NamedFeedbackReceived => ({
      model_name: model,
      request_id: item.request_id,
      row: item.row,
      label,
    }));
    if (accepted.length > 0) {
      await this.publisher.publishMany(
        TOPICS.namedFeedback,
        accepted.map((payload) => ({ payload, options: { key: payload.request_id } })),
      );
    }
    return { status: 'accepted', accepted: accepted.length, rejected: rejections.length, rejections };
  }

  @Get(':name/versions/:version/live')
  @Access('predict')
  @ApiOperation({
    summary:
      "Live figures of a named model's version from its feedback: labeled rows, accuracy with its 95% interval, per-class recall, confusion, and both accuracies against each other version on the same labeled rows",
  })
  @NAME
  @ApiParam({ name: 'version', example: 1 })
  @ApiJsonResponse(200, 'The live evaluation of the version', liveSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 429, 503])
  figures(@Param('name') name: string, @Param('version', ParseIntPipe) version: number) {
    const model = namedOnly(name, 'GET /models/{version}/live');
    const record = this.models.version(model, version);
    if (!record) throw notFound(this.models.serving(model) ? `model ${model} has no version ${version}` : `there is no model named ${model}`);
    const classes = record.model.params.classNames;
    return (
      this.live.get(model, version) ?? {
        model_name: model,
        version,
        labeled: 0,
        correct: 0,
        accuracy: null,
        accuracy_ci95: null,
        per_class_recall: Object.fromEntries(classes.map((c) => [c, null])),
        confusion_matrix: classes.map(() => classes.map(() => 0)),
        comparisons: [],
        updated_at: null,
      }
    );
  }
}
