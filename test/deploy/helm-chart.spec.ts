// The Helm chart (deploy/helm/iris-platform), checked without a cluster: `helm lint` and
// `helm template` of each example values file with the pinned Helm, every rendered object
// against its schema, and what the objects must say: probes on the routes the services serve,
// topics as in the contracts, only variables the config schema knows, secrets only in Secrets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ALL_TOPICS, TOPICS, TOPIC_SPECS } from '@app/contracts';
import { HealthController } from '@app/observability';
import { CHART_DIR, CONTRACTS_FILE, CHART_README, documentedValues, renderContracts, withValuesTable } from '../../scripts/helm/chart-files';
import { CONFIG_VARS, isConfigVar } from './support/env-schema';
import { CHART, HELM, ROOT, helm, named, ofKind, render, renderResult, strimziValidators, validateWithModels, type K8sObject } from './support/helm';
import { NODE_FLAGS } from '../../scripts/lib/node-flags';

const SMALL = join(ROOT, 'deploy/helm/values/small.yaml');
const PRODUCTION = join(ROOT, 'deploy/helm/values/production.yaml');
const EXAMPLES = { small: SMALL, production: PRODUCTION };
const APPS = ['gateway', 'inference-worker', 'trainer', 'monitor'] as const;
const SECRET_VARS = [
  'API_KEYS',
  'ADMIN_API_KEYS',
  'KAFKA_SASL_PASSWORD',
  'ELASTICSEARCH_PASSWORD',
  'ELASTICSEARCH_API_KEY',
  'MLFLOW_TRACKING_TOKEN',
  'MLFLOW_TRACKING_PASSWORD',
];
// ECK ships its CRDs only as release downloads and in its own Helm repository, neither reachable
// from this project's machines (no registry package carries them): these two kinds are the
// only ones rendered without a schema, and their fields are asserted below instead.
const NO_SCHEMA = ['elasticsearch.k8s.elastic.co/v1 Elasticsearch', 'kibana.k8s.elastic.co/v1 Kibana'];

const fullname = (app: string) => `iris-iris-platform-${app}`;
const container = (deployment: K8sObject) => deployment.spec.template.spec.containers[0];
const typeOf = (o: K8sObject) => `${o.apiVersion} ${o.kind}`;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The port each app listens on by default, from its main.ts. */
function defaultPort(app: string): number {
  const match = /defaultPort: (\d+)/.exec(read(`apps/${app}/src/main.ts`));
  if (!match) throw new Error(`apps/${app}/src/main.ts has no defaultPort`);
  return Number(match[1]);
}

/** GET routes the HealthController serves, read from the metadata Nest routes by. */
function healthRoutes(): string[] {
  const proto = HealthController.prototype as unknown as Record<string, object>;
  return Object.getOwnPropertyNames(proto)
    .filter((m) => m !== 'constructor' && Reflect.getMetadata(METHOD_METADATA, proto[m]) === RequestMethod.GET)
    .map((m) => `/${Reflect.getMetadata(PATH_METADATA, proto[m])}`);
}

/** Names of the variables a container receives: env, plus every key of the ConfigMaps and chart Secrets it loads whole. */
function envNames(objects: K8sObject[], c: K8sObject): string[] {
  const names: string[] = (c.env ?? []).map((e: K8sObject) => e.name);
  for (const source of c.envFrom ?? []) {
    if (source.configMapRef) names.push(...Object.keys(named(objects, 'ConfigMap', source.configMapRef.name).data));
    if (source.secretRef) {
      const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === source.secretRef.name);
      if (secret) names.push(...Object.keys(secret.stringData ?? {}));
    }
  }
  return names;
}

describe('the pinned Helm', () => {
  it('is the version scripts/tools/install-helm.sh pins', () => {
    const pinned = /HELM_VERSION="\$\{HELM_VERSION:-(v[\d.]+)\}"/.exec(read('scripts/tools/install-helm.sh'))![1];
    expect(helm(['version', '--template', '{{.Version}}']).stdout).toBe(pinned);
    expect(HELM).toBe(join(ROOT, '.tools/bin/helm'));
  });
});

