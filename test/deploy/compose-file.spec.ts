/* eslint-disable @typescript-eslint/no-explicit-any */
// Static checks of the container deployment (nothing here needs Docker): the compose file
// against the Compose Specification, the Dockerfile, the init scripts run against stand-ins,
// and the Kibana saved objects against the monitor's index templates.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import draft07MetaSchema from 'ajv/dist/refs/json-schema-draft-07.json';
import { parse } from 'yaml';
import { ALL_TOPICS, TOPIC_SPECS } from '@app/contracts';
import { FEATURE_NAMES } from '@app/model';
import { INDEX_KINDS, indexPattern, indexTemplates } from '@app/monitoring';

type Doc = Record<string, any>;

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const APPS = ['gateway', 'inference-worker', 'trainer', 'monitor'] as const;
const ONE_SHOT = ['kafka-init', 'kibana-init'];

// Compose files lean on anchors and `<<` merge keys; `docker compose` resolves both.
const loadCompose = (): Doc => parse(read('docker-compose.yml'), { merge: true }) as Doc;

function composeValidator(): ValidateFunction {
  // strictTypes off: the spec's own schema relies on implicit object types inside oneOf.
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  // The vendored schema names the draft-07 meta-schema by its https URI; Ajv registers http.
  ajv.addMetaSchema({ ...draft07MetaSchema, $id: 'https://json-schema.org/draft-07/schema' });
  return ajv.compile(JSON.parse(read('deploy/schema/compose-spec.json')));
}

/** Which Elasticsearch field types a Lens operation can run on. */
const OPERATION_TYPES: Record<string, string[]> = {
  date_histogram: ['date'],
  terms: ['keyword'],
  average: ['float', 'integer'],
  percentile: ['float', 'integer'],
  sum: ['float', 'integer'],
  max: ['float', 'integer'],
};

/** Flattens index-template properties to dotted field names, as Kibana lists them. */
function flattenMapping(properties: Doc, prefix = ''): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, def] of Object.entries(properties)) {
    const path = prefix + name;
    if (def.properties) Object.assign(fields, flattenMapping(def.properties, `${path}.`));
    else fields[path] = def.type;
    for (const [sub, subDef] of Object.entries((def.fields ?? {}) as Doc)) fields[`${path}.${sub}`] = subDef.type;
  }
  return fields;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'deploy-spec-'));
}

function writeExecutable(path: string, body: string): void {
  writeFileSync(path, body);
  chmodSync(path, 0o755);
}

