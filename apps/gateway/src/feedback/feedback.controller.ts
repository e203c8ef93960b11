import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { TOPICS, feedbackBodySchema, type FeedbackItem, type FeedbackReceived } from '@app/contracts';
import { EventPublisher } from '@app/messaging';
import { CLASS_NAMES } from '@app/model';
import { validateBody } from '@app/runtime';
import { Access } from '@app/security';

/**
 * Ground truth for predictions already made, by the request id a prediction answered with. Labels
 * steer automatic promotion, rollback and training, so this is an admin route. A label for a
 * request nobody has seen (yet) is accepted: the prediction may still come, and the monitor joins
 * late or early.
 */
@ApiTags('feedback')
@Access('admin')
@Controller('feedback')
export class FeedbackController {
  constructor(private readonly publisher: EventPublisher) {}

  @Post()
  @HttpCode(202)
  async submit(@Body() body: unknown) {
    const parsed = validateBody(feedbackBodySchema, body);
    const items: FeedbackItem[] = 'items' in parsed ? parsed.items : [parsed];
    const rejections: Array<{ index: number; reason: string }> = [];
    const accepted: FeedbackReceived[] = [];
    items.forEach((item, index) => {
      const label = CLASS_NAMES.find((c) => c === item.label.trim().toLowerCase());
      if (!label) rejections.push({ index, reason: `label ${JSON.stringify(item.label.slice(0, 40))} is not one of ${CLASS_NAMES.join(', ')}` });
      else accepted.push({ request_id: item.request_id, row: item.row, label });
    });
    if (accepted.length > 0) {
      await this.publisher.publishMany(
        TOPICS.feedback,
        accepted.map((payload) => ({ payload, options: { key: payload.request_id } })),
      );
    }
    return { status: 'accepted', accepted: accepted.length, rejected: rejections.length, rejections };
  }
}
