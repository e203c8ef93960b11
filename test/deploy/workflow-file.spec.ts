/* eslint-disable @typescript-eslint/no-explicit-any */
// The GitHub Actions workflow cannot run here, so it is checked the way GitHub reads it: with
// @actions/workflow-parser (GitHub's parser and workflow schema), then for what its jobs must do.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

type Doc = Record<string, any>;

const ROOT = join(__dirname, '..', '..');
const WORKFLOW = join(ROOT, '.github/workflows/ci.yml');
const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as Doc;
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as Doc;

function parseWithGitHubSchema(...files: string[]): Record<string, { errors: string[]; jobs: string[] }> {
  const out = execFileSync(process.execPath, [join(__dirname, 'support/validate-workflow.mjs'), ...files], { cwd: ROOT, env: { PATH: process.env.PATH } });
  return JSON.parse(out.toString());
}

const steps = (job: string): Doc[] => workflow.jobs[job].steps;
const runs = (job: string): string => steps(job)
  .map((s) => s.run ?? '')
  .join('\n');
const stepRunning = (job: string, command: string): Doc => {
  const step = steps(job).find((s) => (s.run ?? '').includes(command));
  if (!step) throw new Error(`job ${job} has no step running ${command}`);
  return step;
};

describe('.github/workflows/ci.yml', () => {
  it('is a valid workflow for GitHub Actions (workflow-v1.0 schema, expressions, contexts)', () => {
    expect(parseWithGitHubSchema(WORKFLOW)).toEqual({ [WORKFLOW]: { errors: [], jobs: ['test', 'compose-smoke', 'publish'] } });
  });

  it('the schema check reports an unknown key, a missing runs-on and a broken expression', () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflow-spec-'));
    try {
      const broken = join(dir, 'broken.yml');
      writeFileSync(broken, 'on: push\njobs:\n  a:\n    runs-onn: ubuntu-latest\n    steps:\n      - run: echo ${{ foo( }}\n');
      expect(parseWithGitHubSchema(broken)[broken].errors).toEqual([
        "broken.yml (Line: 4, Col: 5): Unexpected value 'runs-onn'",
        "broken.yml (Line: 6, Col: 14): Unexpected end of expression: '('",
        'broken.yml (Line: 4, Col: 5): Required property is missing: runs-on',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the test job Go for the Helm build and caches what the pinned scripts produce', () => {
    const uses = steps('test').map((s) => s.uses ?? s.run);
    expect(uses).toEqual(expect.arrayContaining(['actions/setup-go@v5', 'actions/cache@v4', 'npm test']));
    expect(steps('test').find((s) => s.uses === 'actions/setup-java@v5')!.with['java-version']).toBe(21);
    const cache = steps('test').find((s) => s.uses === 'actions/cache@v4')!;
    expect(cache.with.path.trim().split('\n')).toEqual(['.tools/bin/helm', '.tools/strimzi-crds']);
    expect(cache.with.key).toContain("hashFiles('scripts/tools/install-helm.sh', 'infra/strimzi-crds/pom.xml')");
  });

  it('builds the image once, for all four services, and runs compose on that image', () => {
    const builds = Object.entries(workflow.jobs as Record<string, Doc>).flatMap(([job, def]) =>
      (def.steps as Doc[]).filter((s) => String(s.uses).startsWith('docker/build-push-action')).map((s): Doc => ({ job, ...s })),
    );
    expect(builds).toHaveLength(1);
    expect(builds[0]).toMatchObject({ job: 'compose-smoke', with: { load: true, tags: '${{ env.IRIS_IMAGE }}' } });
    expect(builds[0].with['build-args']).not.toContain('APP=');
    expect(workflow.jobs['compose-smoke'].env.IRIS_IMAGE).toBe('iris-platform:ci');
    expect(compose.services.gateway.image).toBe('${IRIS_IMAGE:-iris-platform:local}');
    expect(stepRunning('compose-smoke', 'docker compose up').run).toContain('--no-build');
  });

  it('brings the stack up with --wait, runs the smoke test, and always tears it down with its volumes', () => {
    const names = steps('compose-smoke').map((s) => s.run ?? s.uses);
    const up = names.findIndex((n) => n.startsWith('docker compose up --wait'));
    const smoke = names.findIndex((n) => n.includes('bash scripts/compose-smoke.sh'));
    const down = steps('compose-smoke').findIndex((s) => s.run === 'docker compose down -v --remove-orphans');
    expect(up).toBeGreaterThanOrEqual(0);
    expect(smoke).toBeGreaterThan(up);
    expect(down).toBeGreaterThan(smoke);
    expect(steps('compose-smoke')[down].if).toBe('always()');
    expect(runs('compose-smoke')).toContain('docker compose run --rm --no-deps kibana-init');
  });

  it("has the smoke's down/up bring back the services the up step started", () => {
    const named = /docker compose up --wait .*--no-build (.+)$/.exec(stepRunning('compose-smoke', 'docker compose up').run.trim())![1];
    expect(stepRunning('compose-smoke', 'bash scripts/compose-smoke.sh').env).toEqual({ SMOKE_SERVICES: named });
  });

  it('waits only on services whose one-shot dependencies a long-running service waits on (else --wait fails)', () => {
    const services: Record<string, Doc> = compose.services;
    const named = /docker compose up --wait .*--no-build (.+)$/.exec(stepRunning('compose-smoke', 'docker compose up').run.trim())![1].split(' ');
    const started = new Set<string>();
    const visit = (name: string) => {
      if (started.has(name)) return;
      started.add(name);
      for (const dep of Object.keys(services[name].depends_on ?? {})) visit(dep);
    };
    named.forEach(visit);
    const oneShots = [...started].filter((s) => services[s].restart === 'no');
    for (const oneShot of oneShots) {
      const adopted = [...started].some((s) => services[s].restart !== 'no' && services[s].depends_on?.[oneShot]?.condition === 'service_completed_successfully');
      expect({ oneShot, adopted }).toEqual({ oneShot, adopted: true });
    }
    // Services in a profile (Prometheus and Grafana: `monitoring`) are not part of a plain up.
    expect([...started].sort()).toEqual(Object.keys(services).filter((s) => s !== 'kibana-init' && !services[s].profiles).sort());
  });

  it('uploads the compose logs when a step failed', () => {
    const upload = steps('compose-smoke').find((s) => s.uses === 'actions/upload-artifact@v4' && s.with.name === 'compose-logs');
    expect(upload).toMatchObject({ if: 'failure()', with: { path: 'compose-logs/' } });
    expect(stepRunning('compose-smoke', 'docker compose logs').if).toBe('failure()');
  });

  it('publishes only from main with registry credentials, and only after both test jobs passed', () => {
    expect(workflow.jobs['compose-smoke'].env.PUSH).toBe(
      "${{ github.event_name == 'push' && github.ref == 'refs/heads/main' && secrets.DOCKERHUB_USERNAME != '' && secrets.DOCKERHUB_TOKEN != '' }}",
    );
    const publish = workflow.jobs.publish;
    expect(publish.needs).toEqual(['test', 'compose-smoke']);
    expect(publish.if).toBe("needs.compose-smoke.outputs.push == 'true'");
    expect(publish.steps.map((s: Doc) => s.uses ?? 'run')).toEqual(['actions/download-artifact@v4', 'docker/login-action@v3', 'run']);
    for (const [job, def] of Object.entries(workflow.jobs as Record<string, Doc>)) {
      if (job === 'publish') continue;
      expect({ job, login: (def.steps as Doc[]).some((s) => String(s.uses).startsWith('docker/login-action')) }).toEqual({ job, login: false });
    }
  });
});
