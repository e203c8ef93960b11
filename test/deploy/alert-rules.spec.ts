// The alerting rules (deploy/grafana/alerts.rules.yml) and the compose Prometheus config, checked
// with the pinned promtool that scripts/tools/install-prometheus.sh builds into .tools/bin:
// `promtool check rules`, `promtool test rules` on alerts.test.yml, `promtool check config`.
// test/dashboards.kafka.e2e-spec.ts evaluates the same expressions against the real services.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const PROMTOOL = join(ROOT, '.tools/bin/promtool');
const RULES = join(ROOT, 'deploy/grafana/alerts.rules.yml');
const RULE_TESTS = join(ROOT, 'deploy/grafana/alerts.test.yml');

interface Rule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
}
interface RuleTest {
  name: string;
  input_series: Array<{ series: string }>;
  alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }>;
}

function promtool(args: string[], cwd = ROOT): { status: number; out: string } {
  if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} is missing: run scripts/tools/install-prometheus.sh (npm test runs it first)`);
  const run = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8' });
  return { status: run.status ?? -1, out: run.stdout + run.stderr };
}

const rules: Rule[] = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const tests: RuleTest[] = (parse(readFileSync(RULE_TESTS, 'utf8')) as { tests: RuleTest[] }).tests;

describe('deploy/grafana/alerts.rules.yml', () => {
  it('passes promtool check rules', () => {
    const check = promtool(['check', 'rules', RULES]);
    expect({ status: check.status, out: check.out }).toEqual({ status: 0, out: expect.stringContaining(`SUCCESS: ${rules.length} rules found`) });
  });

  it('passes its unit tests (promtool test rules alerts.test.yml)', () => {
    const run = promtool(['test', 'rules', RULE_TESTS]);
    expect({ status: run.status, out: run.out }).toEqual({ status: 0, out: expect.stringContaining('SUCCESS') });
  });

  it('has, for every alert, a test where it fires and input series for which it stays silent', () => {
    for (const { alert } of rules) {
      const checks = tests.flatMap((t) => t.alert_rule_test.filter((c) => c.alertname === alert).map((c) => ({ test: t, fired: c.exp_alerts.length })));
      const firing = checks.filter((c) => c.fired > 0);
      expect({ alert, firing: firing.length > 0 }).toEqual({ alert, firing: true });
      // More series than alerts expected, in a test that lists exactly which fire: the rest must stay silent.
      const silentSeries = firing.some((c) => c.test.input_series.length > c.fired);
      expect({ alert, silentSeries }).toEqual({ alert, silentSeries: true });
    }
  });

  it('names its threshold in a label on every alert', () => {
    expect(rules.filter((r) => !r.labels?.threshold).map((r) => r.alert)).toEqual([]);
  });

  it('fails its unit tests when a threshold moves, so the tests hold the thresholds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alert-rules-'));
    try {
      copyFileSync(RULE_TESTS, join(dir, 'alerts.test.yml'));
      const original = readFileSync(RULES, 'utf8');
      const moved = original.replace('> 0.05\n', '> 0.5\n').replace('> 0.2\n', '> 0.4\n');
      expect(moved).not.toBe(original);
      writeFileSync(join(dir, 'alerts.rules.yml'), moved);
      const run = promtool(['test', 'rules', 'alerts.test.yml'], dir);
      expect(run.status).toBe(1);
      expect(run.out).toContain('alertname: IrisHttpErrorRatioHigh');
      expect(run.out).toContain('alertname: IrisInputDrift');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/prometheus/prometheus.yml (the compose monitoring profile)', () => {
  it('passes promtool check config', () => {
    // --syntax-only: the rule file it names is at its path inside the container, checked above.
    const check = promtool(['check', 'config', '--syntax-only', join(ROOT, 'deploy/prometheus/prometheus.yml')]);
    expect({ status: check.status, out: check.out }).toEqual({ status: 0, out: expect.stringContaining('SUCCESS') });
  });
});
