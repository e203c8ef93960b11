import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Rejection } from '@app/messaging';
import type { IndexDocument, IndexKind } from '@app/monitoring';

export interface FileSinkOptions {
  dir: string;
  /** A file is rotated when it would grow past this. */
  maxBytes: number;
  /** Rotated files kept per kind (`predictions.1.ndjson` is the newest); older ones are deleted. */
  keep: number;
}

/**
 * Without Elasticsearch (the embedded mode) the documents go to one NDJSON file per index kind,
 * `{"_id":…,"_index":…,…}` per line so they can be bulk-loaded later. Size-capped and rotated, so
 * disk use is bounded by configuration (kinds × (keep + 1) × maxBytes), not by traffic.
 */
export class FileSink {
  private readonly sizes = new Map<IndexKind, number>();
  private ready?: Promise<void>;

  constructor(private readonly options: FileSinkOptions) {}

  isHealthy(): boolean {
    return true;
  }

  async write(docs: IndexDocument[]): Promise<Rejection[]> {
    this.ready ??= mkdir(this.options.dir, { recursive: true }).then(() => undefined);
    await this.ready;
    const byKind = new Map<IndexKind, string[]>();
    for (const d of docs) {
      const lines = byKind.get(d.kind) ?? [];
      lines.push(JSON.stringify({ _id: d.id, _index: d.kind, ...d.body }));
      byKind.set(d.kind, lines);
    }
    for (const [kind, lines] of byKind) {
      const text = lines.join('\n') + '\n';
      const bytes = Buffer.byteLength(text);
      const size = await this.size(kind);
      if (size > 0 && size + bytes > this.options.maxBytes) await this.rotate(kind);
      await appendFile(this.file(kind), text);
      this.sizes.set(kind, (this.sizes.get(kind) ?? 0) + bytes);
    }
    return [];
  }

  private file(kind: IndexKind, generation = 0): string {
    return join(this.options.dir, generation === 0 ? `${kind}.ndjson` : `${kind}.${generation}.ndjson`);
  }

  private async size(kind: IndexKind): Promise<number> {
    let size = this.sizes.get(kind);
    if (size === undefined) {
      size = await stat(this.file(kind)).then(
        (s) => s.size,
        () => 0,
      );
      this.sizes.set(kind, size);
    }
    return size;
  }

  private async rotate(kind: IndexKind): Promise<void> {
    await rm(this.file(kind, this.options.keep), { force: true });
    for (let g = this.options.keep - 1; g >= 0; g--) {
      await rename(this.file(kind, g), this.file(kind, g + 1)).catch(() => undefined);
    }
    this.sizes.set(kind, 0);
  }
}
