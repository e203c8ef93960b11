import { createServer } from 'node:http';
import { testPort } from './ports';
import { ServiceProcess } from './service-process';

describe('ServiceProcess.waitReady', () => {
  it('refuses a port where another process answers /ready 200, naming the port and the holder', async () => {
    const port = testPort(90);
    const stranger = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}'));
    await new Promise<void>((resolve) => stranger.listen(port, '0.0.0.0', resolve));
    const service = ServiceProcess.start(`stranger-port-check-${process.pid}`, 'gateway', port);
    try {
      await expect(service.waitReady(30_000)).rejects.toThrow(`port ${port} is held by another process (pid ${process.pid}: `);
    } finally {
      await service.stop();
      await new Promise((resolve) => stranger.close(resolve));
    }
  });
});
