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
    // CMD case "$APP" in trainer) heap=256;; *) heap=128;; esac; \ (one case per variable) … exec node <flags> dist/apps/${APP}/src/main.js
    const cmd = /^CMD ((?:case "\$APP" in .* esac; \\\n\s+)+)exec node (.*) dist\/apps\/\$\{APP\}\/src\/main\.js$/m.exec(read('Dockerfile'));
    expect(cmd).not.toBeNull();
    const cases = [...cmd![1].matchAll(/case "\$APP" in (.*?) esac;/g)].map((c) => c[1]);
    const valueFor = (app: string, variable: string): string => {
      const options = cases.find((c) => c.includes(`) ${variable}=`)) ?? '';
      const own = new RegExp(`(?:^|;; )${app}\\) ${variable}=(\\d+);;`).exec(options);
      return own ? own[1] : new RegExp(`\\*\\) ${variable}=(\\d+);;`).exec(options)![1];
    };
    for (const app of [...APPS, 'embedded'] as const) {
      const flags = cmd![2].replace(/\$(\w+)/g, (_whole, variable: string) => valueFor(app, variable)).split(' ');
      expect([app, flags]).toEqual([app, NODE_FLAGS[app]]);
    }
  });
});
