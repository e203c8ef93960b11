/* eslint-disable @typescript-eslint/no-explicit-any */
// Helm and schema validation for test/deploy/helm-chart.spec.ts: the pinned Helm that
// scripts/tools/install-helm.sh builds into .tools/bin, the kubernetes-models validators (in a
// child process, as they are ES modules), and Strimzi's CRD schemas from
// scripts/tools/strimzi-crds.sh, checked with Ajv as strictly as `kubectl --validate=strict`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';

export type K8sObject = Record<string, any>;

export const ROOT = join(__dirname, '..', '..', '..');
export const CHART = join(ROOT, 'deploy/helm/iris-platform');
export const HELM = join(ROOT, '.tools/bin/helm');
const STRIMZI_CRDS = join(ROOT, '.tools/strimzi-crds');

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the pinned Helm; stderr without the notes Helm prints for the chart's symlinks into deploy/kibana and deploy/grafana. */
export function helm(args: string[]): HelmResult {
  if (!existsSync(HELM)) throw new Error(`${HELM} is missing: run scripts/tools/install-helm.sh (npm test runs it first)`);
  const run = spawnSync(HELM, args, { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  const stderr = run.stderr
    .split('\n')
    .filter((l) => l && !/found symbolic link in path: .*\/files\/.* resolves to .*\/deploy\/(kibana|grafana)\//.test(l))
    .join('\n');
  return { status: run.status ?? -1, stdout: run.stdout, stderr };
}

/** `helm template` of the chart with values files and --set pairs; throws with Helm's message on failure. */
export function render(valuesFiles: string[], set: Record<string, string> = {}, extra: string[] = []): K8sObject[] {
  const result = renderResult(valuesFiles, set, extra);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((d) => d.toJSON() as K8sObject | null)
    .filter((d): d is K8sObject => d !== null);
}

export function renderResult(valuesFiles: string[], set: Record<string, string> = {}, extra: string[] = []): HelmResult {
  const args = ['template', 'iris', CHART, '--namespace', 'iris', ...extra];
  for (const f of valuesFiles) args.push('--values', f);
  for (const [k, v] of Object.entries(set)) args.push('--set-string', `${k}=${v}`);
  return helm(args);
}

export interface ModelCheck {
  validator: string | null;
  errors: string | null;
}

/** One result per object: which kubernetes-models package validated it, and its errors. */
export function validateWithModels(objects: K8sObject[]): ModelCheck[] {
  const out = execFileSync(process.execPath, [join(__dirname, 'validate-k8s-models.mjs')], {
    input: JSON.stringify(objects),
    cwd: ROOT,
    env: { PATH: process.env.PATH },
  });
  return JSON.parse(out.toString()) as ModelCheck[];
}

/**
 * Strimzi's schemas, per apiVersion and kind. Kubernetes drops (and `kubectl --validate=strict`
 * refuses) fields a structural schema does not declare: every object schema with properties
 * gets additionalProperties false, unless it preserves unknown fields.
 */
export function strimziValidators(): Map<string, ValidateFunction> {
  const versions = existsSync(STRIMZI_CRDS) ? readdirSync(STRIMZI_CRDS) : [];
  if (versions.length !== 1) throw new Error(`expected one Strimzi version in ${STRIMZI_CRDS}, found [${versions}]: run scripts/tools/strimzi-crds.sh`);
  const dir = join(STRIMZI_CRDS, versions[0]);
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const crd = parse(readFileSync(join(dir, file), 'utf8')) as K8sObject;
    for (const version of crd.spec.versions as K8sObject[]) {
      const schema = closeObjects(structuredClone(version.schema.openAPIV3Schema));
      validators.set(`${crd.spec.group}/${version.name} ${crd.spec.names.kind}`, ajv.compile(schema));
    }
  }
  return validators;
}

function closeObjects(schema: K8sObject): K8sObject {
  if (schema.properties && !schema['x-kubernetes-preserve-unknown-fields'] && schema.additionalProperties === undefined) {
    schema.additionalProperties = false;
  }
  for (const sub of Object.values(schema.properties ?? {})) closeObjects(sub as K8sObject);
  if (schema.items) closeObjects(schema.items);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') closeObjects(schema.additionalProperties);
  for (const key of ['oneOf', 'anyOf', 'allOf']) for (const sub of schema[key] ?? []) closeObjects(sub);
  return schema;
}

export const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
export const named = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
};