describe('docker-compose.yml', () => {
  const compose = loadCompose();
  const services: Record<string, Doc> = compose.services;
  const validate = composeValidator();

  it('validates against the vendored Compose Specification schema', () => {
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check rejects a depends_on condition the specification does not define', () => {
    const broken = structuredClone(compose);
    broken.services.gateway.depends_on.kafka.condition = 'bogus';

    expect(validate(broken)).toBe(false);
    expect(validate.errors).toContainEqual(
      expect.objectContaining({ instancePath: '/services/gateway/depends_on/kafka/condition', keyword: 'enum' }),
    );
  });

  it('has no obsolete top-level version key', () => {
    expect(compose).not.toHaveProperty('version');
  });

  it('runs Kafka, Elasticsearch, Kibana, both init jobs and the four services', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['elasticsearch', 'gateway', 'inference-worker', 'kafka', 'kafka-init', 'kibana', 'kibana-init', 'monitor', 'trainer'].sort(),
    );
  });

  it('gives every long-running service a healthcheck and a restart policy', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (ONE_SHOT.includes(name)) continue;
      expect({ name, test: svc.healthcheck?.test }).toEqual({ name, test: expect.arrayContaining([expect.any(String)]) });
      expect({ name, restart: svc.restart }).toEqual({ name, restart: 'unless-stopped' });
    }
  });

  it('never restarts the one-shot init jobs, so service_completed_successfully can fire', () => {
    for (const name of ONE_SHOT) expect({ name, restart: services[name].restart }).toEqual({ name, restart: 'no' });
  });

  it('builds each app from the root Dockerfile, selected by the APP build arg', () => {
    for (const app of APPS) {
      expect(services[app].build).toMatchObject({ context: '.', args: { APP: app } });
      expect(existsSync(join(ROOT, 'apps', app, 'src', 'main.ts'))).toBe(true);
    }
  });

  it('checks app readiness on /ready at the port each app is told to listen on', () => {
    const defaults = { gateway: 3000, 'inference-worker': 3001, trainer: 3002, monitor: 3003 };
    for (const app of APPS) {
      expect(services[app].environment.PORT).toBe(defaults[app]);
      expect(services[app].healthcheck.test.join(' ')).toContain("process.env.PORT + '/ready'");
    }
  });

  it('starts every app only after its dependencies are healthy or done, never merely started', () => {
    for (const app of APPS) {
      const deps: Record<string, { condition: string }> = services[app].depends_on;
      expect(Array.isArray(deps)).toBe(false);
      expect(deps).toMatchObject({
        kafka: { condition: 'service_healthy' },
        'kafka-init': { condition: 'service_completed_successfully' },
      });
      for (const [dep, { condition }] of Object.entries(deps)) {
        expect(['service_healthy', 'service_completed_successfully']).toContain(condition);
        if (condition === 'service_healthy') expect({ dep, healthcheck: !!services[dep].healthcheck }).toEqual({ dep, healthcheck: true });
        if (condition === 'service_completed_successfully') expect(ONE_SHOT).toContain(dep);
      }
    }
    expect(services.monitor.depends_on.elasticsearch).toEqual({ condition: 'service_healthy' });
    expect(services.gateway.depends_on.trainer).toEqual({ condition: 'service_healthy' });
  });

  it('orders the init jobs after the infrastructure they configure', () => {
    expect(services['kafka-init'].depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
    expect(services['kibana-init'].depends_on).toEqual({ kibana: { condition: 'service_healthy' } });
    expect(services.kibana.depends_on).toEqual({ elasticsearch: { condition: 'service_healthy' } });
  });

  it('runs at least two inference workers and leaves them free to scale', () => {
    const worker = services['inference-worker'];
    expect(worker.deploy.replicas).toBeGreaterThanOrEqual(2);
    // A fixed host port or container name would make `--scale inference-worker=N` fail.
    expect(worker.ports).toBeUndefined();
    expect(worker.container_name).toBeUndefined();
  });

  it('points the apps at the in-network Kafka listener and Elasticsearch', () => {
    const kafkaEnv = services.kafka.environment;
    expect(kafkaEnv.KAFKA_ADVERTISED_LISTENERS.split(',')).toEqual(
      expect.arrayContaining(['PLAINTEXT://kafka:9092', 'EXTERNAL://localhost:9092']),
    );
    for (const app of APPS) {
      expect(services[app].environment).toMatchObject({
        TRANSPORT: 'kafka',
        KAFKA_BROKERS: 'kafka:9092',
        ELASTICSEARCH_URL: 'http://elasticsearch:9200',
        ES_INDEX_PREFIX: 'mlops',
      });
    }
  });

  it('publishes the EXTERNAL Kafka listener as localhost:9092', () => {
    const kafka = services.kafka;
    expect(kafka.image).toBe('apache/kafka:4.1.1');
    const external = /EXTERNAL:\/\/:(\d+)/.exec(kafka.environment.KAFKA_LISTENERS);
    expect(external).not.toBeNull();
    expect(kafka.ports).toContain(`9092:${external![1]}`);
    expect(kafka.healthcheck.test.join(' ')).toContain('/opt/kafka/bin/kafka-broker-api-versions.sh');
  });

  it('runs Elasticsearch single-node without security, and Kibana of the same version against it', () => {
    const es = services.elasticsearch;
    const kibana = services.kibana;
    expect(es.environment).toMatchObject({
      'discovery.type': 'single-node',
      'xpack.security.enabled': 'false',
      ES_JAVA_OPTS: '-Xms1g -Xmx1g',
    });
    expect(es.image).toMatch(/^docker\.elastic\.co\/elasticsearch\/elasticsearch:/);
    expect(kibana.image).toMatch(/^docker\.elastic\.co\/kibana\/kibana:/);
    expect(kibana.image.split(':').slice(1).join(':')).toBe(es.image.split(':').slice(1).join(':'));
    expect(kibana.environment.ELASTICSEARCH_HOSTS).toBe('http://elasticsearch:9200');
    expect(es.ports).toContain('9200:9200');
    expect(kibana.ports).toContain('5601:5601');
    expect(services.gateway.ports).toContain('3000:3000');
  });

  it('keeps Kafka and Elasticsearch data in named volumes', () => {
    expect(Object.keys(compose.volumes).sort()).toEqual(['es-data', 'kafka-data']);
    expect(services.kafka.volumes).toContain(`kafka-data:${services.kafka.environment.KAFKA_LOG_DIRS}`);
    expect(services.elasticsearch.volumes).toContain('es-data:/usr/share/elasticsearch/data');
  });

  it('mounts the init scripts from deploy/ at the paths the init jobs run', () => {
    for (const name of ONE_SHOT) {
      const svc = services[name];
      const [mount] = svc.volumes as string[];
      const [hostDir, containerDir] = mount.split(':');
      const script: string = svc.entrypoint[1];
      expect(script.startsWith(`${containerDir}/`)).toBe(true);
      expect(existsSync(join(ROOT, hostDir, script.slice(containerDir.length + 1)))).toBe(true);
    }
    const kibanaInit = services['kibana-init'];
    expect(kibanaInit.environment.SAVED_OBJECTS_FILE).toBe('/deploy/kibana/saved-objects.ndjson');
  });
});