describe.each(Object.entries(EXAMPLES))('deploy/helm/values/%s.yaml', (_env, valuesFile) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render([valuesFile]);
  });

  it('passes helm lint --strict', () => {
    const lint = helm(['lint', CHART, '--strict', '--values', valuesFile]);
    expect({ status: lint.status, stderr: lint.stderr }).toEqual({ status: 0, stderr: '' });
    expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders on the oldest Kubernetes the chart declares (1.30) as on the newest', () => {
    const oldest = render([valuesFile], {}, ['--kube-version', '1.30.0']);
    expect(oldest.map(typeOf)).toEqual(objects.map(typeOf));
    expect(renderResult([valuesFile], {}, ['--kube-version', '1.29.9']).stderr).toContain(
      'chart requires kubeVersion: >=1.30.0-0 which is incompatible with Kubernetes v1.29.9',
    );
  });

  it('renders only objects that pass their schema: Kubernetes, KEDA and Prometheus-operator models, Strimzi CRDs', () => {
    const modelChecks = validateWithModels(objects);
    const strimzi = strimziValidators();
    const verdicts = objects.map((o, i) => {
      const id = `${typeOf(o)}/${o.metadata.name}`;
      const model = modelChecks[i];
      if (model.validator) return { id, by: model.validator, errors: model.errors };
      const crd = strimzi.get(typeOf(o));
      if (crd) return { id, by: 'strimzi-crd', errors: crd(o) ? null : JSON.stringify(crd.errors) };
      return { id, by: NO_SCHEMA.includes(typeOf(o)) ? 'none (ECK)' : 'UNKNOWN KIND', errors: null };
    });
    expect(verdicts.filter((v) => v.errors !== null || v.by === 'UNKNOWN KIND')).toEqual([]);
    expect(verdicts.filter((v) => v.by === 'none (ECK)').map((v) => v.id.split('/').slice(0, -1).join('/'))).toEqual(
      objects.filter((o) => NO_SCHEMA.includes(typeOf(o))).map(typeOf),
    );
  });

  it('runs each service as one Deployment of the one image, with its own entry point and port', () => {
    const deployments = ofKind(objects, 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(APPS.map(fullname).sort());
    const images = new Set(deployments.map((d) => container(d).image));
    expect(images.size).toBe(1);
    for (const app of APPS) {
      const c = container(named(objects, 'Deployment', fullname(app)));
      expect(c.command).toEqual(['node', ...NODE_FLAGS[app], `dist/apps/${app}/src/main.js`]);
      const grpc = app === 'gateway' ? [{ name: 'grpc', containerPort: 8081, protocol: 'TCP' }] : [];
      expect(c.ports).toEqual([{ name: 'http', containerPort: defaultPort(app), protocol: 'TCP' }, ...grpc]);
      expect(c.env.filter((e: { name: string }) => e.name === 'GRPC_PORT')).toEqual(app === 'gateway' ? [{ name: 'GRPC_PORT', value: '8081' }] : []);
      expect(c.env).toContainEqual({ name: 'PORT', value: String(defaultPort(app)) });
    }
  });

  it('probes liveness on /health and readiness on /ready, routes the services really serve', () => {
    expect(healthRoutes()).toEqual(expect.arrayContaining(['/health', '/ready']));
    for (const app of APPS) {
      const c = container(named(objects, 'Deployment', fullname(app)));
      expect({ app, probe: c.livenessProbe.httpGet }).toEqual({ app, probe: { path: '/health', port: 'http' } });
      expect({ app, probe: c.startupProbe.httpGet }).toEqual({ app, probe: { path: '/health', port: 'http' } });
      expect({ app, probe: c.readinessProbe.httpGet }).toEqual({ app, probe: { path: '/ready', port: 'http' } });
    }
  });

  it('gives the shutdown its time: grace period = preStop sleep + SHUTDOWN_TIMEOUT_MS + margin', () => {
    const config = ofKind(objects, 'ConfigMap').find((c) => c.data?.SHUTDOWN_TIMEOUT_MS)!;
    const timeoutSeconds = Math.ceil(Number(config.data.SHUTDOWN_TIMEOUT_MS) / 1000);
    for (const app of APPS) {
      const pod = named(objects, 'Deployment', fullname(app)).spec.template.spec;
      const sleep = pod.containers[0].lifecycle.preStop.sleep.seconds;
      expect({ app, sleep, grace: pod.terminationGracePeriodSeconds }).toEqual({ app, sleep: 5, grace: 5 + timeoutSeconds + 5 });
    }
  });

  it('runs every service non-root on a read-only root filesystem, /tmp on an emptyDir', () => {
    const dockerUser = /^USER (\d+):(\d+)$/m.exec(read('Dockerfile'))!;
    for (const app of APPS) {
      const pod = named(objects, 'Deployment', fullname(app)).spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: Number(dockerUser[1]), runAsGroup: Number(dockerUser[2]) });
      expect(pod.automountServiceAccountToken).toBe(false);
      const c = pod.containers[0];
      expect(c.securityContext).toEqual({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
    }
  });

  // What the limits must be is test/deploy/chart-memory.spec.ts's: the bench's peaks and headroom.
  it('requests CPU and memory for every service and caps memory no lower than its request', () => {
    const mebibytes = (q: string) => Number(/^(\d+)Mi$/.exec(q)![1]);
    for (const app of APPS) {
      const { requests, limits } = container(named(objects, 'Deployment', fullname(app))).resources;
      expect({ app, cpu: /^\d+m$|^\d+$/.test(requests.cpu), memory: mebibytes(requests.memory) > 0 }).toEqual({ app, cpu: true, memory: true });
      expect({ app, limit: mebibytes(limits.memory) > 0, atLeastRequest: mebibytes(limits.memory) >= mebibytes(requests.memory) }).toEqual({
        app,
        limit: true,
        atLeastRequest: true,
      });
    }
  });

  it('sets only variables that ENV_SCHEMA in libs/config knows', () => {
    for (const app of APPS) {
      const c = container(named(objects, 'Deployment', fullname(app)));
      const unknown = envNames(objects, c).filter((n) => !isConfigVar(n));
      expect({ app, unknown }).toEqual({ app, unknown: [] });
    }
  });

  it('keeps every secret out of the ConfigMaps', () => {
    for (const config of ofKind(objects, 'ConfigMap')) {
      expect({ configMap: config.metadata.name, secrets: Object.keys(config.data).filter((k) => SECRET_VARS.includes(k)) }).toEqual({
        configMap: config.metadata.name,
        secrets: [],
      });
    }
  });

  it('gives every service a PodDisruptionBudget that never blocks a node drain', () => {
    for (const app of APPS) {
      const deployment = named(objects, 'Deployment', fullname(app));
      const pdb = named(objects, 'PodDisruptionBudget', fullname(app));
      expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
      const scaler = objects.find((o) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(o.kind) && o.spec.scaleTargetRef.name === fullname(app));
      const fewest = scaler ? (scaler.spec.minReplicas ?? scaler.spec.minReplicaCount) : deployment.spec.replicas;
      if ('minAvailable' in pdb.spec) expect({ app, drainable: pdb.spec.minAvailable < fewest }).toEqual({ app, drainable: true });
      else expect({ app, maxUnavailable: pdb.spec.maxUnavailable }).toEqual({ app, maxUnavailable: 1 });
    }
  });

  it('runs at most one trainer, never two even during a rollout: it is the registry\'s single writer', () => {
    const trainer = named(objects, 'Deployment', fullname('trainer'));
    expect(trainer.spec.replicas).toBe(1);
    expect(trainer.spec.strategy).toEqual({ type: 'Recreate' });
    const two = renderResult([valuesFile], { 'trainer.replicaCount': '2' });
    expect(two.status).toBe(1);
    expect(two.stderr).toContain("trainer.replicaCount (2) must be 0 or 1: the trainer is the registry's single writer");
  });

  it('leaves the replica count of an autoscaled Deployment to its autoscaler', () => {
    for (const scaler of objects.filter((o) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(o.kind))) {
      expect(named(objects, 'Deployment', scaler.spec.scaleTargetRef.name).spec).not.toHaveProperty('replicas');
    }
  });
});

