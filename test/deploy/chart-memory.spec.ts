// The chart's memory limits against what the services used: a pod whose limit is below its
// process's peak under load is OOM-killed exactly when it is needed. The peaks are the latest
// committed bench run's (bench/results/latest.json, every load it ran), the headroom is stated.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_FLAGS } from '../../scripts/lib/node-flags';
import { ROOT, named, render } from './support/helm';

// small.yaml keeps the chart's default resources; production.yaml sets its own.
const EXAMPLES = { small: [join(ROOT, 'deploy/helm/values/small.yaml')], production: [join(ROOT, 'deploy/helm/values/production.yaml')] };

/** Above the measured peak: garbage collection timing, larger batches and a busier machine than the bench's. */
const MEMORY_HEADROOM = 1.25;
/** Code, stacks, Kafka and socket buffers beside V8's heap: a pod limited to the heap alone is killed before V8 collects. */
const HEAP_OVERHEAD_MIB = 64;

interface Usage {
  peak_rss_mb: number;
}
interface Summary {
  processes: Record<string, Usage>;
}
interface Comparison {
  ours: Summary;
}
const latest = JSON.parse(readFileSync(join(ROOT, 'bench/results/latest.json'), 'utf8')) as {
  git_commit: string;
  closed_loop: Record<string, Comparison>;
  open_loop: Comparison | null;
};

/** Largest RSS (MiB) of an app's processes over every Kafka-path load of the run ("inference-worker-1", "-2" are one app). */
function peakMiB(app: string): number {
  const loads = [...Object.values(latest.closed_loop), ...(latest.open_loop ? [latest.open_loop] : [])];
  const peaks = loads.flatMap((c) => Object.entries(c.ours.processes).filter(([name]) => name === app || name.startsWith(`${app}-`)).map(([, u]) => u.peak_rss_mb));
  if (peaks.length === 0) throw new Error(`bench/results/latest.json measured no process of ${app}`);
  return Math.max(...peaks);
}

/** A Kubernetes memory quantity in MiB (the chart writes Mi or Gi). */
function mebibytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Mi|Gi)$/.exec(quantity);
  if (!m) throw new Error(`unexpected memory quantity ${quantity}`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

describe(`the Helm chart's memory limits against the bench's peaks (bench/results/latest.json, ${latest.git_commit})`, () => {
  const rendered = Object.fromEntries(Object.entries(EXAMPLES).map(([name, files]) => [name, render(files)]));
  const cases = Object.keys(EXAMPLES).flatMap((values) => ['gateway', 'inference-worker', 'trainer', 'monitor'].map((app) => [values, app]));

  it.each(cases)('gives %s values a %s limit of at least its peak RSS under load plus the headroom', (values, app) => {
    const objects = rendered[values];
    const resources = named(objects, 'Deployment', `iris-iris-platform-${app}`).spec.template.spec.containers[0].resources;
    const limit = mebibytes(resources.limits.memory);
    const needed = Math.ceil(peakMiB(app) * MEMORY_HEADROOM);
    expect({ app, limit: limit >= needed ? 'enough' : `${limit} Mi, below ${needed} Mi` }).toEqual({ app, limit: 'enough' });
    // A request below the peak lets the scheduler pack pods onto memory they will use.
    expect(mebibytes(resources.requests.memory)).toBeGreaterThanOrEqual(Math.ceil(peakMiB(app)));
  });

  it.each(cases)('gives %s values a %s limit above the heap its nodeArgs let V8 grow to', (values, app) => {
    const container = named(rendered[values], 'Deployment', `iris-iris-platform-${app}`).spec.template.spec.containers[0];
    const flag = (name: string) => Number((container.command as string[]).find((a) => a.startsWith(`--${name}=`))!.split('=')[1]);
    expect(container.command).toEqual(['node', ...NODE_FLAGS[app as keyof typeof NODE_FLAGS], `dist/apps/${app}/src/main.js`]);
    // Old space, three semi-spaces of young generation, and code, stacks and buffers besides.
    const heapMiB = flag('max-old-space-size') + 3 * flag('max-semi-space-size') + HEAP_OVERHEAD_MIB;
    const limit = mebibytes(container.resources.limits.memory);
    expect({ app, limit: limit >= heapMiB ? 'enough' : `${limit} Mi, below ${heapMiB} Mi` }).toEqual({ app, limit: 'enough' });
  });
});
