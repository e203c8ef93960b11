import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runScript } from './infra';

/** Stops only what global-setup started; tries both servers, then fails the run if either did not stop. */
export default async function globalTeardown(): Promise<void> {
  const failures: string[] = [];
  for (const server of ['elasticsearch', 'kafka']) {
    const marker = join(ROOT, '.infra', 'test', `started-${server}`);
    if (!existsSync(marker)) continue;
    try {
      runScript(`scripts/infra/${server}.sh`, 'down');
      rmSync(marker);
    } catch (err) {
      failures.push(`${server}: ${(err as Error).message}`);
    }
  }
  if (failures.length > 0) throw new Error(`global teardown could not stop ${failures.join('; ')}`);
}