describe('kafka-init', () => {
  const initService = loadCompose().services['kafka-init'];
  const specs: string[] = initService.environment.TOPICS.trim().split(/\s+/);

  it('declares exactly the topics of @app/contracts, with their partitions and compaction', () => {
    const declared = Object.fromEntries(
      specs.map((spec) => {
        const [name, partitions, policy] = spec.split(':');
        return [name, { partitions: Number(partitions), compacted: policy === 'compact' }];
      }),
    );
    expect(Object.keys(declared).sort()).toEqual([...ALL_TOPICS].sort());
    expect(declared).toEqual(TOPIC_SPECS);
  });

  it('creates each topic idempotently with the declared settings', () => {
    const dir = tempDir();
    try {
      const log = join(dir, 'calls.log');
      // Stands in for /opt/kafka/bin/kafka-topics.sh and records how it was called.
      writeExecutable(join(dir, 'kafka-topics.sh'), `#!/bin/sh\necho "$*" >> "${log}"\n`);
      execFileSync('sh', [join(ROOT, 'deploy/kafka/create-topics.sh')], {
        env: { PATH: process.env.PATH, KAFKA_BIN: dir, BOOTSTRAP_SERVER: 'kafka:9092', TOPICS: initService.environment.TOPICS },
        stdio: 'pipe',
      });
      const calls = readFileSync(log, 'utf8').trim().split('\n');
      const creates = calls.filter((c) => c.includes('--create'));
      expect(creates).toEqual(
        ALL_TOPICS.map(
          (topic) =>
            `--bootstrap-server kafka:9092 --create --if-not-exists --topic ${topic} --partitions ${TOPIC_SPECS[topic].partitions} ` +
            `--replication-factor 1 --config cleanup.policy=${TOPIC_SPECS[topic].compacted ? 'compact' : 'delete'}`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails when a topic cannot be created', () => {
    const dir = tempDir();
    try {
      writeExecutable(join(dir, 'kafka-topics.sh'), '#!/bin/sh\nexit 1\n');
      expect(() =>
        execFileSync('sh', [join(ROOT, 'deploy/kafka/create-topics.sh')], {
          env: { PATH: process.env.PATH, KAFKA_BIN: dir, TOPICS: 'ml.dead-letter.v1:1' },
          stdio: 'pipe',
        }),
      ).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const froms = instructions.filter((l) => /^FROM\s/i.test(l)).map((l) => l.split(/\s+/));

  it('is multi-stage on a Node 24 base image', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const [, image] of froms) expect(image).toMatch(/^node:24(-|$)/);
  });

  it('builds inside the image and ships production dependencies only', () => {
    expect(dockerfile).toMatch(/RUN\b.*npm ci/);
    expect(dockerfile).toMatch(/RUN\b.*npm run build/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });

  it('selects the service with ARG APP and runs it as a non-root user', () => {
    expect(instructions).toEqual(expect.arrayContaining(['ARG APP=gateway', 'ARG CODE_VERSION=dev']));
    const env = instructions.filter((l) => l.startsWith('ENV ')).join(' ');
    expect(env).toContain('APP=${APP}');
    expect(env).toContain('CODE_VERSION=${CODE_VERSION}');
    const cmd = instructions.filter((l) => l.startsWith('CMD ')).at(-1);
    expect(cmd).toContain('node dist/apps/${APP}/src/main.js');
    const user = instructions.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)\b/);
  });

  it('declares a HEALTHCHECK on /health that needs no curl', () => {
    const healthcheck = instructions.find((l) => l.startsWith('HEALTHCHECK'));
    expect(healthcheck).toContain('fetch(');
    expect(healthcheck).toContain('/health');
    expect(healthcheck).not.toContain('curl');
  });

  it('keeps local state and build output out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', '.infra', '.data', '.tools']));
  });
});

