import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './support/infra';

/**
 * The gateway died on a broker restart: the reply timer rejected while the publish was still
 * retrying, before anything awaited the reply, and Node 24 ends a process on an unhandled
 * rejection. Checked in a real process with no guards installed, the way the bug killed it.
 */
describe('a prediction whose publish outlasts the reply timeout', () => {
  it('does not end the process (no unhandled rejection) and fails the request with a timeout', () => {
    const dist = (path: string) => JSON.stringify(join(ROOT, 'dist', path));
    const script = `
      require('reflect-metadata');
      const { loadConfig } = require(${dist('libs/config/src/index.js')});
      const { PendingReplies } = require(${dist('apps/gateway/src/prediction/pending-replies.js')});
      const { AcceptedResults } = require(${dist('apps/gateway/src/prediction/accepted-results.js')});
      const { PredictionService } = require(${dist('apps/gateway/src/prediction/prediction.service.js')});
      const config = loadConfig({ TRANSPORT: 'memory', PREDICT_TIMEOUT_MS: '200', KAFKA_SEND_TIMEOUT_MS: '100' });
      const slowPublisher = { publish: () => new Promise((r) => setTimeout(r, 500)) };
      const service = new PredictionService(slowPublisher, new PendingReplies(config), new AcceptedResults(60000, 10), config, 0);
      const row = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
      service.predict([row], { requestId: 'r-1' }).then(
        () => console.log('unexpected success'),
        (err) => setTimeout(() => console.log('outcome:', err.constructor.name, err.message), 200),
      );
    `;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect({ status: run.status, stdout: run.stdout.trim(), stderr: run.stderr.replace(/\(node:\d+\) TimeoutNegativeWarning[^\n]*\n?/g, '').trim() }).toEqual({
      status: 0,
      stdout: 'outcome: ReplyTimeoutError no prediction within 200 ms',
      stderr: '',
    });
  });
});
