// Validates GitHub Actions workflow files with @actions/workflow-parser, GitHub's own parser
// and its workflow schema (workflow-v1.0.json): unknown keys, wrong types, missing required
// keys, invalid expressions. A child process of test/deploy/workflow-file.spec.ts, because the
// package is an ES module only.
// argv: workflow files; stdout: a JSON object, per file, { errors: string[], jobs: string[] }.
import { registerHooks } from 'node:module';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

// The package imports its schema JSON without `with { type: 'json' }` (it targets bundlers),
// which Node refuses; supply the import attribute.
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    return resolved.url.endsWith('.json') ? { ...resolved, importAttributes: { type: 'json' } } : resolved;
  },
});
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import('@actions/workflow-parser');

const results = {};
for (const path of process.argv.slice(2)) {
  const parsed = parseWorkflow({ name: basename(path), content: readFileSync(path, 'utf8') }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  let jobs = [];
  if (parsed.value && errors.length === 0) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(template.errors ?? []).map((e) => e.Message));
    jobs = (template.jobs ?? []).map((j) => j.id.value);
  }
  results[path] = { errors, jobs };
}
process.stdout.write(JSON.stringify(results));
