import { summarizeAllocations, type HeapSamplingNode } from './heap-profile';

const node = (functionName: string, url: string, selfSize: number, children: HeapSamplingNode[] = []): HeapSamplingNode => ({
  callFrame: { functionName, url },
  selfSize,
  children,
});

describe('summarizeAllocations', () => {
  it('adds every node of the tree, by category of the allocating code, per prediction', () => {
    const head = node('(root)', '', 0, [
      node('decode', '/app/node_modules/kafkajs/src/protocol/decoder.js', 600_000, [node('parse', '/app/dist/libs/contracts/src/decode-event.js', 200_000)]),
      node('json', '/app/node_modules/body-parser/lib/types/json.js', 100_000),
      node('event', '/app/dist/libs/observability/src/json-logger.js', 100_000),
    ]);
    expect(summarizeAllocations(head, 1000)).toEqual({
      allocated_mb: 1,
      bytes_per_prediction: 1000,
      categories: [
        { category: 'kafkajs', share: 0.6 },
        { category: 'our messaging and contracts', share: 0.2 },
        { category: 'express, body parsing, helmet', share: 0.1 },
        { category: 'our logging, metrics, tracing', share: 0.1 },
      ],
    });
  });
});
