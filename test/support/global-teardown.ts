import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runScript } from './infra';

/** Stops only what global-setup started. */
export default async function globalTeardown(): Promise<void> {
  for (const server of ['elasticsearch', 'kafka']) {
    const marker = join(ROOT, '.infra', 'test', `started-${server}`);
    if (!existsSync(marker)) continue;
    runScript(`scripts/infra/${server}.sh`, 'down');
    rmSync(marker);
  }
}
