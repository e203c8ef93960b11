import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IndexDocument } from '@app/monitoring';
import { FileSink } from './file-sink';

const doc = (i: number): IndexDocument => ({ kind: 'predictions', id: `r-${i}:0`, eventId: `e-${i}`, at: new Date(0), body: { n: i, pad: 'x'.repeat(80) } });

describe('FileSink', () => {
  it('writes one NDJSON line per document with its id, and rotates by size keeping a bounded number of files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sink-'));
    try {
      const sink = new FileSink({ dir, maxBytes: 1000, keep: 2 });
      for (let i = 0; i < 100; i++) await sink.write([doc(i)]);
      expect(readdirSync(dir).sort()).toEqual(['predictions.1.ndjson', 'predictions.2.ndjson', 'predictions.ndjson']);
      const sizes = readdirSync(dir).map((f) => readFileSync(join(dir, f)).length);
      for (const size of sizes) expect(size).toBeLessThanOrEqual(1000);
      const newest = readFileSync(join(dir, 'predictions.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(newest[newest.length - 1]).toEqual({ _id: 'r-99:0', _index: 'predictions', n: 99, pad: 'x'.repeat(80) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
