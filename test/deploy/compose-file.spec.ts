/* eslint-disable @typescript-eslint/no-explicit-any */
// Static checks of the container deployment (nothing here needs Docker): the compose file
// against the Compose Specification and the config schema, the Dockerfile, the init scripts
// run against stand-ins, and the Kibana saved objects against the monitor's index templates.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import draft07MetaSchema from 'ajv/dist/refs/json-schema-draft-07.json';
import { parse } from 'yaml';
import { ALL_TOPICS, TOPIC_SPECS } from '@app/contracts';
import { FEATURE_NAMES } from '@app/model';
import { INDEX_KINDS, indexPattern, indexTemplates } from '@app/monitoring';
import { CONFIG_VARS, isConfigVar, schemaDefault } from './support/env-schema';
import { NODE_FLAGS } from '../../scripts/lib/node-flags';

type Doc = Record<string, any>;

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const APPS = ['gateway', 'inference-worker', 'trainer', 'monitor'] as const;
const ONE_SHOT = ['kafka-init', 'es-init', 'kibana-init'];

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
  terms: ['keyword', 'integer'],
  last_value: ['float', 'integer', 'keyword'],
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

/** Compose's `${VAR:-default}` interpolation, for the forms this file uses. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+):-([^}]*)\}/g, (_, name: string, fallback: string) => env[name] || fallback);
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

  it('runs Kafka, Elasticsearch, Kibana, MLflow, the three init jobs and the four services, and Prometheus and Grafana in a profile', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'elasticsearch',
        'es-init',
        'gateway',
        'grafana',
        'inference-worker',
        'kafka',
        'kafka-init',
        'kibana',
        'kibana-init',
        'mlflow',
        'monitor',
        'prometheus',
        'trainer',
      ].sort(),
    );
  });

  it('gives every long-running service a healthcheck and a restart policy', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (ONE_SHOT.includes(name)) continue;
      expect({ name, test: svc.healthcheck?.test }).toEqual({ name, test: expect.arrayContaining([expect.any(String)]) });
      expect({ name, restart: svc.restart }).toEqual({ name, restart: 'unless-stopped' });
    }
  });

  it('runs each app under an init process, so SIGTERM reaches node and zombies are reaped', () => {
    for (const app of APPS) expect({ app, init: services[app].init }).toEqual({ app, init: true });
  });

  it('never restarts the one-shot init jobs, so service_completed_successfully can fire', () => {
    for (const name of ONE_SHOT) expect({ name, restart: services[name].restart }).toEqual({ name, restart: 'no' });
  });

  it('runs the four apps from one image built once from the root Dockerfile, each with its own entry point', () => {
    const images = new Set(APPS.map((app) => services[app].image));
    expect([...images]).toEqual(['${IRIS_IMAGE:-iris-platform:local}']);
    for (const app of APPS) {
      expect(services[app].build).toEqual({ context: '.', args: { CODE_VERSION: '${CODE_VERSION:-dev}' } });
      expect(services[app].command).toEqual(['node', ...NODE_FLAGS[app], `dist/apps/${app}/src/main.js`]);
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
    // The two services that talk to Elasticsearch start once their user exists.
    expect(services.monitor.depends_on).toMatchObject({
      elasticsearch: { condition: 'service_healthy' },
      'es-init': { condition: 'service_completed_successfully' },
    });
    expect(services.gateway.depends_on).toMatchObject({
      'es-init': { condition: 'service_completed_successfully' },
      trainer: { condition: 'service_healthy' },
    });
  });

  it('orders the init jobs after the infrastructure they configure', () => {
    expect(services['kafka-init'].depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
    expect(services['es-init'].depends_on).toEqual({ elasticsearch: { condition: 'service_healthy' } });
    expect(services['kibana-init'].depends_on).toEqual({ kibana: { condition: 'service_healthy' } });
    expect(services.kibana.depends_on).toEqual({
      elasticsearch: { condition: 'service_healthy' },
      'es-init': { condition: 'service_completed_successfully' },
    });
  });

  it('runs at least two inference workers and leaves them free to scale', () => {
    const worker = services['inference-worker'];
    expect(worker.deploy.replicas).toBeGreaterThanOrEqual(2);
    // A fixed host port or container name would make `--scale inference-worker=N` fail.
    expect(worker.ports).toBeUndefined();
    expect(worker.container_name).toBeUndefined();
  });

  it('points the apps at the in-network Kafka listener and Elasticsearch, with the user es-init creates', () => {
    const kafkaEnv = services.kafka.environment;
    expect(kafkaEnv.KAFKA_ADVERTISED_LISTENERS.split(',')).toEqual(
      expect.arrayContaining(['PLAINTEXT://kafka:9092', 'EXTERNAL://localhost:${KAFKA_HOST_PORT:-9092}']),
    );
    for (const app of APPS) {
      expect(services[app].environment).toMatchObject({
        TRANSPORT: 'kafka',
        KAFKA_BROKERS: 'kafka:9092',
        ELASTICSEARCH_URL: 'http://elasticsearch:9200',
        ELASTICSEARCH_USERNAME: '${ELASTICSEARCH_USERNAME:-iris}',
        ELASTICSEARCH_PASSWORD: expect.stringMatching(/^\$\{ELASTICSEARCH_PASSWORD:\?/),
      });
    }
    const esInit = services['es-init'].environment;
    expect(esInit.APP_USERNAME).toBe(services.gateway.environment.ELASTICSEARCH_USERNAME);
    expect(esInit.APP_PASSWORD).toBe(services.gateway.environment.ELASTICSEARCH_PASSWORD);
    expect(esInit.INDEX_PREFIX).toBe(services.gateway.environment.ES_INDEX_PREFIX);
  });

  it('publishes the EXTERNAL Kafka listener on KAFKA_HOST_PORT and advertises that same port to host clients', () => {
    const kafka = services.kafka;
    expect(kafka.image).toBe('apache/kafka:4.1.1');
    const external = /EXTERNAL:\/\/:(\d+)/.exec(kafka.environment.KAFKA_LISTENERS);
    expect(external?.[1]).toBe('29092');
    expect(kafka.healthcheck.test.join(' ')).toContain('/opt/kafka/bin/kafka-broker-api-versions.sh');
    // A client that bootstraps on the published port is sent to the advertised one: moved alone,
    // the port would send host clients to whatever broker listens on localhost:9092.
    for (const [env, port] of [[{}, '9092'], [{ KAFKA_HOST_PORT: '6192' }, '6192']] as const) {
      const [published] = (kafka.ports as string[]).map((p) => interpolate(p, env).split(':'));
      const advertised = /EXTERNAL:\/\/([^,]+)/.exec(interpolate(kafka.environment.KAFKA_ADVERTISED_LISTENERS, env))?.[1];
      expect({ published, advertised }).toEqual({ published: ['127.0.0.1', port, '29092'], advertised: `localhost:${port}` });
    }
  });

  it('gives Elasticsearch an open-files limit that an engine without the right to raise its own can set', () => {
    // 65536 stops the container where dockerd cannot raise the hard limit (rootless Docker,
    // restricted hosts: "error setting rlimit type 7: operation not permitted").
    expect(services.elasticsearch.ulimits).toEqual({ nofile: { soft: '${ES_NOFILE_LIMIT:-16384}', hard: '${ES_NOFILE_LIMIT:-16384}' } });
    expect(services.elasticsearch.environment['discovery.type']).toBe('single-node');
  });

  it('publishes every host port on 127.0.0.1 only', () => {
    const published = Object.entries(services).flatMap(([name, svc]) => ((svc.ports ?? []) as string[]).map((port) => ({ name, port })));
    expect(published.map(({ name, port }) => `${name} ${port}`).sort()).toEqual(
      [
        'elasticsearch 127.0.0.1:${ELASTICSEARCH_HOST_PORT:-9200}:9200',
        'gateway 127.0.0.1:${GATEWAY_HOST_PORT:-3000}:3000',
        'gateway 127.0.0.1:${GRPC_PORT:-8081}:${GRPC_PORT:-8081}',
        'grafana 127.0.0.1:${GRAFANA_HOST_PORT:-3300}:3000',
        'kafka 127.0.0.1:${KAFKA_HOST_PORT:-9092}:29092',
        'kibana 127.0.0.1:${KIBANA_HOST_PORT:-5601}:5601',
        'mlflow 127.0.0.1:${MLFLOW_HOST_PORT:-5500}:5000',
        'monitor 127.0.0.1:${MONITOR_HOST_PORT:-3003}:3003',
        'prometheus 127.0.0.1:${PROMETHEUS_HOST_PORT:-9090}:9090',
        'trainer 127.0.0.1:${TRAINER_HOST_PORT:-3002}:3002',
      ].sort(),
    );
  });

  it('runs Elasticsearch single-node with security on and the elastic password from .env', () => {
    const es = services.elasticsearch;
    expect(es.environment).toMatchObject({
      'discovery.type': 'single-node',
      'xpack.security.enabled': 'true',
      ELASTIC_PASSWORD: expect.stringMatching(/^\$\{ELASTIC_PASSWORD:\?/),
      ES_JAVA_OPTS: '-Xms1g -Xmx1g',
    });
    expect(es.image).toMatch(/^docker\.elastic\.co\/elasticsearch\/elasticsearch:/);
    // The healthcheck authenticates with the password the container's shell expands at run time
    // ($$ is compose's escape for a literal $, so compose does not interpolate it from .env).
    expect(es.healthcheck.test[1]).toContain('-u "elastic:$${ELASTIC_PASSWORD}"');
  });

  it("connects Kibana of the same version with the service account token es-init writes", () => {
    const es = services.elasticsearch;
    const kibana = services.kibana;
    expect(kibana.image).toMatch(/^docker\.elastic\.co\/kibana\/kibana:/);
    expect(kibana.image.split(':').slice(1).join(':')).toBe(es.image.split(':').slice(1).join(':'));
    expect(kibana.environment.ELASTICSEARCH_HOSTS).toBe('http://elasticsearch:9200');
    const tokenFile = services['es-init'].environment.KIBANA_TOKEN_FILE;
    const tokenDir = tokenFile.slice(0, tokenFile.lastIndexOf('/'));
    expect(services['es-init'].volumes).toContain(`kibana-token:${tokenDir}`);
    expect(kibana.volumes).toEqual([`kibana-token:${tokenDir}:ro`]);
    expect(kibana.command).toEqual([
      '/bin/sh',
      '-c',
      `export ELASTICSEARCH_SERVICEACCOUNTTOKEN="$$(cat ${tokenFile})" && exec /usr/local/bin/kibana-docker`,
    ]);
    expect(kibana.environment).not.toHaveProperty('ELASTICSEARCH_PASSWORD');
    expect(services['kibana-init'].environment).toMatchObject({
      KIBANA_USERNAME: 'elastic',
      KIBANA_PASSWORD: es.environment.ELASTIC_PASSWORD,
      INDEX_PREFIX: services.gateway.environment.ES_INDEX_PREFIX,
    });
  });

  it('keeps Kafka, Elasticsearch, MLflow, Prometheus and Grafana data and the Kibana token in named volumes', () => {
    expect(Object.keys(compose.volumes).sort()).toEqual(['es-data', 'grafana-data', 'kafka-data', 'kibana-token', 'mlflow-data', 'prometheus-data']);
    expect(services.kafka.volumes).toContain(`kafka-data:${services.kafka.environment.KAFKA_LOG_DIRS}`);
    expect(services.elasticsearch.volumes).toContain('es-data:/usr/share/elasticsearch/data');
  });

  it('runs the official MLflow image at the release the tests pin, its store and artifacts in a volume, wired to the trainer', () => {
    const mlflow = services.mlflow;
    const pinned = /^mlflow\[auth\]==([\d.]+)$/m.exec(read('test/reference/mlflow-requirements.txt'))![1];
    expect(mlflow.image).toBe(`ghcr.io/mlflow/mlflow:v${pinned}`);
    const flag = (name: string) => (mlflow.command as string[]).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    expect(mlflow.command.slice(0, 2)).toEqual(['mlflow', 'server']);
    expect(mlflow.volumes).toEqual(['mlflow-data:/mlflow']);
    expect(flag('backend-store-uri')).toBe('sqlite:////mlflow/mlflow.db');
    expect(flag('artifacts-destination')).toBe('/mlflow/artifacts');
    expect(flag('host')).toBe('0.0.0.0');
    // The trainer's default URI names the service and the port the server listens on, and MLflow accepts that Host header.
    const uri = /^\$\{MLFLOW_TRACKING_URI:-(.+)\}$/.exec(services.trainer.environment.MLFLOW_TRACKING_URI)![1];
    expect(uri).toBe(`http://mlflow:${flag('port')}`);
    expect(flag('allowed-hosts')!.split(',')).toEqual(expect.arrayContaining([`mlflow:${flag('port')}`, 'localhost:*', '127.0.0.1:*']));
    expect(mlflow.ports).toEqual([`127.0.0.1:\${MLFLOW_HOST_PORT:-5500}:${flag('port')}`]);
    expect(mlflow.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${flag('port')}/health`);
    // Never in the way: the trainer starts, trains and promotes without MLflow.
    expect(Object.keys(services.trainer.depends_on)).not.toContain('mlflow');
  });

  it('mounts the data directory read-only into the trainer at DATA_DIR, for CSV retrains', () => {
    const trainer = services.trainer;
    expect(trainer.environment.DATA_DIR).toBe('/data');
    expect(trainer.volumes).toEqual(['${IRIS_DATA_DIR:-./data}:/data:ro']);
    expect(existsSync(join(ROOT, 'data'))).toBe(true);
    for (const app of APPS.filter((a) => a !== 'trainer')) expect({ app, volumes: services[app].volumes }).toEqual({ app, volumes: undefined });
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

describe('the monitoring profile of docker-compose.yml (Prometheus and Grafana)', () => {
  const services: Record<string, Doc> = loadCompose().services;
  const MONITORING = ['prometheus', 'grafana'];
  /** The bind mounts of a service: host path (relative to the repository) and container path. */
  const binds = (name: string) =>
    (services[name].volumes as string[])
      .filter((v) => v.startsWith('./'))
      .map((v) => {
        const [host, container] = v.split(':');
        return { host: relative(ROOT, resolve(ROOT, host)), container };
      });
  const containerPathOf = (name: string, host: string) => binds(name).find((b) => b.host === host)?.container;
  const scrape: Doc = parse(read('deploy/prometheus/prometheus.yml'));

  it('starts Prometheus and Grafana only with --profile monitoring: a plain `docker compose up` is unchanged', () => {
    const profiled = Object.entries(services).filter(([, svc]) => svc.profiles !== undefined);
    expect(Object.fromEntries(profiled.map(([name, svc]) => [name, svc.profiles]))).toEqual({ prometheus: ['monitoring'], grafana: ['monitoring'] });
    // The compose smoke's overrides only add profiles of their own; none of them brings these in.
    const smoke: Doc = parse(read('infra/standins/compose.smoke.yml'), { merge: true });
    expect(Object.keys(smoke.services).filter((name) => MONITORING.includes(name))).toEqual([]);
  });

  it('publishes both on 127.0.0.1 only', () => {
    for (const name of MONITORING) {
      const ports = services[name].ports as string[];
      expect({ name, ports: ports.map((p) => p.split(':')[0]) }).toEqual({ name, ports: ports.map(() => '127.0.0.1') });
    }
  });

  it('runs the official images pinned by tag: Prometheus at the release promtool is built from, Grafana at the release of the schema the dashboard is checked against', () => {
    const moduleVersion = /PROMETHEUS_MODULE_VERSION:-v0\.(\d+)\.(\d+)\}/.exec(read('scripts/tools/install-prometheus.sh'))!;
    expect(services.prometheus.image).toBe(`prom/prometheus:v3.${Number(moduleVersion[1]) - 300}.${moduleVersion[2]}`);
    const schemaVersion = JSON.parse(read('package.json')).devDependencies['@grafana/schema'];
    expect(services.grafana.image).toBe(`grafana/grafana:${schemaVersion}`);
  });

  it('mounts only files and folders that exist, read-only', () => {
    for (const name of MONITORING) {
      const mounts = (services[name].volumes as string[]).filter((v) => v.startsWith('./'));
      expect(mounts.length).toBeGreaterThan(0);
      for (const mount of mounts) {
        expect({ name, mount, readOnly: mount.endsWith(':ro') }).toEqual({ name, mount, readOnly: true });
        expect({ name, mount, exists: existsSync(join(ROOT, mount.split(':')[0])) }).toEqual({ name, mount, exists: true });
      }
    }
  });

  it('loads the alerting rules into Prometheus from the path they are mounted at', () => {
    expect(services.prometheus.command).toContain(`--config.file=${containerPathOf('prometheus', 'deploy/prometheus')}/prometheus.yml`);
    expect(scrape.rule_files).toEqual([containerPathOf('prometheus', 'deploy/grafana/alerts.rules.yml')]);
  });

  it('scrapes GET /metrics of each app on the port it listens on, in a job named after the app (the dashboard\'s Service variable)', () => {
    for (const app of APPS) {
      const job = (scrape.scrape_configs as Doc[]).find((c) => c.job_name === app);
      expect({ app, metricsPath: job?.metrics_path, sd: job?.dns_sd_configs }).toEqual({
        app,
        metricsPath: undefined, // Prometheus' default, /metrics
        sd: [expect.objectContaining({ names: [app], type: 'A', port: services[app].environment.PORT })],
      });
    }
  });

  it("provisions Grafana with the profile's Prometheus and the dashboard of deploy/grafana", () => {
    const datasources: Doc = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml'));
    const [, prometheusPort] = (services.prometheus.ports[0] as string).split(':').slice(-2);
    expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: `http://prometheus:${prometheusPort}` })]);
    const providers: Doc = parse(read('deploy/grafana/provisioning/dashboards/iris-platform.yml'));
    const dashboardInContainer = containerPathOf('grafana', 'deploy/grafana/iris-platform.json')!;
    expect(providers.providers.map((p: Doc) => p.options.path)).toEqual([dashboardInContainer.slice(0, dashboardInContainer.lastIndexOf('/'))]);
    expect(containerPathOf('grafana', 'deploy/grafana/provisioning/datasources')).toBe('/etc/grafana/provisioning/datasources');
    expect(containerPathOf('grafana', 'deploy/grafana/provisioning/dashboards')).toBe('/etc/grafana/provisioning/dashboards');
    expect(services.grafana.depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
  });
});

