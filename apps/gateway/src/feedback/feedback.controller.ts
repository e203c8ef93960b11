import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { TOPICS, feedbackBodySchema, type FeedbackItem, type FeedbackReceived } from '@app/contracts';
import { EventPublisher } from '@app/messaging';
import { CLASS_NAMES } from '@app/model';
import { apiErrorBodySchema, validateBody } from '@app/runtime';
import { ApiErrorResponses, ApiJsonBody, ApiJsonResponse } from '@app/runtime/openapi';
import { Access } from '@app/security';
import { checkLabels } from './feedback-labels';

/**
 * Ground truth for predictions already made, by the request id a prediction answered with. Labels
 * steer automatic promotion, rollback and training, so this is an admin route. A label for a
 * request nobody has seen (yet) is accepted: the prediction may still come, and the monitor joins
 * late or early.
 */
export const feedbackAnswerSchema = z.strictObject({
  status: z.literal('accepted'),
  accepted: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  rejections: z.array(z.strictObject({ index: z.number().int().nonnegative(), reason: z.string() })),
});

@ApiTags('feedback')
@Access('admin')
@Controller('feedback')
export class FeedbackController {
  constructor(private readonly publisher: EventPublisher) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Ground-truth labels for predictions, by the request id they answered with (and the row of a batch)' })
  @ApiJsonBody(
    feedbackBodySchema,
    {
      'one label': { request_id: '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b', label: 'setosa' },
      'a batch of labels': {
        items: [
          { request_id: '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b', row: 0, label: 'virginica' },
          { request_id: '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b', row: 1, label: 'versicolor' },
        ],
      },
    },
    'One label, or up to 1000 as items; an unknown label is rejected per item, not with a 400',
  )
  @ApiJsonResponse(202, 'Counted: accepted labels are joined with their prediction whenever it is (or was) made', feedbackAnswerSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 413, 415, 429, 503])
  async submit(@Body() body: unknown) {
    const parsed = validateBody(feedbackBodySchema, body);
    const items: FeedbackItem[] = 'items' in parsed ? parsed.items : [parsed];
    const { accepted, rejections } = checkLabels(items, CLASS_NAMES, (item, label): FeedbackReceived => ({
      request_id: item.request_id,
      row: item.row,
      label: label as FeedbackReceived['label'],
    }));
    if (accepted.length > 0) {
      await this.publisher.publishMany(
        TOPICS.feedback,
        accepted.map((payload) => ({ payload, options: { key: payload.request_id } })),
      );
    }
    return { status: 'accepted', accepted: accepted.length, rejected: rejections.length, rejections };
  }
}
