import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { GrpcOptions } from '@nestjs/microservices';
import type { AppConfig } from '@app/config';
import type { JsonLogger } from '@app/observability';
import { bodyLimitBytes } from '@app/runtime';
import { GatedGrpcServer, type GrpcListener } from './gated-grpc-server';

/** protos/ at the repository (or image) root, found from here in the sources and in dist/ alike. */
function protoDir(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'protos', 'grpc_predict_v2.proto'))) return join(dir, 'protos');
  }
  throw new Error(`no protos/grpc_predict_v2.proto above ${__dirname}`);
}

export const PROTO_DIR = protoDir();

/**
 * The gateway's gRPC services: the Open Inference Protocol's GRPCInferenceService and the
 * standard health service. Field names stay as the proto spells them; int64s arrive as numbers
 * (shapes and class indexes are small).
 */
export const GRPC_SERVICES: GrpcOptions['options'] = {
  package: ['inference', 'grpc.health.v1'],
  protoPath: [join(PROTO_DIR, 'grpc_predict_v2.proto'), join(PROTO_DIR, 'grpc', 'health', 'v1', 'health.proto')],
  loader: { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_DIR] },
};

/**
 * Where and how the gRPC server listens: GRPC_HOST:GRPC_PORT, a message as large as an HTTP body
 * (BODY_LIMIT), the connection limits of GRPC_*; a connection closed for its age lets calls in
 * flight finish within PREDICT_TIMEOUT_MS.
 */
export function grpcListener(config: AppConfig, port: number): GrpcListener {
  return {
    host: config.GRPC_HOST,
    port,
    serverOptions: {
      'grpc.max_receive_message_length': bodyLimitBytes(config.BODY_LIMIT),
      'grpc.max_connection_idle_ms': config.GRPC_IDLE_TIMEOUT_MS,
      'grpc.max_connection_age_ms': config.GRPC_MAX_CONNECTION_AGE_MS,
      'grpc.max_connection_age_grace_ms': config.PREDICT_TIMEOUT_MS,
    },
    maxConnections: config.GRPC_MAX_CONNECTIONS,
    maxConnectionsPerAddress: config.GRPC_MAX_CONNECTIONS_PER_ADDRESS,
    handshakeTimeoutMs: config.GRPC_HANDSHAKE_TIMEOUT_MS,
  };
}

/** GRPC_PORT 0 (or unset, in a configuration built in-process) runs no gRPC server. */
export function connectGrpc(app: INestApplication, config: AppConfig, logger: JsonLogger): void {
  if (!config.GRPC_PORT) return;
  // inheritAppConfig: the global guards see gRPC calls too (and let them through to the gRPC access guard).
  app.connectMicroservice({ strategy: new GatedGrpcServer(GRPC_SERVICES, grpcListener(config, config.GRPC_PORT)) }, { inheritAppConfig: true });
  logger.event('info', 'grpc server', {
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    services: ['inference.GRPCInferenceService', 'grpc.health.v1.Health'],
    max_connections: config.GRPC_MAX_CONNECTIONS,
    max_connections_per_address: config.GRPC_MAX_CONNECTIONS_PER_ADDRESS,
  });
}
