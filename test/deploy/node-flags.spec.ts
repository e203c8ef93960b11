// Every way to start an app gives it the same heap limits: scripts/lib/node-flags.ts is what
// `npm run stack:up`, the bench and the tests' processes use; `npm start`, the image, compose and
// the chart write them out, and this holds each to the table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { NODE_FLAGS, nodeFlags } from '../../scripts/lib/node-flags';
import { stackServices } from '../../scripts/supervisor/stack-services';
import { ROOT, named, render } from './support/helm';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const APPS = ['gateway', 'inference-worker', 'trainer', 'monitor'] as const;

describe("the apps' heap limits (scripts/lib/node-flags.ts)", () => {
  it('bound the old space and the young generation of every app', () => {
    for (const flags of Object.values(NODE_FLAGS)) {
      expect(flags).toEqual([expect.stringMatching(/^--max-semi-space-size=\d+$/), expect.stringMatching(/^--max-old-space-size=\d+$/)]);
    }
    expect(nodeFlags('not-an-app')).toEqual([]);
  });

  it('are what npm start runs the embedded process with', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start;
    expect(start).toContain(`node ${NODE_FLAGS.embedded.join(' ')} dist/apps/embedded/src/main.js`);
  });

  it("are what the stack's supervisor starts each service with", () => {
    for (const s of stackServices({}).services) expect([s.name, s.nodeArgs]).toEqual([s.name, NODE_FLAGS[s.entry.split('/')[2] as keyof typeof NODE_FLAGS]]);
  });

  it('are in the commands of the compose services', () => {
    const compose = parse(read('docker-compose.yml')) as { services: Record<string, { command: string[] }> };
    for (const app of APPS) expect(compose.services[app].command).toEqual(['node', ...NODE_FLAGS[app], `dist/apps/${app}/src/main.js`]);
  });

  it("are in the chart's commands (values nodeArgs)", () => {
    const objects = render([join(ROOT, 'deploy/helm/values/small.yaml')]);
    for (const app of APPS) {
      const container = named(objects, 'Deployment', `iris-iris-platform-${app}`).spec.template.spec.containers[0];
      expect(container.command).toEqual(['node', ...NODE_FLAGS[app], `dist/apps/${app}/src/main.js`]);
    }
  });

  it("are the image's default command's, per APP", () => {
    const cmd = read('Dockerfile').match(/^CMD case "\$APP" in (.*)\\\n\s+exec node (.*) dist\/apps\/\$\{APP\}\/src\/main\.js$/m);
    expect(cmd).not.toBeNull();
    const heap = (app: string) => {
      const own = new RegExp(`${app}\\) heap=(\\d+);;`).exec(cmd![1]);
      return own ? own[1] : /\*\) heap=(\d+);;/.exec(cmd![1])![1];
    };
    for (const app of [...APPS, 'embedded'] as const) {
      expect([app, cmd![2].replace('$heap', heap(app)).split(' ')]).toEqual([app, NODE_FLAGS[app]]);
    }
  });
});
