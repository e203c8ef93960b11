import type { IndexDocument } from '@app/monitoring';
import type { Rejection } from '@app/messaging';

/** Where the monitor's documents go: Elasticsearch, or JSON log lines when there is none (embedded mode). */
export interface DocumentSink {
  /** Resolves with the events whose documents were refused for good; throws RetryableError when nothing could be written. */
  write(docs: IndexDocument[]): Promise<Rejection[]>;
  isHealthy(): boolean;
}

export const DOCUMENT_SINK = Symbol('DOCUMENT_SINK');