describe('Kibana saved objects (deploy/kibana/saved-objects.ndjson)', () => {
  const text = read('deploy/kibana/saved-objects.ndjson');
  const lines = text.split('\n').filter((l, i, all) => !(i === all.length - 1 && l === ''));
  const objects: Doc[] = lines.map((l) => JSON.parse(l) as Doc);
  const byId = new Map(objects.map((o) => [`${o.type}/${o.id}`, o]));
  const ofType = (type: string) => objects.filter((o) => o.type === type);

  // Field name -> Elasticsearch type, per data view id, from the monitor's own strict index templates.
  const FIELDS: Record<string, Record<string, string>> = Object.fromEntries(
    indexTemplates('mlops').map((t) => [t.name, flattenMapping(t.template.mappings.properties as Doc)]),
  );

  it('has one JSON object per line with unique type/id pairs', () => {
    expect(text.endsWith('\n')).toBe(true);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(byId.size).toBe(objects.length);
  });

  it('defines a data view with @timestamp as time field for each index the monitor writes', () => {
    const views = Object.fromEntries(ofType('index-pattern').map((o) => [o.id, o.attributes]));
    expect(Object.keys(views).sort()).toEqual(INDEX_KINDS.map((kind) => `mlops-${kind}`).sort());
    for (const kind of INDEX_KINDS) {
      expect(views[`mlops-${kind}`]).toMatchObject({ title: indexPattern('mlops', kind), timeFieldName: '@timestamp' });
    }
  });

  it('resolves every reference of every object to an object in the file', () => {
    for (const o of objects) {
      for (const ref of o.references as Array<{ type: string; id: string; name: string }>) {
        expect({ from: `${o.type}/${o.id}`, ref: ref.name, found: byId.has(`${ref.type}/${ref.id}`) }).toEqual({
          from: `${o.type}/${o.id}`,
          ref: ref.name,
          found: true,
        });
      }
    }
  });

  it('saves the low-confidence search on the predictions data view', () => {
    const search = objects.find((o) => o.type === 'search' && o.attributes.title === 'Low-confidence predictions');
    expect(search).toBeDefined();
    expect(search!.attributes.columns).toEqual(['prediction', 'probability', 'model_version', 'request_id']);
    const source = JSON.parse(search!.attributes.kibanaSavedObjectMeta.searchSourceJSON);
    expect(source.query).toEqual({ query: 'probability < 0.6', language: 'kuery' });
    expect(search!.references).toEqual([{ id: 'mlops-predictions', name: source.indexRefName, type: 'index-pattern' }]);
  });

  it('shows only mapped fields as columns of the saved searches', () => {
    for (const search of ofType('search')) {
      const fields = FIELDS[search.references[0].id];
      for (const column of search.attributes.columns as string[])
        expect({ search: search.id, column, mapped: column in fields }).toEqual({ search: search.id, column, mapped: true });
    }
  });

  it('builds each Lens visualization from columns that exist, on mapped fields of a fitting type', () => {
    const lenses = ofType('lens');
    expect(lenses.length).toBeGreaterThanOrEqual(4);
    for (const lens of lenses) {
      const layers: Record<string, Doc> = lens.attributes.state.datasourceStates.formBased.layers;
      for (const [layerId, layer] of Object.entries(layers)) {
        const ref = lens.references.find((r: Doc) => r.name === `indexpattern-datasource-layer-${layerId}`);
        expect({ lens: lens.id, layerId, hasRef: !!ref }).toEqual({ lens: lens.id, layerId, hasRef: true });
        expect(Object.keys(layer.columns).sort()).toEqual([...layer.columnOrder].sort());
        for (const column of Object.values(layer.columns) as Doc[]) {
          if (column.sourceField === '___records___') continue;
          const esType = FIELDS[ref.id]?.[column.sourceField];
          const fits = OPERATION_TYPES[column.operationType]?.includes(esType) ?? false;
          const seen = { lens: lens.id, field: column.sourceField, operation: column.operationType, esType };
          expect({ ...seen, fits }).toEqual({ ...seen, fits: true });
        }
      }
      const vis = lens.attributes.state.visualization;
      const columnIds = new Set(Object.values(layers).flatMap((l) => Object.keys(l.columns)));
      const used: string[] = (vis.layers as Doc[]).flatMap((l) =>
        [l.xAccessor, l.splitAccessor, ...(l.accessors ?? []), ...(l.primaryGroups ?? []), ...(l.metrics ?? [])].filter(Boolean),
      );
      for (const id of used)
        expect({ lens: lens.id, accessor: id, exists: columnIds.has(id) }).toEqual({ lens: lens.id, accessor: id, exists: true });
    }
  });

  it('charts the PSI of every model feature from the rolling statistics', () => {
    const psi = objects.find((o) => o.id === 'mlops-lens-feature-drift-psi')!;
    expect(psi.references.map((r: Doc) => r.id)).toEqual(['mlops-stats']);
    const columns = Object.values(psi.attributes.state.datasourceStates.formBased.layers).flatMap((l: any) =>
      Object.values(l.columns),
    ) as Doc[];
    expect(columns.filter((c) => c.sourceField?.endsWith('.psi')).map((c) => c.sourceField)).toEqual(
      FEATURE_NAMES.map((f) => `drift.${f}.psi`),
    );
  });

  it('lays out the overview dashboard with every panel resolving to a saved object of its type', () => {
    const dashboards = ofType('dashboard');
    expect(dashboards).toHaveLength(1);
    const [dashboard] = dashboards;
    expect(dashboard.attributes.title).toBe('Iris inference — overview');

    const panels: Doc[] = JSON.parse(dashboard.attributes.panelsJSON);
    const targets = panels.map((panel) => {
      expect(panel.gridData.i).toBe(panel.panelIndex);
      const ref = dashboard.references.find((r: Doc) => r.name === `${panel.panelIndex}:${panel.panelRefName}`);
      expect({ panel: panel.panelIndex, type: ref?.type }).toEqual({ panel: panel.panelIndex, type: panel.type });
      return byId.get(`${ref.type}/${ref.id}`)!;
    });
    expect(targets.map((t) => t.id)).toEqual(
      expect.arrayContaining([
        'mlops-lens-prediction-throughput',
        'mlops-lens-scoring-latency',
        'mlops-lens-class-mix',
        'mlops-lens-feature-drift-psi',
        'mlops-drift-events',
      ]),
    );
    const driftTable = targets.find((t) => t.id === 'mlops-drift-events')!;
    expect(driftTable.type).toBe('search');
    expect(driftTable.references[0].id).toBe('mlops-drift');
  });
});