describe('worker autoscaling (KEDA)', () => {
  const objects = render([PRODUCTION]);
  const scaled = named(objects, 'ScaledObject', fullname('inference-worker'));

  it("scales the workers on the lag of their consumer group on the prediction requests topic", () => {
    expect(scaled.spec.scaleTargetRef).toEqual({ name: fullname('inference-worker') });
    expect(scaled.spec.triggers).toHaveLength(1);
    const [trigger] = scaled.spec.triggers;
    expect(trigger.type).toBe('kafka');
    expect(trigger.metadata).toMatchObject({
      // The group the workers really share: 'inference-worker.<topic>' (before) named no group at all, so KEDA saw no lag.
      consumerGroup: 'inference-worker',
      topic: TOPICS.predictionBatchRequested,
      bootstrapServers: named(objects, 'ConfigMap', 'iris-iris-platform-config').data.KAFKA_BROKERS,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: 'false',
    });
  });

  it('never scales past the partition count of the topic', () => {
    expect(scaled.spec.maxReplicaCount).toBe(TOPIC_SPECS[TOPICS.predictionBatchRequested].partitions);
    const tooMany = renderResult([PRODUCTION], { 'inferenceWorker.autoscaling.maxReplicas': '7' });
    expect(tooMany.status).toBe(1);
    expect(tooMany.stderr).toContain(
      `inferenceWorker.autoscaling.maxReplicas (7) exceeds the 6 partitions of ${TOPICS.predictionBatchRequested}: the extra workers would sit idle in group inference-worker`,
    );
  });

  it("authenticates to Strimzi's TLS listener with the KafkaUser's SCRAM password and the cluster CA", () => {
    expect(scaled.spec.triggers[0].metadata).toMatchObject({ sasl: 'scram_sha512', tls: 'enable' });
    const auth = named(objects, 'TriggerAuthentication', scaled.spec.triggers[0].authenticationRef.name);
    expect(auth.spec).toEqual({
      configMapTargetRef: [{ parameter: 'username', name: 'iris-iris-platform-config', key: 'KAFKA_SASL_USERNAME' }],
      secretTargetRef: [
        { parameter: 'password', name: 'iris-platform', key: 'password' },
        { parameter: 'ca', name: 'iris-kafka-cluster-ca-cert', key: 'ca.crt' },
      ],
    });
  });

  it('scales gateways with a CPU HorizontalPodAutoscaler', () => {
    const hpa = named(objects, 'HorizontalPodAutoscaler', fullname('gateway'));
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: fullname('gateway') },
      minReplicas: 3,
      maxReplicas: 12,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } } }],
    });
  });
});

