import { formatReport, type ScenarioResult } from './report';

const result = (over: Partial<ScenarioResult>): ScenarioResult => ({
  id: 'a',
  title: 'broker SIGKILL',
  requests: 100,
  ok: 90,
  failed: 10,
  connectionErrors: 0,
  other: 0,
  crossed: 0,
  missing: 0,
  duplicates: 0,
  rescored: 3,
  restarts: '',
  recoverySeconds: 4.25,
  seconds: 40,
  passed: true,
  reasons: [],
  notes: [],
  ...over,
});

describe('formatReport', () => {
  it('prints the table, the notes and reasons, and ends with the summary line', () => {
    const text = formatReport([
      result({ notes: ['broker back after 12.0 s'] }),
      result({
        id: 'f',
        title: 'gateway SIGKILL',
        connectionErrors: 7,
        crossed: 2,
        restarts: 'gateway(SIGKILL)',
        recoverySeconds: null,
        passed: false,
        reasons: ['the stack never served normally again', '2 2xx answer(s) are not the scoring of their own input'],
      }),
    ]);
    expect(text.split('\n')).toEqual([
      'scenario          | requests | 2xx | 503/504 | conn err | other err | crossed | missing | duplicates | rescored |         restarts | recovery s | result',
      '------------------|----------|-----|---------|----------|-----------|---------|---------|------------|----------|------------------|------------|-------',
      'a broker SIGKILL  |      100 |  90 |      10 |        0 |         0 |       0 |       0 |          0 |        3 |                - |        4.3 |   pass',
      'f gateway SIGKILL |      100 |  90 |      10 |        7 |         0 |       2 |       0 |          0 |        3 | gateway(SIGKILL) |      never |   FAIL',
      '  a: broker back after 12.0 s',
      '  f FAILED: the stack never served normally again',
      '  f FAILED: 2 2xx answer(s) are not the scoring of their own input',
      'faults: 1 passed, 1 failed',
    ]);
  });
});