describe('configuration passed to the apps by docker-compose.yml', () => {
  const services: Record<string, Doc> = loadCompose().services;
  // Connection settings: the containers of this file, and the Elasticsearch user es-init creates;
  // the listening addresses.
  const FIXED: Record<string, unknown> = {
    // A container's loopback is its own: every interface, published on the host's 127.0.0.1 only.
    HOST: '0.0.0.0',
    GRPC_HOST: '0.0.0.0',
    TRANSPORT: 'kafka',
    KAFKA_BROKERS: 'kafka:9092',
    ELASTICSEARCH_URL: 'http://elasticsearch:9200',
    ELASTICSEARCH_USERNAME: '${ELASTICSEARCH_USERNAME:-iris}',
    ELASTICSEARCH_PASSWORD: '${ELASTICSEARCH_PASSWORD:?set ELASTICSEARCH_PASSWORD in .env (see .env.example)}',
  };
  // Set on the apps that read them, to a value of this file: every app's port, the trainer's data directory, the gateway's gRPC port.
  const PER_SERVICE: Record<string, readonly string[]> = { PORT: APPS, DATA_DIR: ['trainer'], GRPC_PORT: ['gateway'] };
  // The MLflow mirror runs in the trainer only: from .env with the schema default, the URI defaulting to the mlflow service.
  const TRAINER_ONLY = (name: string) => name.startsWith('MLFLOW_');
  const TRAINER_DEFAULTS: Record<string, string> = { MLFLOW_TRACKING_URI: 'http://mlflow:5000' };
  // Not passed, and why.
  const notPassed = (name: string): string | undefined =>
    ({
      INSTANCE_ID: 'each replica names itself (hostname-pid), which --scale needs',
      REPLY_PARTITION: 'each gateway derives its reply partition from its own instance id',
      ELASTICSEARCH_API_KEY: 'the services authenticate as the user es-init creates',
      ELASTICSEARCH_CA_FILE: 'Elasticsearch speaks plain HTTP inside the compose network',
      KAFKA_TOPIC_PREFIX: 'the stack has a broker of its own, whose topics kafka-init creates by their plain names',
    })[name] ?? (/^KAFKA_(SASL|SSL)/.test(name) ? 'the in-network broker listens PLAINTEXT' : undefined);

  it('passes every variable of ENV_SCHEMA to every app, from .env with the schema default', () => {
    for (const app of APPS) {
      const env: Doc = services[app].environment;
      for (const name of CONFIG_VARS) {
        if (notPassed(name)) {
          expect({ app, name, value: env[name] }).toEqual({ app, name, value: undefined });
        } else if (name in FIXED) {
          expect({ app, name, value: env[name] }).toEqual({ app, name, value: FIXED[name] });
        } else if (name in PER_SERVICE) {
          expect({ app, name, set: env[name] !== undefined }).toEqual({ app, name, set: PER_SERVICE[name].includes(app) });
        } else if (TRAINER_ONLY(name)) {
          const expected = app === 'trainer' ? `\${${name}:-${TRAINER_DEFAULTS[name] ?? schemaDefault(name)}}` : undefined;
          expect({ app, name, value: env[name] }).toEqual({ app, name, value: expected });
        } else {
          const fallback = schemaDefault(name);
          const expected = fallback === undefined ? expect.stringMatching(new RegExp(`^\\$\\{${name}:\\?.+\\}$`)) : `\${${name}:-${fallback}}`;
          expect({ app, name, value: env[name] }).toEqual({ app, name, value: expected });
        }
      }
    }
  });

  it('sets no variable on an app that the services do not read', () => {
    for (const app of APPS) {
      const unknown = Object.keys(services[app].environment).filter((name) => !isConfigVar(name));
      expect({ app, unknown }).toEqual({ app, unknown: [] });
    }
  });

  it('documents in .env.example every variable the compose file reads, with the same defaults', () => {
    const raw = read('docker-compose.yml');
    const used = new Map<string, string | undefined>();
    for (const m of raw.matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g)) used.set(m[1], m[2] === '-' ? m[3] : undefined);
    const documented = new Map<string, string>();
    for (const m of read('.env.example').matchAll(/^#? ?([A-Z][A-Z0-9_]*)=(.*)$/gm)) documented.set(m[1], m[2]);

    expect([...documented.keys()].sort()).toEqual([...used.keys()].sort());
    for (const [name, fallback] of used) {
      if (fallback !== undefined) expect({ name, example: documented.get(name) }).toEqual({ name, example: fallback });
    }
  });

  it('keeps .env, which holds the passwords, out of git and out of the image build context', () => {
    const lines = (path: string) => read(path).split('\n').map((l) => l.trim());
    expect(lines('.gitignore')).toContain('.env');
    expect(lines('.dockerignore')).toEqual(expect.arrayContaining(['.env', 'data']));
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

  it('lists the topics once and creates only those missing, so a restart starts two tool JVMs rather than one per topic', () => {
    const dir = tempDir();
    try {
      const log = join(dir, 'calls.log');
      writeExecutable(
        join(dir, 'kafka-topics.sh'),
        `#!/bin/sh\necho "$*" >> "${log}"\ncase "$*" in *--list*) printf 'ml.dead-letter.v1\\n__consumer_offsets\\nml.feedback.v1.old\\n' ;; esac\n`,
      );
      const { status, stdout } = runScript('deploy/kafka/create-topics.sh', {
        KAFKA_BIN: dir,
        TOPICS: 'ml.dead-letter.v1:1 ml.feedback.v1:6',
      });
      expect(status).toBe(0);
      expect(stdout).toBe('kafka-init: ml.dead-letter.v1 exists\n');
      expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
        '--bootstrap-server kafka:9092 --list',
        '--bootstrap-server kafka:9092 --create --if-not-exists --topic ml.feedback.v1 --partitions 6 --replication-factor 1 --config cleanup.policy=delete',
        '--bootstrap-server kafka:9092 --describe',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops at the first topic that cannot be created, with the exit status and message of kafka-topics.sh', () => {
    const dir = tempDir();
    try {
      const log = join(dir, 'calls.log');
      writeExecutable(
        join(dir, 'kafka-topics.sh'),
        `#!/bin/sh\necho "$*" >> "${log}"\ncase "$*" in *--create*) echo 'Topic authorization failed.' >&2; exit 3 ;; esac\n`,
      );
      let failure: { status: number; stderr: string } | undefined;
      try {
        execFileSync('sh', [join(ROOT, 'deploy/kafka/create-topics.sh')], {
          env: { PATH: process.env.PATH, KAFKA_BIN: dir, TOPICS: 'ml.dead-letter.v1:1 ml.retrain.requested.v1:1' },
          stdio: 'pipe',
        });
      } catch (err) {
        failure = { status: (err as { status: number }).status, stderr: String((err as { stderr: Buffer }).stderr) };
      }
      expect(failure).toEqual({ status: 3, stderr: 'Topic authorization failed.\n' });
      expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
        '--bootstrap-server kafka:9092 --list',
        '--bootstrap-server kafka:9092 --create --if-not-exists --topic ml.dead-letter.v1 --partitions 1 --replication-factor 1 --config cleanup.policy=delete',
      ]);
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

  it('builds one image for every app, selected by APP at run time, run as a numeric non-root user', () => {
    expect(instructions).toContain('ARG CODE_VERSION=dev');
    expect(instructions.filter((l) => /^ARG\s+APP\b/.test(l))).toEqual([]);
    const env = instructions.filter((l) => l.startsWith('ENV ')).join(' ');
    expect(env).toContain('APP=gateway');
    expect(env).toContain('CODE_VERSION=${CODE_VERSION}');
    // The services default to 127.0.0.1 outside a container; inside one that would answer nobody.
    expect(env).toContain('HOST=0.0.0.0');
    expect(env).toContain('GRPC_HOST=0.0.0.0');
    const cmd = instructions.filter((l) => l.startsWith('CMD ')).at(-1);
    // Its heap limits per APP are held to scripts/lib/node-flags.ts by test/deploy/node-flags.spec.ts.
    expect(cmd).toMatch(/^CMD case "\$APP" in .* exec node (--\S+ )+dist\/apps\/\$\{APP\}\/src\/main\.js$/);
    // Kubernetes' runAsNonRoot can only verify a numeric user.
    expect(instructions.filter((l) => l.startsWith('USER ')).at(-1)).toBe('USER 1000:1000');
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

  /** Every .ts file under dir (node_modules aside). */
  const tsFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.name === 'node_modules' ? [] : e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );

  it('builds from the context it is given: what `npm run build` compiles there imports nothing .dockerignore leaves out', () => {
    // Top-level entries of .dockerignore (the patterns here are plain names, plus **/*.spec.ts).
    const ignored = new Set(
      read('.dockerignore')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#') && !l.includes('*')),
    );
    const inContext = (path: string) => !ignored.has(path.split('/')[0]) && !path.endsWith('.spec.ts');
    const build = JSON.parse(read('tsconfig.build.json')) as { include: string[] };
    const roots = build.include.map((glob) => glob.split('/')[0]).filter(inContext);
    const files = roots.flatMap((dir) => tsFiles(join(ROOT, dir))).filter((f) => inContext(relative(ROOT, f)));
    expect(files.length).toBeGreaterThan(100);
    const outside = files.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from '(\.\.?\/[^']+)'/g)]
        .map((m) => relative(ROOT, resolve(dirname(file), m[1])))
        .filter((target) => !inContext(target))
        .map((target) => `${relative(ROOT, file)} imports ${target}`),
    );
    expect(outside).toEqual([]);
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

  it('carries no migration version above the pinned Kibana, which would refuse such an object', () => {
    const pinned = /:\$\{ELASTIC_VERSION:-([0-9.]+)\}$/.exec(loadCompose().services.kibana.image as string)![1];
    const num = (v: string) => v.split('.').map(Number);
    const above = (v: string) => {
      const [a, b] = [num(v), num(pinned)];
      const i = a.findIndex((part, k) => part !== b[k]);
      return i >= 0 && a[i] > b[i];
    };
    const versions = objects.flatMap((o) => (['coreMigrationVersion', 'typeMigrationVersion'] as const).map((key) => ({ id: o.id, key, version: o[key] as string })));
    expect(versions.filter((v) => v.version === undefined)).toEqual([]);
    expect(versions.filter((v) => above(v.version))).toEqual([]);
    expect(above('9.6.0') && above('10.0.0') && !above(pinned) && !above('8.9.0')).toBe(true);
  });

  it('aggregates and sorts only on fields our templates map as aggregatable', () => {
    // Kibana aggregates on doc values: keyword, numbers, dates and booleans, unless switched off.
    const AGGREGATABLE = ['keyword', 'integer', 'long', 'float', 'double', 'date', 'boolean'];
    const mappings = Object.fromEntries(indexTemplates('mlops').map((t) => [t.name, t.template.mappings.properties as Doc]));
    const docValues = (view: string, field: string): boolean => {
      let def: Doc | undefined = { properties: mappings[view] };
      for (const part of field.split('.')) def = def?.properties?.[part] ?? def?.fields?.[part];
      return def?.doc_values !== false && def?.index !== false;
    };
    const used = [
      ...ofType('lens').flatMap((lens) =>
        Object.entries(lens.attributes.state.datasourceStates.formBased.layers as Record<string, Doc>).flatMap(([layerId, layer]) => {
          const view = lens.references.find((r: Doc) => r.name === `indexpattern-datasource-layer-${layerId}`).id as string;
          return (Object.values(layer.columns) as Doc[]).filter((c) => c.sourceField !== '___records___').map((c) => ({ view, field: c.sourceField as string }));
        }),
      ),
      ...ofType('search').flatMap((search) => (search.attributes.sort as string[][]).map(([field]) => ({ view: search.references[0].id as string, field }))),
    ];
    expect(used.length).toBeGreaterThan(10);
    for (const { view, field } of used) {
      const type = FIELDS[view]?.[field];
      expect({ view, field, type, aggregatable: AGGREGATABLE.includes(type) && docValues(view, field) }).toEqual({ view, field, type, aggregatable: true });
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

  it('saves the low-confidence search on the predictions data view, for any model', () => {
    const search = objects.find((o) => o.type === 'search' && o.attributes.title === 'Low-confidence predictions');
    expect(search).toBeDefined();
    expect(search!.attributes.columns).toEqual(['model', 'model_version', 'prediction', 'probability', 'request_id']);
    const source = JSON.parse(search!.attributes.kibanaSavedObjectMeta.searchSourceJSON);
    // `probability` is a field of every model's rows (not one of the default model's own, like input.* or probabilities.*).
    expect(source.query).toEqual({ query: 'probability < 0.6', language: 'kuery' });
    expect(source.filter).toEqual([]);
    expect(search!.references).toEqual([{ id: 'mlops-predictions', name: source.indexRefName, type: 'index-pattern' }]);
  });

  it('saves the search "Predictions of a model": every row of the predictions data view, model first', () => {
    const search = objects.find((o) => o.type === 'search' && o.attributes.title === 'Predictions of a model');
    expect(search).toBeDefined();
    expect(search!.attributes.columns).toEqual(['model', 'model_version', 'prediction', 'probability', 'request_id']);
    expect(search!.attributes.sort).toEqual([['@timestamp', 'desc']]);
    const source = JSON.parse(search!.attributes.kibanaSavedObjectMeta.searchSourceJSON);
    expect(source.query).toEqual({ query: '', language: 'kuery' });
    expect(search!.references).toEqual([{ id: 'mlops-predictions', name: source.indexRefName, type: 'index-pattern' }]);
  });

  it('shows model and model_version as the first columns of every saved search', () => {
    const searches = ofType('search');
    expect(searches.length).toBeGreaterThanOrEqual(3);
    for (const search of searches) {
      expect({ search: search.id, first: (search.attributes.columns as string[]).slice(0, 2) }).toEqual({ search: search.id, first: ['model', 'model_version'] });
      expect(FIELDS[search.references[0].id].model).toBe('keyword');
    }
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

  /** The columns of a Lens layer with its data view, per layer. */
  const lensLayers = (lens: Doc) =>
    Object.entries(lens.attributes.state.datasourceStates.formBased.layers as Record<string, Doc>).map(([layerId, layer]) => ({
      layerId,
      layer,
      view: lens.references.find((r: Doc) => r.name === `indexpattern-datasource-layer-${layerId}`)?.id as string,
    }));

  it('charts scored rows over time split by model in the Lens "Predictions by model"', () => {
    const lens = objects.find((o) => o.type === 'lens' && o.attributes.title === 'Predictions by model');
    expect(lens).toBeDefined();
    expect(lens!.references.map((r: Doc) => [r.type, r.id])).toEqual([['index-pattern', 'mlops-predictions']]);
    const layers = lensLayers(lens!);
    expect(layers.map((l) => l.view)).toEqual(['mlops-predictions']);
    const [{ layerId, layer }] = layers;
    const columns = Object.entries(layer.columns as Record<string, Doc>);
    expect(columns.map(([, c]) => `${c.operationType}:${c.sourceField}`).sort()).toEqual(['count:___records___', 'date_histogram:@timestamp', 'terms:model']);
    const columnOf = (field: string) => columns.find(([, c]) => c.sourceField === field)![0];
    expect(FIELDS['mlops-predictions'].model).toBe('keyword');
    expect(lens!.attributes.state.visualization.layers).toEqual([
      expect.objectContaining({ layerId, xAccessor: columnOf('@timestamp'), splitAccessor: columnOf('model'), accessors: [columnOf('___records___')] }),
    ]);
  });

  it('mixes classes per model, so the class mix works for any model', () => {
    const mix = objects.find((o) => o.id === 'mlops-lens-class-mix')!;
    const [{ layer, view }] = lensLayers(mix);
    expect(view).toBe('mlops-predictions');
    const groups: string[] = mix.attributes.state.visualization.layers[0].primaryGroups;
    expect(groups.map((id) => layer.columns[id].sourceField)).toEqual(['model', 'prediction']);
  });

  it("labels as the default model's every panel that only the default model feeds or that charts its own fields", () => {
    // Named models feed no statistics, drift, live accuracy, shadow or feedback indices (docs/monitoring.md), and the
    // default model's features and classes are fields of their own (input.<feature>, probabilities.<class>, drift.<feature>.psi).
    const DEFAULT_MODEL_VIEWS = ['mlops-stats', 'mlops-drift', 'mlops-live', 'mlops-shadow', 'mlops-feedback'];
    const predictions = indexTemplates('mlops').find((t) => t.name === 'mlops-predictions')!.template.mappings.properties as Doc;
    const ownNames = new Set<string>([...FEATURE_NAMES, ...Object.keys(predictions.probabilities.properties as Doc)]);
    expect(ownNames.size).toBeGreaterThan(FEATURE_NAMES.length);
    const ownField = (field: string) => field.split('.').some((part) => ownNames.has(part));
    const uses = [
      ...ofType('lens').map((lens) => ({
        object: lens,
        views: lensLayers(lens).map((l) => l.view),
        fields: lensLayers(lens).flatMap((l) => (Object.values(l.layer.columns) as Doc[]).map((c) => c.sourceField as string)),
      })),
      ...ofType('search').map((search) => ({
        object: search,
        views: [search.references[0].id as string],
        fields: [...(search.attributes.columns as string[]), ...(search.attributes.sort as string[][]).map(([f]) => f)],
      })),
    ];
    const labelled = uses.map(({ object, views, fields }) => ({
      id: object.id,
      defaultModelOnly: views.some((v) => DEFAULT_MODEL_VIEWS.includes(v)) || fields.some(ownField),
      labelled: /default model/.test(object.attributes.title),
    }));
    expect(labelled.filter((l) => l.defaultModelOnly).map((l) => l.id)).toEqual(
      expect.arrayContaining(['mlops-lens-feature-drift-psi', 'mlops-lens-live-accuracy', 'mlops-drift-events']),
    );
    for (const l of labelled) expect(l).toEqual({ ...l, labelled: l.defaultModelOnly });
  });

  it('filters the dashboard by model with an options list control on the predictions data view', () => {
    const [dashboard] = ofType('dashboard');
    const group: Doc = dashboard.attributes.controlGroupInput;
    // The stored control group of a dashboard saved object (Kibana's dashboard mappings and schema v1/v2:
    // panelsJSON keyed by control id, explicitInput in the camelCase stored form, which Kibana 9 still reads).
    expect(Object.keys(group).sort()).toEqual(['chainingSystem', 'controlStyle', 'ignoreParentSettingsJSON', 'panelsJSON', 'showApplySelections']);
    expect(JSON.parse(group.ignoreParentSettingsJSON)).toEqual({ ignoreFilters: false, ignoreQuery: false, ignoreTimerange: false, ignoreValidations: false });
    const controls = Object.entries(JSON.parse(group.panelsJSON) as Record<string, Doc>);
    const onModel = controls.filter(([, c]) => c.type === 'optionsListControl' && c.explicitInput?.fieldName === 'model');
    expect(onModel).toHaveLength(1);
    const [[controlId, control]] = onModel;
    expect(control).toMatchObject({ order: 0, width: 'medium', explicitInput: { title: 'Model', selectedOptions: [], useGlobalFilters: true } });
    // Only the keys of the stored options list schema (controls-schemas stored_options_list_schema.ts); the data view
    // is no key of its own but a reference, as Kibana extracts it.
    const STORED_OPTIONS_LIST_KEYS = [
      'title', 'description', 'fieldName', 'useGlobalFilters', 'ignoreValidations', 'dataViewRefName', 'displaySettings',
      'searchTechnique', 'sort', 'existsSelected', 'runPastTimeout', 'singleSelect', 'exclude', 'selectedOptions',
    ];
    expect(Object.keys(control.explicitInput).filter((key) => !STORED_OPTIONS_LIST_KEYS.includes(key))).toEqual([]);
    expect(['prefix', 'wildcard', 'exact']).toContain(control.explicitInput.searchTechnique);
    expect(dashboard.references.filter((r: Doc) => r.name.startsWith(`controlGroup_${controlId}:`))).toEqual([
      { id: 'mlops-predictions', name: `controlGroup_${controlId}:optionsListDataView`, type: 'index-pattern' },
    ]);
    expect(FIELDS['mlops-predictions'].model).toBe('keyword');
    // The control's filter reaches every panel: each panel's data view maps `model`, so it narrows rather than errs.
    const views = dashboard.references
      .filter((r: Doc) => !r.name.startsWith('controlGroup_'))
      .flatMap((r: Doc) => byId.get(`${r.type}/${r.id}`)!.references.filter((ref: Doc) => ref.type === 'index-pattern').map((ref: Doc) => ref.id as string));
    expect(views.length).toBeGreaterThan(5);
    for (const view of new Set<string>(views)) expect({ view, model: FIELDS[view]?.model }).toEqual({ view, model: 'keyword' });
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
        'mlops-lens-predictions-by-model',
        'mlops-lens-scoring-latency',
        'mlops-lens-class-mix',
        'mlops-lens-feature-drift-psi',
        'mlops-drift-events',
        'mlops-model-predictions',
      ]),
    );
    // Every Lens visualization and saved search of the file is on the dashboard, once.
    expect(targets.map((t) => `${t.type}/${t.id}`).sort()).toEqual([...ofType('lens'), ...ofType('search')].map((o) => `${o.type}/${o.id}`).sort());
    const driftTable = targets.find((t) => t.id === 'mlops-drift-events')!;
    expect(driftTable.type).toBe('search');
    expect(driftTable.references[0].id).toBe('mlops-drift');
    // Panels stay inside the 48 columns and never overlap.
    const grid = panels.map((p) => p.gridData as { i: string; x: number; y: number; w: number; h: number });
    expect(grid.filter((g) => g.x < 0 || g.x + g.w > 48).map((g) => g.i)).toEqual([]);
    const overlapping = grid.flatMap((a, k) =>
      grid.slice(k + 1).filter((b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h).map((b) => `${a.i}/${b.i}`),
    );
    expect(overlapping).toEqual([]);
  });
});

/**
 * A stand-in curl on PATH: records per call its arguments, its config (-K: stdin or a file such as
 * /dev/fd/3) and, when the config is not on stdin, its stdin (a form's `@-` file); answers from
 * `answer`, a shell snippet that sees the call number as $n.
 */
function fakeCurl(dir: string, answer: string): { calls: () => Array<{ args: string[]; config: string; stdin: string }> } {
  writeExecutable(
    join(dir, 'curl'),
    `#!/bin/sh
n=$(( $(ls "${dir}"/call.*.args 2>/dev/null | wc -l) + 1 ))
for a in "$@"; do printf '%s\\n' "$a"; done > "${dir}/call.$n.args"
config=-; prev=
for a in "$@"; do [ "$prev" = -K ] && config="$a"; prev="$a"; done
if [ "$config" = - ]; then cat > "${dir}/call.$n.config"; : > "${dir}/call.$n.stdin"; else cat "$config" > "${dir}/call.$n.config"; cat > "${dir}/call.$n.stdin"; fi
${answer}
`,
  );
  return {
    calls: () => {
      const calls = [];
      for (let n = 1; existsSync(join(dir, `call.${n}.args`)); n++) {
        const file = (ext: string) => readFileSync(join(dir, `call.${n}.${ext}`), 'utf8');
        calls.push({ args: file('args').trimEnd().split('\n'), config: file('config'), stdin: file('stdin') });
      }
      return calls;
    },
  };
}

function runScript(script: string, env: Record<string, string>): { status: number; stdout: string; stderr: string } {
  const run = spawnSync('sh', [join(ROOT, script)], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

describe('deploy/kibana/import-saved-objects.sh', () => {
  const ndjson = join(ROOT, 'deploy/kibana/saved-objects.ndjson');
  const objectCount = read('deploy/kibana/saved-objects.ndjson').trim().split('\n').length;

  /** Runs the import against a fake curl that answers each call with the next of `answers` ([HTTP status, body]), the last one repeating. */
  function runImport(answers: Array<[number, string]>, extraEnv: Record<string, string> = {}) {
    const dir = tempDir();
    try {
      const cases = answers.map(([code, body], i) => `${i === answers.length - 1 ? '*' : i + 1}) printf '%s\\n%s' '${body}' ${code} ;;`).join('\n');
      const curl = fakeCurl(dir, `case $n in\n${cases}\nesac`);
      const result = runScript('deploy/kibana/import-saved-objects.sh', {
        PATH: `${dir}:${process.env.PATH}`,
        KIBANA_URL: 'http://kibana:5601',
        SAVED_OBJECTS_FILE: ndjson,
        IMPORT_ATTEMPTS: '1',
        IMPORT_RETRY_SECONDS: '0',
        ...extraEnv,
      });
      return { ...result, calls: curl.calls() };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('posts the NDJSON to the import API with overwrite, the kbn-xsrf header and bounded connect and total times', () => {
    const { status, stdout, calls } = runImport([[200, '{"success":true,"successCount":16}']]);
    expect(status).toBe(0);
    expect(stdout).toBe(`kibana-init: imported ${objectCount} saved objects for the indices mlops-* from ${ndjson}\n`);
    expect(calls).toHaveLength(1);
    expect(calls[0].args).toEqual([
      '-K',
      '/dev/fd/3',
      '-sS',
      '--connect-timeout',
      '10',
      '--max-time',
      '120',
      '-w',
      '\\n%{http_code}',
      '-X',
      'POST',
      'http://kibana:5601/api/saved_objects/_import?overwrite=true',
      '-H',
      'kbn-xsrf: true',
      '--form',
      'file=@-;filename=saved-objects.ndjson',
    ]);
    expect(calls[0].config).toBe('');
    // With the default prefix the objects go as they are written.
    expect(calls[0].stdin).toBe(read('deploy/kibana/saved-objects.ndjson'));
  });

  it('names every data view, its index pattern and the objects charting it after INDEX_PREFIX, references intact', () => {
    const { status, stdout, calls } = runImport([[200, '{"success":true}']], { INDEX_PREFIX: 'acme.ml' });
    expect(status).toBe(0);
    expect(stdout).toContain('for the indices acme.ml-* from');
    const objects = calls[0].stdin.trim().split('\n').map((l) => JSON.parse(l) as Doc);
    expect(objects).toHaveLength(objectCount);
    expect(calls[0].stdin).not.toContain('"mlops-');
    const views = objects.filter((o) => o.type === 'index-pattern').map((o) => `${o.id} ${o.attributes.title}`);
    expect(views.sort()).toEqual(INDEX_KINDS.map((kind) => `acme.ml-${kind} ${indexPattern('acme.ml', kind)}`).sort());
    const ids = new Set(objects.map((o) => `${o.type}/${o.id}`));
    const dangling = objects.flatMap((o) => (o.references as Doc[]).filter((r) => !ids.has(`${r.type}/${r.id}`)).map((r) => `${o.id} -> ${r.id}`));
    expect(dangling).toEqual([]);
  });

  it('refuses a prefix that is not an index name part, before calling Kibana', () => {
    const { status, stderr, calls } = runImport([[200, '{"success":true}']], { INDEX_PREFIX: 'Acme/x' });
    expect(status).toBe(1);
    expect(stderr).toBe("kibana-init: INDEX_PREFIX must be lower-case letters, digits, '.', '_' or '-', not starting with a symbol; got 'Acme/x'\n");
    expect(calls).toEqual([]);
  });

  it('authenticates through curl config on descriptor 3, never with the password on the command line, and trusts KIBANA_CA_FILE', () => {
    const { status, calls } = runImport([[200, '{"success":true}']], { KIBANA_USERNAME: 'elastic', KIBANA_PASSWORD: 's3cr"et\\x', KIBANA_CA_FILE: '/certs/ca.crt' });
    expect(status).toBe(0);
    expect(calls[0].config).toBe('user = "elastic:s3cr\\"et\\\\x"\n');
    expect(calls[0].args.slice(-2)).toEqual(['--cacert', '/certs/ca.crt']);
    expect(calls[0].args.join(' ')).not.toContain('s3cr');
  });

  it('fails at once, with Kibana\'s answer, when objects were refused (missing_references), although attempts remain', () => {
    const refused = '{"success":false,"successCount":0,"errors":[{"id":"x","type":"lens","error":{"type":"missing_references"}}]}';
    const { status, stderr, calls } = runImport([[200, refused]], { IMPORT_ATTEMPTS: '30' });
    expect(status).toBe(1);
    expect(stderr).toBe(`kibana-init: Kibana refused the objects (not retried): ${refused}\n`);
    expect(calls).toHaveLength(1);
  });

  it('fails at once on a client error such as a wrong password', () => {
    const { status, stderr, calls } = runImport([[401, '{"statusCode":401,"error":"Unauthorized"}']], { IMPORT_ATTEMPTS: '30' });
    expect(status).toBe(1);
    expect(stderr).toBe('kibana-init: HTTP 401 (not retried): {"statusCode":401,"error":"Unauthorized"}\n');
    expect(calls).toHaveLength(1);
  });

  it('retries while Kibana is unreachable or not ready, then imports', () => {
    const { status, stderr, calls } = runImport(
      [
        [0, ''],
        [503, '{"statusCode":503,"message":"Kibana server is not ready yet"}'],
        [200, '{"success":true}'],
      ],
      { IMPORT_ATTEMPTS: '5' },
    );
    expect(status).toBe(0);
    expect(stderr).toBe(
      'kibana-init: attempt 1/5 failed: HTTP 0 no response\n' +
        'kibana-init: attempt 2/5 failed: HTTP 503 {"statusCode":503,"message":"Kibana server is not ready yet"}\n',
    );
    expect(calls).toHaveLength(3);
  });

  it('gives up after IMPORT_ATTEMPTS retryable failures', () => {
    const { status, stderr, calls } = runImport([[503, 'not ready']], { IMPORT_ATTEMPTS: '2' });
    expect(status).toBe(1);
    expect(stderr).toBe('kibana-init: attempt 1/2 failed: HTTP 503 not ready\nkibana-init: attempt 2/2 failed: HTTP 503 not ready\n');
    expect(calls).toHaveLength(2);
  });
});

describe('deploy/elasticsearch/setup-security.sh', () => {
  const script = 'deploy/elasticsearch/setup-security.sh';
  const env = { ES_URL: 'http://elasticsearch:9200', ELASTIC_PASSWORD: 'sup3r', APP_USERNAME: 'iris', APP_PASSWORD: 'app"pw', INDEX_PREFIX: 'mlops' };

  // Elasticsearch stand-in: _authenticate answers per `tokenValid`, token creation returns a token, the rest {}.
  function runSetup(tokenValid: boolean, existingToken?: string) {
    const dir = tempDir();
    try {
      const tokenFile = join(dir, 'token', 'kibana');
      if (existingToken !== undefined) {
        execFileSync('mkdir', ['-p', join(dir, 'token')]);
        writeFileSync(tokenFile, existingToken);
      }
      const curl = fakeCurl(
        dir,
        `case "$*" in
  *_authenticate*) ${tokenValid ? 'exit 0' : 'exit 22'} ;;
  *"POST http://elasticsearch:9200/_security/service/elastic/kibana/credential/token/compose"*)
    printf '{"created":true,"token":{"name":"compose","value":"AAEAAWVsYXN0aWMva2liYW5hL2NvbXBvc2U6c2VjcmV0"}}' ;;
  *) for a in "$@"; do case "$a" in @*) cat "\${a#@}" > "${dir}/body.$n" ;; esac; done; printf '{}' ;;
esac`,
      );
      const result = runScript(script, { PATH: `${dir}:${process.env.PATH}`, ...env, KIBANA_TOKEN_FILE: tokenFile });
      const bodies: Record<number, unknown> = {};
      for (let n = 1; n < 10; n++) if (existsSync(join(dir, `body.${n}`))) bodies[n] = JSON.parse(readFileSync(join(dir, `body.${n}`), 'utf8'));
      const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8') : undefined;
      return { ...result, calls: curl.calls(), bodies, token };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const target = (call: { args: string[] }) => {
    const x = call.args.indexOf('-X');
    return x >= 0 ? `${call.args[x + 1]} ${call.args[x + 2]}` : `GET ${call.args.find((a) => a.startsWith('http'))}`;
  };

  it('creates the services role on the index prefix, their user, and a Kibana service token', () => {
    const { status, calls, bodies, token } = runSetup(false);
    expect(status).toBe(0);
    expect(calls.map(target)).toEqual([
      'PUT http://elasticsearch:9200/_security/role/iris_platform',
      'PUT http://elasticsearch:9200/_security/user/iris',
      'DELETE http://elasticsearch:9200/_security/service/elastic/kibana/credential/token/compose',
      'POST http://elasticsearch:9200/_security/service/elastic/kibana/credential/token/compose',
    ]);
    expect(bodies[1]).toEqual({
      cluster: ['manage_index_templates', 'monitor'],
      indices: [{ names: ['mlops-*'], privileges: ['create_index', 'auto_configure', 'write', 'read', 'view_index_metadata'] }],
    });
    expect(bodies[2]).toEqual({ password: 'app"pw', roles: ['iris_platform'] });
    expect(token).toBe('AAEAAWVsYXN0aWMva2liYW5hL2NvbXBvc2U6c2VjcmV0');
  });

  it('sends the elastic password as curl config on stdin and no password in any argument', () => {
    const { calls } = runSetup(false);
    for (const call of calls) {
      expect(call.config).toBe('user = "elastic:sup3r"\n');
      expect(call.args.join(' ')).not.toMatch(/sup3r|app"pw/);
    }
  });

  it('keeps a Kibana token that still authenticates, so a running Kibana keeps its credential', () => {
    const { status, calls, token, stdout } = runSetup(true, 'EXISTING-TOKEN');
    expect(status).toBe(0);
    expect(calls.map(target)).toEqual([
      'PUT http://elasticsearch:9200/_security/role/iris_platform',
      'PUT http://elasticsearch:9200/_security/user/iris',
      'GET http://elasticsearch:9200/_security/_authenticate',
    ]);
    expect(calls[2].config).toBe('header = "Authorization: Bearer EXISTING-TOKEN"\n');
    expect(token).toBe('EXISTING-TOKEN');
    expect(stdout).toContain('still authenticates; kept');
  });

  it('refuses to run without the passwords', () => {
    const { status, stderr } = runScript(script, { ...env, ELASTIC_PASSWORD: '' });
    // The shell's own parameter check: dash exits 2, bash and busybox 1.
    expect([1, 2]).toContain(status);
    expect(stderr).toContain('ELASTIC_PASSWORD is not set (see .env.example)');
  });
});
