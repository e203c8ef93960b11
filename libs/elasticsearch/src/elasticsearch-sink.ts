import type { Client } from '@elastic/elasticsearch';
import { RetryableError, type Rejection } from '@app/messaging';
import { indexName, indexTemplates, type IndexDocument } from '@app/monitoring';
import type { DocumentSink } from './document-sink';

/** Status codes of a bulk item that a later attempt can fix (overload, unavailable shard). */
const TRANSIENT = new Set([429, 503]);

/**
 * Bulk-indexes documents with their deterministic ids. Installs the index templates before the
 * first write (and again after an outage), so a fresh cluster never guesses mappings.
 */
export class ElasticsearchSink implements DocumentSink {
  private templatesInstalled = false;
  /** False from a failed write until the next successful one. */
  private healthy = true;

  constructor(
    private readonly client: Client,
    private readonly prefix: string,
  ) {}

  isHealthy(): boolean {
    return this.healthy;
  }

  async write(docs: IndexDocument[]): Promise<Rejection[]> {
    if (docs.length === 0) return [];
    try {
      if (!this.templatesInstalled) await this.installTemplates();
      const operations = docs.flatMap((d) => [{ index: { _index: indexName(this.prefix, d.kind, d.at), _id: d.id } }, d.body]);
      const response = await this.client.bulk({ operations });
      this.healthy = true;
      if (!response.errors) return [];
      const rejections = new Map<string, string>();
      response.items.forEach((item, i) => {
        const result = item.index;
        if (!result?.error) return;
        if (TRANSIENT.has(result.status)) throw new RetryableError(`Elasticsearch is overloaded (${result.status}): ${result.error.reason}`);
        rejections.set(docs[i].eventId, `Elasticsearch refused the document: ${result.error.type}: ${result.error.reason}`);
      });
      return [...rejections].map(([eventId, reason]) => ({ eventId, reason }));
    } catch (err) {
      if (err instanceof RetryableError) throw err;
      this.healthy = false;
      this.templatesInstalled = false;
      throw new RetryableError(`Elasticsearch unavailable: ${(err as Error).message}`);
    }
  }

  private async installTemplates(): Promise<void> {
    for (const t of indexTemplates(this.prefix)) {
      await this.client.indices.putIndexTemplate({ name: t.name, index_patterns: t.index_patterns, priority: t.priority, template: t.template as never });
      await this.client.indices.putMapping({
        index: t.index_patterns,
        // Indices made from an older template take the fields added since, so today's index accepts the new documents.
        properties: t.added as never,
        allow_no_indices: true,
        ignore_unavailable: true,
      });
    }
    this.templatesInstalled = true;
  }
}
