import { Readiness } from './readiness';

describe('Readiness', () => {
  it('is ready when every check passes, and names the checks', () => {
    const r = new Readiness();
    r.register('broker', () => true);
    r.register('model', () => false);
    expect(r.evaluate()).toEqual({ ready: false, checks: { broker: true, model: false } });
  });

  it('shows details of optional dependencies without letting them make the service unready', () => {
    const r = new Readiness();
    r.register('broker', () => true);
    r.detail('mlflow', () => ({ state: 'retrying', pending: 2 }));
    r.detail('broken', () => {
      throw new Error('boom');
    });
    expect(r.evaluate()).toEqual({
      ready: true,
      checks: { broker: true },
      details: { mlflow: { state: 'retrying', pending: 2 }, broken: { error: 'detail unavailable' } },
    });
  });

  it('counts a check that throws as failed', () => {
    const r = new Readiness();
    r.register('broker', () => {
      throw new Error('boom');
    });
    expect(r.evaluate()).toEqual({ ready: false, checks: { broker: false } });
  });
});
