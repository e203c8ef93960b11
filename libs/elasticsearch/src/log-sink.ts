import type { Rejection } from '@app/messaging';
import type { IndexDocument } from '@app/monitoring';
import type { JsonLogger } from '@app/observability';
import type { DocumentSink } from './document-sink';

/** Without Elasticsearch the documents become log lines, the seed's one-line-per-prediction shape. */
export class LogSink implements DocumentSink {
  constructor(private readonly logger: JsonLogger) {}

  isHealthy(): boolean {
    return true;
  }

  async write(docs: IndexDocument[]): Promise<Rejection[]> {
    for (const d of docs) this.logger.event('info', `monitor ${d.kind} document`, { index: d.kind, document: d.body });
    return [];
  }
}
