/* eslint-disable @typescript-eslint/no-explicit-any */
// The Grafana dashboard (deploy/grafana/iris-platform.json) without a Grafana or a Prometheus:
// against Grafana's published dashboard schema, its layout and data source, and every query
// against the metrics the services define. test/dashboards.kafka.e2e-spec.ts runs the queries
// against a real Prometheus scraping the real services.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { metricsRegistry } from '@app/observability';
import { ROOT } from '../support/infra';
import { type Panel, allPanels, alertQueries, dashboardQueries, loadDashboard } from '../support/grafana-dashboard';
import { promqlNames } from '../support/promql';
import { schemaCheckSource } from './support/grafana-schema-check';

const dashboard = loadDashboard();
const panels = allPanels(dashboard);
const visualisations = panels.filter((p) => p.type !== 'row');
const DATASOURCE = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };
/** Labels Prometheus adds to every scraped series. */
const TARGET_LABELS = ['job', 'instance'];

/** Metric names /metrics can carry, with the labels of each: ours, prom-client's defaults, and a histogram's series. */
async function exposedMetrics(): Promise<Map<string, string[]>> {
  const exposed = new Map<string, string[]>();
  for (const metric of await metricsRegistry.getMetricsAsJSON()) {
    // prom-client keeps a metric's declared label names on the object, not in its public type.
    const declared = (metricsRegistry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
    const labelNames = [...declared, ...metric.values.flatMap((v) => Object.keys(v.labels))];
    const names = String(metric.type) === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => metric.name + s) : [metric.name];
    for (const name of names) exposed.set(name, [...new Set([...labelNames, ...(name.endsWith('_bucket') ? ['le'] : [])])]);
  }
  return exposed;
}

/** Type-checks the dashboard with tsc against @grafana/schema's types; returns tsc's errors. */
function schemaErrors(json: Record<string, any>): string[] {
  const dir = join(ROOT, '.infra', 'test', 'grafana-schema-check');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'dashboard.ts'), schemaCheckSource(json));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'esnext', moduleResolution: 'bundler', target: 'es2022', types: [], skipLibCheck: true },
      files: ['dashboard.ts'],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], {
    encoding: 'utf8',
  });
  // An error's explanation (the missing property, the type it fails) follows on indented lines.
  return tsc.status === 0 ? [] : tsc.stdout.split(/\n(?=\S)/).filter((e) => e.trim() !== '');
}

describe('deploy/grafana/iris-platform.json against Grafana\'s published schema (@grafana/schema)', () => {
  it('type-checks as a Dashboard, each panel\'s options and field config as its panel type\'s', () => {
    expect(schemaErrors(dashboard)).toEqual([]);
  });

  it('the check refuses a field the schema does not define, a value outside an enum and a missing required option', () => {
    const broken = structuredClone(dashboard);
    const timeseries = broken.panels.find((p: Panel) => p.type === 'timeseries');
    timeseries.gridPosition = { x: 0 };
    timeseries.options.legend.displayMode = 'sideways';
    delete broken.panels.find((p: Panel) => p.type === 'stat').options.reduceOptions;
    const errors = schemaErrors(broken).join('\n');
    expect(errors).toContain(`'"gridPosition"' does not exist`);
    expect(errors).toContain('"sideways"');
    expect(errors).toContain("'reduceOptions' is missing");
  });
});

describe('deploy/grafana/iris-platform.json', () => {
  it('takes its data source from a datasource variable, in every panel and every query, so it imports into any Grafana', () => {
    const variable = dashboard.templating.list.find((v: Panel) => v.name === 'DS_PROMETHEUS');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const p of visualisations) {
      expect({ panel: p.title, datasource: p.datasource }).toEqual({ panel: p.title, datasource: DATASOURCE });
      for (const t of p.targets) expect({ panel: p.title, datasource: t.datasource }).toEqual({ panel: p.title, datasource: DATASOURCE });
    }
    for (const v of dashboard.templating.list.filter((x: Panel) => x.type === 'query')) expect(v.datasource).toEqual(DATASOURCE);
  });

  it('filters every series by the Service and Instance variables, whose All matches everything', () => {
    for (const name of TARGET_LABELS) {
      expect(dashboard.templating.list.find((v: Panel) => v.name === name)).toMatchObject({ type: 'query', includeAll: true, multi: true, allValue: '.*' });
    }
    for (const { source, expr } of dashboardQueries()) {
      const selectors = [...expr.matchAll(/[a-z_:]+\{([^}]*)\}/g)].map((m) => m[1]);
      const unfiltered = selectors.filter((s) => !s.includes('job=~"$job"') || !s.includes('instance=~"$instance"'));
      expect({ source, selectors: selectors.length > 0, unfiltered }).toEqual({ source, selectors: true, unfiltered: [] });
    }
  });

  it('gives panels unique ids, places them on the 24-column grid without overlap, and gives every visualisation a unit', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    for (const p of panels) {
      const { x, y, w, h } = p.gridPos;
      expect({ panel: p.title, fits: x >= 0 && w > 0 && h > 0 && x + w <= 24 }).toEqual({ panel: p.title, fits: true });
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          expect({ cell: `${i},${j}`, taken: cells.get(`${i},${j}`) }).toEqual({ cell: `${i},${j}`, taken: undefined });
          cells.set(`${i},${j}`, p.title);
        }
    }
    for (const p of visualisations) expect({ panel: p.title, unit: typeof p.fieldConfig.defaults.unit }).toEqual({ panel: p.title, unit: 'string' });
  });

  it('queries only metrics and labels the services define, in its panels and in the alerting rules', async () => {
    const exposed = await exposedMetrics();
    for (const { source, expr } of [...dashboardQueries(), ...alertQueries()]) {
      const { metrics, labels } = promqlNames(expr);
      expect({ source, unknownMetrics: metrics.filter((m) => !exposed.has(m)) }).toEqual({ source, unknownMetrics: [] });
      const known = new Set([...TARGET_LABELS, ...metrics.flatMap((m) => exposed.get(m) ?? [])]);
      expect({ source, unknownLabels: labels.filter((l) => !known.has(l)) }).toEqual({ source, unknownLabels: [] });
    }
  });

  it("draws each service's Helm default memory limit on the memory panel, and the 1-core CPU limit on the CPU panel", () => {
    const values = parse(readFileSync(join(ROOT, 'deploy/helm/iris-platform/values.yaml'), 'utf8'));
    const mebibytes = (q: string) => Number(/^(\d+)Mi$/.exec(q)![1]) * 1024 * 1024;
    const byService = { gateway: values.gateway, 'inference-worker': values.inferenceWorker, trainer: values.trainer, monitor: values.monitor };
    const memory = visualisations.find((p) => p.title === 'Resident memory by process')!;
    const lines = Object.fromEntries(
      memory.fieldConfig.overrides.map((o: Panel) => [o.matcher.options, o.properties.find((x: Panel) => x.id === 'thresholds').value.steps.at(-1).value]),
    );
    expect(lines).toEqual(Object.fromEntries(Object.entries(byService).map(([app, v]) => [`.*${app}.*`, mebibytes(v.resources.limits.memory)])));
    const cpu = visualisations.find((p) => p.title === 'CPU by process')!;
    const cpuLimits = new Set(Object.values(byService).map((v) => Number(v.resources.limits.cpu)));
    expect([...cpuLimits]).toEqual([cpu.fieldConfig.defaults.thresholds.steps.at(-1).value]);
  });
});
