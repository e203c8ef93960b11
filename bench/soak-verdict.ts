/** The metric the embedded bus counts records it had to drop unread with (libs/observability). */
export const DROPPED_METRIC = 'embedded_records_dropped_total';

/**
 * The sum of every series of a counter in Prometheus text format; null when the process does not
 * export the counter at all (a renamed metric must not read as "nothing dropped").
 */
export function counterTotal(metricsText: string, name: string): number | null {
  const lines = metricsText.split('\n');
  if (!lines.includes(`# TYPE ${name} counter`)) return null;
  return lines
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** What makes a soak fail: a batch not answered 2xx, or a record the in-process bus dropped (or could not say it did not). */
export function soakProblems(result: { failures: number; records_dropped: number | null }): string[] {
  const problems: string[] = [];
  if (result.failures > 0) problems.push(`${result.failures} batch(es) not answered with a 2xx`);
  if (result.records_dropped === null) problems.push(`the process does not export ${DROPPED_METRIC}`);
  else if (result.records_dropped > 0) problems.push(`${result.records_dropped} record(s) dropped unread by the in-process bus (${DROPPED_METRIC})`);
  return problems;
}
