// scripts/ensure-built.sh, which `npm run retrain` and `npm run helm:generate` run first: it
// builds only when dist/ is missing or a source is newer than the last build. Run against a
// scratch project with a stand-in npm that records each build.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'ensure-built.sh');

describe('scripts/ensure-built.sh', () => {
  let project: string;
  let builds: string;
  let failBuild: string;

  const run = () => {
    try {
      execFileSync('bash', [SCRIPT], { env: { PATH: `${join(project, 'bin')}:${process.env.PATH}`, PROJECT_ROOT: project }, stdio: 'pipe' });
      return 0;
    } catch (err) {
      return (err as { status: number }).status;
    }
  };
  const buildCount = () => (existsSync(builds) ? readFileSync(builds, 'utf8').trim().split('\n').length : 0);
  // Later than any build so far, so the comparison of modification times needs no sleep.
  const touchLater = (path: string) => {
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(project, path), later, later);
  };

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'ensure-built-'));
    builds = join(project, 'builds.log');
    failBuild = join(project, 'fail-build');
    for (const dir of ['apps/gateway/src', 'libs/model/src', 'scripts', 'bin']) mkdirSync(join(project, dir), { recursive: true });
    for (const file of [
      'apps/gateway/src/main.ts',
      'libs/model/src/index.ts',
      'libs/model/src/index.spec.ts',
      'scripts/retrain.ts',
      'tsconfig.json',
      'package-lock.json',
    ])
      writeFileSync(join(project, file), '');
    // Stands in for npm: `npm run build --silent` appends a line, or fails when asked to.
    const npm = join(project, 'bin', 'npm');
    writeFileSync(npm, `#!/bin/sh\n[ -f "${failBuild}" ] && exit 7\necho "$*" >> "${builds}"\nmkdir -p "${project}/dist"\n`);
    chmodSync(npm, 0o755);
  });
  afterEach(() => rmSync(project, { recursive: true, force: true }));

  it('builds when dist/ has never been built, then not again while nothing changed', () => {
    expect(run()).toBe(0);
    expect(readFileSync(builds, 'utf8')).toBe('run build --silent\n');
    expect(run()).toBe(0);
    expect(buildCount()).toBe(1);
  });

  it('builds again after a source, a tsconfig or the lockfile changed', () => {
    run();
    touchLater('libs/model/src/index.ts');
    expect(run()).toBe(0);
    expect(buildCount()).toBe(2);
    touchLater('tsconfig.json');
    run();
    expect(buildCount()).toBe(3);
    touchLater('package-lock.json');
    run();
    expect(buildCount()).toBe(4);
  });

  it('does not build for a changed spec, which the build leaves out', () => {
    run();
    touchLater('libs/model/src/index.spec.ts');
    run();
    expect(buildCount()).toBe(1);
  });

  it("fails with the build's status and tries again next time", () => {
    writeFileSync(failBuild, '');
    expect(run()).toBe(7);
    rmSync(failBuild);
    expect(run()).toBe(0);
    expect(buildCount()).toBe(1);
    expect(run()).toBe(0);
    expect(buildCount()).toBe(1);
  });
});
