import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TOPICS, type RetrainRequested } from '@app/contracts';
import { EventPublisher } from '@app/messaging';

/** Jobs accepted but not yet recorded by the trainer; only bridges that moment, so kept small. */
const ACCEPTED_KEPT = 10_000;

/** Retrain requests this gateway published: by POST /retrain, or by a model import. */
@Injectable()
export class RetrainJobs {
  private readonly accepted = new Map<string, string>();

  constructor(private readonly publisher: EventPublisher) {}

  /** Publishes the request for the trainer and returns its job id. */
  async submit(request: Omit<RetrainRequested, 'job_id'>): Promise<string> {
    const jobId = randomUUID();
    await this.publisher.publish(TOPICS.retrainRequested, { ...request, job_id: jobId }, { key: jobId });
    this.accepted.set(jobId, new Date().toISOString());
    if (this.accepted.size > ACCEPTED_KEPT) this.accepted.delete(this.accepted.keys().next().value!);
    return jobId;
  }

  /** When a job the trainer has not recorded yet was accepted here. */
  acceptedAt(jobId: string): string | undefined {
    return this.accepted.get(jobId);
  }
}
