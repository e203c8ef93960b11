/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * A TypeScript module that compiles only if a dashboard JSON fits Grafana's published schema:
 * @grafana/schema (Apache-2.0, the npm package of the Grafana release the compose profile runs)
 * ships the dashboard schema as TypeScript types only, no JSON schema; neither does any other
 * registry package of Grafana's. So the JSON is written as object literals that must satisfy those
 * types, which makes tsc check required fields, types, enum values and, through excess property
 * checks, fields the schema does not define. Each panel's options and custom field config are
 * checked against its panel type's own types as well (the Dashboard type leaves them open).
 */
const PANEL_TYPES: Record<string, { module: string; options: string; fieldConfig?: string }> = {
  timeseries: {
    module: '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen',
    options: 'Options',
    fieldConfig: 'FieldConfig',
  },
  stat: { module: '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen', options: 'Options' },
};

export function schemaCheckSource(dashboard: Record<string, any>): string {
  const lines = [
    "import type { Dashboard } from '@grafana/schema';",
    ...Object.entries(PANEL_TYPES).map(
      ([type, t]) => `import type { ${[t.options, t.fieldConfig].filter(Boolean).map((n) => `${n} as ${type}_${n}`).join(', ')} } from '${t.module}';`,
    ),
    // JSON holds an enum's value, not the enum: string enums become the union of their values.
    'type Json<T> = T extends string ? `${T}` : T extends ReadonlyArray<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T;',
    `export const dashboard = ${JSON.stringify(dashboard, null, 2)} satisfies Json<Dashboard>;`,
  ];
  const panels = (dashboard.panels as any[]).flatMap((p) => [p, ...(p.panels ?? [])]);
  for (const panel of panels) {
    if (panel.type === 'row') continue;
    const t = PANEL_TYPES[panel.type];
    if (!t) throw new Error(`panel ${panel.id} "${panel.title}": no schema types known for panel type ${panel.type}`);
    lines.push(`export const panel${panel.id}Options = ${JSON.stringify(panel.options)} satisfies Json<${panel.type}_${t.options}>;`);
    if (t.fieldConfig) {
      lines.push(`export const panel${panel.id}Custom = ${JSON.stringify(panel.fieldConfig.defaults.custom ?? {})} satisfies Json<${panel.type}_${t.fieldConfig}>;`);
    }
  }
  return lines.join('\n') + '\n';
}
