/* eslint-disable @typescript-eslint/no-explicit-any */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './infra';

export const DASHBOARD_FILE = 'deploy/grafana/iris-platform.json';
export const ALERT_RULES_FILE = 'deploy/grafana/alerts.rules.yml';

export type Panel = Record<string, any>;

export interface Query {
  /** Where it comes from: "panel <id> <title> <refId>", or "alert <name>". */
  source: string;
  expr: string;
}

export function loadDashboard(): Record<string, any> {
  return JSON.parse(readFileSync(join(ROOT, DASHBOARD_FILE), 'utf8')) as Record<string, any>;
}

/** Every panel, those inside collapsed rows included. */
export function allPanels(dashboard: Record<string, any>): Panel[] {
  return (dashboard.panels as Panel[]).flatMap((p) => [p, ...((p.panels as Panel[] | undefined) ?? [])]);
}

export function dashboardQueries(dashboard = loadDashboard()): Query[] {
  return allPanels(dashboard).flatMap((p) =>
    ((p.targets as Panel[] | undefined) ?? []).map((t) => ({ source: `panel ${p.id} "${p.title}" ${t.refId}`, expr: t.expr as string })),
  );
}

export function alertQueries(): Query[] {
  const file = parse(readFileSync(join(ROOT, ALERT_RULES_FILE), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  return file.groups.flatMap((g) => g.rules.map((r) => ({ source: `alert ${r.alert}`, expr: r.expr })));
}

/**
 * The expression as Grafana sends it with every service and instance selected: the template
 * variables become the values Grafana would put there (`All` is the variable's allValue, `.*`).
 */
export function withVariables(expr: string, rateInterval = '1m'): string {
  return expr.replaceAll('$__rate_interval', rateInterval).replace(/\$\{?(job|instance)\}?/g, '.*');
}
