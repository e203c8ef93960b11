// Validates Kubernetes objects with the kubernetes-models schemas: the core API, KEDA and the
// Prometheus operator. A child process of test/deploy/helm-chart.spec.ts, because these
// packages are ES modules only and the unit tests run as CommonJS.
// stdin: a JSON array of objects; stdout: a JSON array, per object, of
//   { validator: "kubernetes-models/apps/v1" | ... | null, errors: string | null }
// (validator null: no package models this apiVersion and kind).
const PACKAGES = ['kubernetes-models', '@kubernetes-models/keda', '@kubernetes-models/prometheus-operator'];

async function modelFor(apiVersion, kind) {
  for (const pkg of PACKAGES) {
    const specifier = `${pkg}/${apiVersion}`;
    try {
      const mod = await import(specifier);
      if (typeof mod[kind] === 'function') return { specifier, Model: mod[kind] };
    } catch (err) {
      if (err.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    }
  }
  return null;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const object of JSON.parse(input)) {
  const model = await modelFor(object.apiVersion, object.kind);
  if (!model) {
    results.push({ validator: null, errors: null });
    continue;
  }
  try {
    new model.Model(object).validate();
    results.push({ validator: model.specifier, errors: null });
  } catch (err) {
    results.push({ validator: model.specifier, errors: err.message });
  }
}
process.stdout.write(JSON.stringify(results));
