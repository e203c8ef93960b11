import { summarizeProfile, type CpuProfile } from './cpu-profile';

const frame = (id: number, functionName: string, url = '') => ({ id, callFrame: { functionName, url } });

describe('summarizeProfile', () => {
  it('shares busy samples by category, idle apart, first matching category wins', () => {
    const profile: CpuProfile = {
      nodes: [
        frame(1, '(idle)'),
        frame(2, 'fetch', '/app/node_modules/kafkajs/src/consumer/fetcher.js'),
        frame(3, 'handle', '/app/node_modules/express/lib/application.js'),
        frame(4, 'event', '/app/dist/libs/observability/src/json-logger.js'),
        frame(5, 'score', '/app/dist/apps/inference-worker/src/scoring/request-scorer.js'),
        frame(6, 'writeBuffer'),
        frame(7, '(garbage collector)'),
        frame(8, 'mystery', 'file:///somewhere/else.js'),
      ],
      samples: [1, 1, 1, 1, 2, 2, 2, 3, 4, 5, 6, 7, 8],
    };
    const summary = summarizeProfile(profile);
    expect(summary.busy_samples).toBe(9);
    expect(summary.idle_share).toBeCloseTo(4 / 13, 10);
    expect(summary.categories).toEqual([
      { category: 'kafkajs', share: 3 / 9 },
      { category: 'express, body parsing, helmet', share: 1 / 9 },
      { category: 'garbage collection', share: 1 / 9 },
      { category: 'node: http, net, streams, buffers', share: 1 / 9 },
      { category: 'other', share: 1 / 9 },
      { category: 'our logging, metrics, tracing', share: 1 / 9 },
      { category: 'our other code', share: 1 / 9 },
    ]);
  });

  it('gives no shares for a profile of an idle process', () => {
    expect(summarizeProfile({ nodes: [frame(1, '(idle)')], samples: [1, 1] })).toEqual({ busy_samples: 0, idle_share: 1, categories: [] });
  });
});
