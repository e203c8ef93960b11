import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runScript } from './infra';

export default async function globalTeardown(): Promise<void> {
  const marker = join(ROOT, '.infra', 'test', 'started-kafka');
  if (existsSync(marker)) {
    runScript('scripts/infra/kafka.sh', 'down');
    rmSync(marker);
  }
}
