import type { ModelRegistered } from '@app/contracts';
import { ModelRegistry } from './model-registry';
import { VersionCache } from './version-cache';

describe('VersionCache', () => {
  it('builds a registered version on first use, keeps the most recently used, and knows nothing unregistered', () => {
    const registry = new ModelRegistry();
    for (let v = 1; v <= 4; v++) registry.apply({ version: v, model: { version: v } } as ModelRegistered);
    let builds = 0;
    const cache = new VersionCache(registry, (a) => ({ version: a.version, build: ++builds }), 2);
    const one = cache.get(1);
    expect(cache.get(1)).toBe(one);
    cache.get(2);
    cache.get(3);
    expect(cache.get(1)).not.toBe(one);
    expect(builds).toBe(4);
    expect(cache.get(9)).toBeUndefined();
  });
});
