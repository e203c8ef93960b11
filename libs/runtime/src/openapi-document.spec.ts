/**
 * @nestjs/swagger costs a Node process about 15 MB of RSS (docs/performance.md). Only the gateway
 * publishes an OpenAPI document, so only the gateway's modules may load it.
 */
function loadsSwagger(...modules: string[]): boolean {
  let loaded = false;
  jest.isolateModules(() => {
    jest.doMock('@nestjs/swagger', () => {
      loaded = true;
      return jest.requireActual('@nestjs/swagger');
    });
    // requireActual loads the module itself; what it requires goes through the mock above.
    for (const module of modules) jest.requireActual(module);
  });
  jest.dontMock('@nestjs/swagger');
  return loaded;
}

describe('who loads @nestjs/swagger', () => {
  it.each([
    ['the runtime and observability libraries', ['@app/runtime', '@app/observability']],
    ['the inference worker', ['@apps/inference-worker/inference-worker.module']],
    ['the monitor', ['@apps/monitor/monitor.module']],
    ['the trainer', ['@apps/trainer/trainer.module']],
  ])('not %s', (_name, modules) => {
    expect(loadsSwagger(...modules)).toBe(false);
  });

  it('the gateway, which publishes the document (the probe sees a load)', () => {
    expect(loadsSwagger('@apps/gateway/gateway-app')).toBe(true);
  });
});
