import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { Server as GrpcServer, ServerCredentials, type ServerOptions } from '@grpc/grpc-js';
import { ServerGrpc, type GrpcOptions } from '@nestjs/microservices';
import { grpcConnectionsOpen, grpcConnectionsRefused } from '@app/observability';
import { ConnectionShare, afterHttp2Preface } from '@app/runtime';

/** Where gRPC listens, and what it lets a connection hold before grpc-js sees it. */
export interface GrpcListener {
  host: string;
  port: number;
  /** Passed to grpc-js: message size, idle and age limits. */
  serverOptions: ServerOptions;
  maxConnections: number;
  maxConnectionsPerAddress: number;
  handshakeTimeoutMs: number;
}

/**
 * Nest's gRPC transport with the socket listener in our hands: grpc-js's own has no connection
 * cap, no per-address share and no deadline for the HTTP/2 handshake, so idle unauthenticated
 * sockets could take every file descriptor of the process (the HTTP port's too). Connections
 * are accepted here (past GRPC_MAX_CONNECTIONS, past an address's share, or without the HTTP/2
 * preface in time they are closed) and handed to grpc-js through its connection injector.
 */
export class GatedGrpcServer extends ServerGrpc {
  private listener?: NetServer;
  /** Sockets not handed to grpc-js yet: closed here at shutdown, grpc-js closes the others. */
  private readonly waiting = new Set<Socket>();

  constructor(
    options: GrpcOptions['options'],
    private readonly gate: GrpcListener,
  ) {
    super(options);
  }

  override async createClient(): Promise<GrpcServer> {
    const server = new GrpcServer(this.gate.serverOptions);
    const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
    const share = new ConnectionShare(this.gate.maxConnectionsPerAddress);
    const listener = createServer((socket) => {
      if (!share.admit(socket)) {
        grpcConnectionsRefused.inc({ reason: 'per_address' });
        return socket.destroy();
      }
      grpcConnectionsOpen.inc();
      this.waiting.add(socket);
      socket.once('close', () => {
        grpcConnectionsOpen.dec();
        this.waiting.delete(socket);
      });
      afterHttp2Preface(
        socket,
        this.gate.handshakeTimeoutMs,
        (ready) => {
          this.waiting.delete(ready);
          injector.injectConnection(ready);
        },
        () => grpcConnectionsRefused.inc({ reason: 'handshake' }),
      );
    });
    listener.maxConnections = this.gate.maxConnections;
    // Past maxConnections Node closes the connection before any 'connection' event.
    listener.on('drop', () => grpcConnectionsRefused.inc({ reason: 'max_connections' }));
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(this.gate.port, this.gate.host, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    this.listener = listener;
    return server;
  }

  override async close(): Promise<void> {
    this.listener?.close();
    for (const socket of this.waiting) socket.destroy();
    await super.close();
  }
}
