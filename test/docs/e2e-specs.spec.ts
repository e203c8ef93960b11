import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/infra';

/**
 * docs/testing.md says what each end-to-end spec runs against. This holds the table to the specs:
 * every spec listed once, and its "runs on" cell what the spec's own code starts.
 */
const RUNS_ON = ['in-process', 'Kafka + Elasticsearch', 'Kafka', 'child process'] as const;
type RunsOn = (typeof RUNS_ON)[number];

function runsOn(source: string): RunsOn {
  const kafka = /ServiceProcess\.start|KafkaEventBus|kafkaTestBus|new Kafka\(/.test(source);
  const elasticsearch = /@elastic\/elasticsearch|ELASTICSEARCH_URL/.test(source);
  const inProcess = /startTestPlatform|startEmbeddedPlatform|InMemoryEventBus/.test(source);
  if (kafka && inProcess) throw new Error('a spec both starts services on Kafka and runs the platform in-process');
  if (kafka) return elasticsearch ? 'Kafka + Elasticsearch' : 'Kafka';
  if (inProcess) return 'in-process';
  if (/spawn(Sync)?\(process\.execPath/.test(source)) return 'child process';
  throw new Error('a spec that starts nothing this check knows');
}

const specs = readdirSync(join(ROOT, 'test'))
  .filter((f) => f.endsWith('.e2e-spec.ts'))
  .sort();
const rows = readFileSync(join(ROOT, 'docs', 'testing.md'), 'utf8')
  .split('\n')
  .flatMap((line) => {
    const m = /^\| `([\w.-]+\.e2e-spec\.ts)` \| ([^|]+) \|/.exec(line);
    return m ? [{ spec: m[1], cell: m[2].trim() }] : [];
  });

describe('docs/testing.md: what each end-to-end spec runs on', () => {
  it('lists every spec in test/ once', () => {
    expect(rows.map((r) => r.spec).sort()).toEqual(specs);
  });

  it.each(specs)('says what %s starts', (spec) => {
    const cell = rows.find((r) => r.spec === spec)?.cell ?? '';
    const stated = RUNS_ON.find((kind) => cell.startsWith(kind));
    expect({ spec, stated }).toEqual({ spec, stated: runsOn(readFileSync(join(ROOT, 'test', spec), 'utf8')) });
  });
});
