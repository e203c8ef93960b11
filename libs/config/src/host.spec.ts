import { loadConfig } from './load-config';

describe('listening addresses', () => {
  it('default to this host only, for HTTP and gRPC', () => {
    expect(loadConfig({})).toMatchObject({ HOST: '127.0.0.1', GRPC_HOST: '127.0.0.1' });
  });

  it('take any IPv4 or IPv6 address, and nothing else', () => {
    expect(loadConfig({ HOST: '0.0.0.0', GRPC_HOST: '::' })).toMatchObject({ HOST: '0.0.0.0', GRPC_HOST: '::' });
    expect(() => loadConfig({ HOST: 'all' })).toThrow(/^Invalid configuration: HOST="all": /);
  });
});
