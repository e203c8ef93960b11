import { JsonLogger } from './json-logger';
import { runWithRequestId } from './request-context';

describe('JsonLogger', () => {
  const capture = (level: 'debug' | 'info' = 'info') => {
    const lines: string[] = [];
    return { lines, logger: new JsonLogger('gateway', level, (l) => lines.push(l)) };
  };

  it('writes one JSON object per line with the request id of the current context', () => {
    const { lines, logger } = capture();
    runWithRequestId('req-42', () => logger.event('info', 'prediction served', { latency_ms: 3.5 }));
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: 'info', service: 'gateway', message: 'prediction served', request_id: 'req-42', latency_ms: 3.5 });
    expect(Date.parse(entry.timestamp)).not.toBeNaN();
  });

  it('keeps the Nest context argument as a field', () => {
    const { lines, logger } = capture();
    logger.log('Mapped route', 'RouterExplorer');
    expect(JSON.parse(lines[0])).toMatchObject({ message: 'Mapped route', context: 'RouterExplorer' });
  });

  it('drops lines below the minimum level', () => {
    const { lines, logger } = capture('info');
    logger.debug('noise');
    expect(lines).toHaveLength(0);
  });
});