describe('Strimzi example (production values)', () => {
  const objects = render([PRODUCTION]);

  it('creates a KafkaTopic for every contract topic with its partitions and cleanup policy', () => {
    const topics = ofKind(objects, 'KafkaTopic');
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual([...ALL_TOPICS].sort());
    for (const t of topics) {
      const spec = TOPIC_SPECS[t.spec.topicName as keyof typeof TOPIC_SPECS];
      expect({ topic: t.spec.topicName, partitions: t.spec.partitions, policy: t.spec.config['cleanup.policy'], cluster: t.metadata.labels['strimzi.io/cluster'] }).toEqual({
        topic: t.spec.topicName,
        partitions: spec.partitions,
        policy: spec.compacted ? 'compact' : 'delete',
        cluster: 'iris-kafka',
      });
      expect({ topic: t.spec.topicName, retention: 'retention.ms' in t.spec.config }).toEqual({ topic: t.spec.topicName, retention: !spec.compacted });
    }
  });

  it('takes topics from files/topics.yaml, which is exactly what the contracts generate', () => {
    expect(read(CONTRACTS_FILE)).toBe(renderContracts());
  });

  it('points the services at the TLS listener as the SCRAM KafkaUser, whose Secret holds the password', () => {
    const kafka = named(objects, 'Kafka', 'iris-kafka');
    const [listener] = kafka.spec.kafka.listeners;
    expect(listener).toEqual({ name: 'tls', port: 9093, type: 'internal', tls: true, authentication: { type: 'scram-sha-512' } });
    expect(kafka.spec.kafka.config['auto.create.topics.enable']).toBe(false);
    const config = named(objects, 'ConfigMap', 'iris-iris-platform-config').data;
    expect(config).toMatchObject({
      KAFKA_BROKERS: 'iris-kafka-kafka-bootstrap:9093',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: named(objects, 'KafkaUser', 'iris-platform').metadata.name,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/etc/iris/kafka-ca/ca.crt',
    });
    for (const app of APPS) {
      const pod = named(objects, 'Deployment', fullname(app)).spec.template.spec;
      expect(pod.containers[0].env).toContainEqual({ name: 'KAFKA_SASL_PASSWORD', valueFrom: { secretKeyRef: { name: 'iris-platform', key: 'password' } } });
      expect(pod.volumes).toContainEqual({ name: 'kafka-ca', secret: { secretName: 'iris-kafka-cluster-ca-cert', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    }
  });

  it('the CRD check refuses a field Strimzi does not define and a wrongly typed one', () => {
    const validate = strimziValidators().get('kafka.strimzi.io/v1 KafkaTopic')!;
    const topic = structuredClone(ofKind(objects, 'KafkaTopic')[0]);
    expect(validate(topic)).toBe(true);
    topic.spec.partition = 6;
    topic.spec.replicas = 'three';
    expect(validate(topic)).toBe(false);
    expect(validate.errors!.map((e) => `${e.instancePath} ${e.message}`)).toEqual(
      expect.arrayContaining(['/spec must NOT have additional properties', '/spec/replicas must be integer']),
    );
  });
});

describe('ECK example (production values)', () => {
  const objects = render([PRODUCTION]);
  const es = named(objects, 'Elasticsearch', 'iris-es');

  it('lets the services in as a file-realm user whose role reaches only the monitoring indices', () => {
    expect(es.spec.version).toBe(named(objects, 'Kibana', 'iris-kb').spec.version);
    expect(named(objects, 'Kibana', 'iris-kb').spec.elasticsearchRef).toEqual({ name: 'iris-es' });
    expect(es.spec.auth).toEqual({ roles: [{ secretName: 'iris-iris-platform-es-roles' }], fileRealm: [{ secretName: 'iris-es-user' }] });
    const prefix = named(objects, 'ConfigMap', 'iris-iris-platform-config').data.ES_INDEX_PREFIX;
    const roles = named(objects, 'Secret', 'iris-iris-platform-es-roles').stringData['roles.yml'];
    expect(roles).toContain(`- names: ["${prefix}-*"]`);
    for (const app of APPS) {
      const env = container(named(objects, 'Deployment', fullname(app))).env;
      expect(env).toEqual(
        expect.arrayContaining([
          { name: 'ELASTICSEARCH_USERNAME', valueFrom: { secretKeyRef: { name: 'iris-es-user', key: 'username' } } },
          { name: 'ELASTICSEARCH_PASSWORD', valueFrom: { secretKeyRef: { name: 'iris-es-user', key: 'password' } } },
        ]),
      );
    }
  });

  it('runs the Elastic Stack version that docker-compose.yml runs', () => {
    const composeVersion = /elasticsearch:\$\{ELASTIC_VERSION:-([^}]+)\}/.exec(read('docker-compose.yml'))![1];
    expect(es.spec.version).toBe(composeVersion);
  });

  it("connects over HTTPS to ECK's service, trusting ECK's CA", () => {
    expect(named(objects, 'ConfigMap', 'iris-iris-platform-config').data).toMatchObject({
      ELASTICSEARCH_URL: 'https://iris-es-es-http:9200',
      ELASTICSEARCH_CA_FILE: '/etc/iris/elasticsearch-ca/ca.crt',
    });
    expect(es.spec.nodeSets).toHaveLength(1);
    expect(es.spec.nodeSets[0].count).toBe(3);
  });

  it('creates the user Secret from secrets.elasticsearchPassword when none is given', () => {
    const created = render([PRODUCTION], { 'eck.elasticsearch.userSecret': '', 'secrets.elasticsearchPassword': 'pw-for-eck' });
    expect(named(created, 'Secret', 'iris-iris-platform-es-user')).toMatchObject({
      type: 'kubernetes.io/basic-auth',
      stringData: { username: 'iris', password: 'pw-for-eck', roles: 'iris_platform' },
    });
    const missing = renderResult([PRODUCTION], { 'eck.elasticsearch.userSecret': '' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('secrets.elasticsearchPassword (or eck.elasticsearch.userSecret) is required with eck.enabled');
  });
});

describe('secrets and settings', () => {
  const sentinels = Object.fromEntries(SECRET_VARS.map((v) => [v, `SENTINEL-${v}-3f9c`]));
  const objects = render([SMALL], {
    'secrets.apiKeys': sentinels.API_KEYS,
    'secrets.adminApiKeys': sentinels.ADMIN_API_KEYS,
    'secrets.kafkaSaslPassword': sentinels.KAFKA_SASL_PASSWORD,
    'secrets.elasticsearchPassword': sentinels.ELASTICSEARCH_PASSWORD,
    'secrets.elasticsearchApiKey': sentinels.ELASTICSEARCH_API_KEY,
    'secrets.mlflowTrackingToken': sentinels.MLFLOW_TRACKING_TOKEN,
    'secrets.mlflowTrackingPassword': sentinels.MLFLOW_TRACKING_PASSWORD,
    'mlflow.trackingUri': 'https://mlflow.example.com',
    'mlflow.username': 'iris-trainer',
    'kafka.sasl.mechanism': 'scram-sha-256',
    'kafka.sasl.username': 'iris',
    'kafka.tls.enabled': 'true',
    'kafka.tls.caSecret': 'kafka-ca',
    'elasticsearch.caSecret': 'es-ca',
  });
  const text = (o: K8sObject) => JSON.stringify(o);

  it('puts every secret value in the Secret under its variable name, and in no ConfigMap', () => {
    expect(named(objects, 'Secret', 'iris-iris-platform-secrets').stringData).toEqual(sentinels);
    for (const config of ofKind(objects, 'ConfigMap')) {
      for (const value of Object.values(sentinels)) expect({ configMap: config.metadata.name, leaks: text(config).includes(value) }).toEqual({ configMap: config.metadata.name, leaks: false });
    }
    for (const d of ofKind(objects, 'Deployment')) for (const value of Object.values(sentinels)) expect(text(d)).not.toContain(value);
  });

  it('leaves a secret unset, not empty, when it has no value', () => {
    expect(named(render([SMALL]), 'Secret', 'iris-iris-platform-secrets').stringData).toEqual({});
  });

  it('sets only known variables even with every connection option on', () => {
    for (const app of APPS) {
      const unknown = envNames(objects, container(named(objects, 'Deployment', fullname(app)))).filter((n) => !isConfigVar(n));
      expect({ app, unknown }).toEqual({ app, unknown: [] });
    }
  });

  it('passes every configurable variable of ENV_SCHEMA through the chart', () => {
    // Per pod, by the chart itself: INSTANCE_ID (the pod name), PORT; the trainer's DATA_DIR; the gateway's GRPC_PORT. Derived by each gateway: REPLY_PARTITION.
    // Not set: KAFKA_TOPIC_PREFIX, since the chart's KafkaTopics and KEDA trigger name the topics and group without one.
    const config = named(objects, 'ConfigMap', 'iris-iris-platform-config').data;
    const covered = new Set([...Object.keys(config), ...SECRET_VARS, 'INSTANCE_ID', 'PORT', 'DATA_DIR', 'GRPC_PORT', 'REPLY_PARTITION', 'KAFKA_TOPIC_PREFIX']);
    expect(CONFIG_VARS.filter((v) => !covered.has(v))).toEqual([]);
    expect(config).toMatchObject({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'iris', KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/etc/iris/kafka-ca/ca.crt' });
    // Probes and Services reach a pod on its IP: the services' 127.0.0.1 default would answer nobody.
    expect(config).toMatchObject({ HOST: '0.0.0.0', GRPC_HOST: '0.0.0.0' });
  });

  it('points every service at an existing MLflow only when asked: server, experiment and user in the ConfigMap, credentials in the Secret', () => {
    const config = named(objects, 'ConfigMap', 'iris-iris-platform-config').data;
    expect(config).toMatchObject({
      MLFLOW_TRACKING_URI: 'https://mlflow.example.com',
      MLFLOW_EXPERIMENT_NAME: 'iris-platform',
      MLFLOW_TRACKING_USERNAME: 'iris-trainer',
      MLFLOW_REQUEST_TIMEOUT_MS: '10000',
      MLFLOW_RETRY_MAX_MS: '30000',
    });
    // Off by default; a credential without a server would stop every service (the config check), so none is rendered.
    const off = render([SMALL], { 'secrets.mlflowTrackingPassword': 'pw', 'mlflow.username': 'iris-trainer' });
    const offConfig = named(off, 'ConfigMap', 'iris-iris-platform-config').data;
    expect(Object.keys(offConfig).filter((k) => /^MLFLOW_(TRACKING|EXPERIMENT)/.test(k))).toEqual([]);
    expect(named(off, 'Secret', 'iris-iris-platform-secrets').stringData).toEqual({});
  });

  it('rolls the pods when a secret changes', () => {
    const checksum = (objs: K8sObject[]) => named(objs, 'Deployment', fullname('gateway')).spec.template.metadata.annotations['checksum/secret'];
    expect(checksum(render([SMALL], { 'secrets.apiKeys': 'a' }))).not.toBe(checksum(render([SMALL], { 'secrets.apiKeys': 'b' })));
  });

  it('refuses to render without a Kafka to connect to', () => {
    const result = renderResult([], { 'elasticsearch.url': 'http://es:9200' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('kafka.brokers is required unless strimzi.enabled');
  });

  it('derives the grace period from a shutdown timeout that is not a whole number of seconds', () => {
    const objs = render([SMALL], { 'shutdown.timeoutMs': '12500' });
    expect(named(objs, 'ConfigMap', 'iris-iris-platform-config').data.SHUTDOWN_TIMEOUT_MS).toBe('12500');
    expect(named(objs, 'Deployment', fullname('monitor')).spec.template.spec.terminationGracePeriodSeconds).toBe(5 + 13 + 5);
  });

  it('mounts the trainer data claim read-only at DATA_DIR', () => {
    const pod = named(render([PRODUCTION]), 'Deployment', fullname('trainer')).spec.template.spec;
    expect(pod.containers[0].env).toContainEqual({ name: 'DATA_DIR', value: '/data' });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/data', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'iris-training-data', readOnly: true } });
  });
});

describe('ServiceMonitor', () => {
  const objects = render([PRODUCTION]);

  it('scrapes /metrics on the http port of the four Services, with an API key when /metrics is protected', () => {
    const monitor = named(objects, 'ServiceMonitor', 'iris-iris-platform');
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(monitor.spec.endpoints).toEqual([
      {
        port: 'http',
        path: '/metrics',
        interval: '30s',
        scrapeTimeout: '10s',
        authorization: { type: 'Bearer', credentials: { name: 'iris-metrics-scraper', key: 'api-key' } },
      },
    ]);
    expect(healthRoutes()).toContain('/metrics');
    const selected = ofKind(objects, 'Service').filter((s) =>
      Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels[k] === v),
    );
    expect(selected.map((s) => s.metadata.name).sort()).toEqual(APPS.map(fullname).sort());
    for (const s of selected) {
      const grpc = s.metadata.name === fullname('gateway') ? [{ name: 'grpc', port: 8081, targetPort: 'grpc', protocol: 'TCP' }] : [];
      expect(s.spec.ports).toEqual([expect.objectContaining({ name: 'http', targetPort: 'http' }), ...grpc]);
    }
  });
});

describe('Grafana dashboard ConfigMap', () => {
  const DASHBOARD = 'iris-iris-platform-grafana-dashboard';

  it('carries deploy/grafana/iris-platform.json unchanged, labelled for the Grafana sidecar as kube-prometheus-stack expects', () => {
    const configMap = named(render([PRODUCTION]), 'ConfigMap', DASHBOARD);
    expect(configMap.data).toEqual({ 'iris-platform.json': read('deploy/grafana/iris-platform.json') });
    expect(configMap.metadata.labels).toMatchObject({ grafana_dashboard: '1', 'app.kubernetes.io/instance': 'iris' });
    expect(configMap.metadata.namespace).toBe('iris');
    expect(configMap.metadata.annotations).toEqual({ grafana_folder: 'Iris platform' });
  });

  it('takes the label, its value, the namespace and extra labels and annotations from values', () => {
    const configMap = named(
      render([SMALL], {
        'grafanaDashboard.enabled': 'true',
        'grafanaDashboard.label': 'dashboards.example.com/load',
        'grafanaDashboard.labelValue': 'yes',
        'grafanaDashboard.namespace': 'monitoring',
        'grafanaDashboard.labels.team': 'ml',
        'grafanaDashboard.annotations.k8s-sidecar-target-directory': '/tmp/dashboards/iris',
      }),
      'ConfigMap',
      DASHBOARD,
    );
    expect(configMap.metadata.namespace).toBe('monitoring');
    expect(configMap.metadata.labels).toMatchObject({ 'dashboards.example.com/load': 'yes', team: 'ml' });
    expect(configMap.metadata.labels).not.toHaveProperty('grafana_dashboard');
    expect(configMap.metadata.annotations).toEqual({ 'k8s-sidecar-target-directory': '/tmp/dashboards/iris' });
  });

  it('is left out unless enabled, like the ServiceMonitor', () => {
    const values = parse(read(`${CHART_DIR}/values.yaml`));
    expect([values.grafanaDashboard.enabled, values.serviceMonitor.enabled]).toEqual([false, false]);
    expect(render([SMALL]).filter((o) => o.metadata.name === DASHBOARD)).toEqual([]);
  });
});

describe('PrometheusRule', () => {
  it('is deploy/grafana/alerts.rules.yml, with the labels the Prometheus selects rules by', () => {
    const rule = named(render([PRODUCTION]), 'PrometheusRule', 'iris-iris-platform');
    expect(rule.spec).toEqual(parse(read('deploy/grafana/alerts.rules.yml')));
    expect(rule.spec.groups[0].rules.map((r: K8sObject) => r.alert)).toContain('IrisModelRolledBack');
    // Grafana-style {{ $labels.x }} in the annotations reach Prometheus as written, not expanded by Helm.
    expect(JSON.stringify(rule.spec)).toContain('{{ $labels.job }}');
    expect(rule.metadata.labels.release).toBe('kube-prometheus-stack');
  });

  it('is left out unless enabled, like the ServiceMonitor', () => {
    const values = parse(read(`${CHART_DIR}/values.yaml`));
    expect(values.prometheusRule.enabled).toBe(false);
    expect(ofKind(render([SMALL]), 'PrometheusRule')).toEqual([]);
  });
});

describe('Kibana saved objects Job', () => {
  const objects = render([PRODUCTION]);

  it('imports deploy/kibana/saved-objects.ndjson with deploy/kibana/import-saved-objects.sh, unchanged', () => {
    const files = named(objects, 'ConfigMap', 'iris-iris-platform-kibana-saved-objects').data;
    expect(files['saved-objects.ndjson']).toBe(read('deploy/kibana/saved-objects.ndjson'));
    expect(files['import-saved-objects.sh']).toBe(read('deploy/kibana/import-saved-objects.sh'));
  });

  it("logs in to ECK's Kibana over HTTPS as elastic, a new Job per release revision", () => {
    const job = named(objects, 'Job', 'iris-iris-platform-kibana-import-1');
    const pod = job.spec.template.spec;
    expect(pod.containers[0].command).toEqual(['/bin/sh', '/kibana/import-saved-objects.sh']);
    expect(pod.containers[0].env).toEqual([
      { name: 'KIBANA_URL', value: 'https://iris-kb-kb-http:5601' },
      { name: 'SAVED_OBJECTS_FILE', value: '/kibana/saved-objects.ndjson' },
      { name: 'IMPORT_ATTEMPTS', value: '60' },
      { name: 'INDEX_PREFIX', value: 'mlops' },
      { name: 'KIBANA_CA_FILE', value: '/kibana-ca/ca.crt' },
      { name: 'KIBANA_USERNAME', value: 'elastic' },
      { name: 'KIBANA_PASSWORD', valueFrom: { secretKeyRef: { name: 'iris-es-es-elastic-user', key: 'elastic' } } },
    ]);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it("names the saved objects after the services' ES_INDEX_PREFIX", () => {
    const job = named(render([PRODUCTION], { 'config.ES_INDEX_PREFIX': 'acme' }), 'Job', 'iris-iris-platform-kibana-import-1');
    expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: 'INDEX_PREFIX', value: 'acme' });
  });

  it('is left out unless enabled', () => {
    expect(ofKind(render([SMALL]), 'Job')).toEqual([]);
  });
});

describe('chart documentation', () => {
  const values = read(`${CHART_DIR}/values.yaml`);

  it('documents every value with a "# --" comment', () => {
    const rows = documentedValues(values);
    expect(rows.map((r) => r.key)).toEqual(expect.arrayContaining(['image.repository', 'inferenceWorker.autoscaling.maxReplicas', 'shutdown.timeoutMs']));
    expect(() => documentedValues(`${values}\nundocumented: 1\n`)).toThrow('values.yaml keys without a "# --" comment: undocumented');
  });

  it("has README's values table as values.yaml generates it (npm run helm:generate)", () => {
    const readme = read(CHART_README);
    expect(withValuesTable(readme, values)).toBe(readme);
  });
});