describe('deploy/kibana/import-saved-objects.sh', () => {
  const script = join(ROOT, 'deploy/kibana/import-saved-objects.sh');

  // A stand-in curl on PATH records its arguments and answers with `body`.
  function runImport(body: string): { status: number; args: string } {
    const dir = tempDir();
    try {
      const log = join(dir, 'curl.args');
      writeExecutable(join(dir, 'curl'), `#!/bin/sh\nfor a in "$@"; do echo "$a" >> "${log}"; done\nprintf '%s' '${body}'\n`);
      let status = 0;
      try {
        execFileSync('sh', [script], {
          env: {
            PATH: `${dir}:${process.env.PATH}`,
            KIBANA_URL: 'http://kibana:5601',
            SAVED_OBJECTS_FILE: join(ROOT, 'deploy/kibana/saved-objects.ndjson'),
            IMPORT_ATTEMPTS: '1',
          },
          stdio: 'pipe',
        });
      } catch (err) {
        status = (err as { status: number }).status;
      }
      return { status, args: readFileSync(log, 'utf8') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('posts the NDJSON to the import API with overwrite and the kbn-xsrf header', () => {
    const { status, args } = runImport('{"success":true,"successCount":12}');
    expect(status).toBe(0);
    expect(args.split('\n')).toEqual(
      expect.arrayContaining([
        'http://kibana:5601/api/saved_objects/_import?overwrite=true',
        'kbn-xsrf: true',
        `file=@${join(ROOT, 'deploy/kibana/saved-objects.ndjson')}`,
      ]),
    );
  });

  it('fails when Kibana reports that objects were not imported', () => {
    expect(runImport('{"success":false,"successCount":0,"errors":[]}').status).not.toBe(0);
  });
});
