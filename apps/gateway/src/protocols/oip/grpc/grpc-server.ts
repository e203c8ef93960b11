import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import type { AppConfig } from '@app/config';
import type { JsonLogger } from '@app/observability';
import { bodyLimitBytes } from '@app/runtime';

/** protos/ at the repository (or image) root, found from here in the sources and in dist/ alike. */
function protoDir(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'protos', 'grpc_predict_v2.proto'))) return join(dir, 'protos');
  }
  throw new Error(`no protos/grpc_predict_v2.proto above ${__dirname}`);
}

export const PROTO_DIR = protoDir();

/**
 * The gateway's gRPC server: the Open Inference Protocol's GRPCInferenceService and the
 * standard health service, on GRPC_PORT. A message may be as large as an HTTP body
 * (BODY_LIMIT). Field names stay as the proto spells them; int64s arrive as numbers (shapes
 * and class indexes are small).
 */
export function grpcServerOptions(port: number, config: AppConfig): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      url: `0.0.0.0:${port}`,
      package: ['inference', 'grpc.health.v1'],
      protoPath: [join(PROTO_DIR, 'grpc_predict_v2.proto'), join(PROTO_DIR, 'grpc', 'health', 'v1', 'health.proto')],
      loader: { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_DIR] },
      maxReceiveMessageLength: bodyLimitBytes(config.BODY_LIMIT),
    },
  };
}

/** GRPC_PORT 0 (or unset, in a configuration built in-process) runs no gRPC server. */
export function connectGrpc(app: INestApplication, config: AppConfig, logger: JsonLogger): void {
  if (!config.GRPC_PORT) return;
  // inheritAppConfig: the global guards see gRPC calls too (and let them through to the gRPC access guard).
  app.connectMicroservice(grpcServerOptions(config.GRPC_PORT, config), { inheritAppConfig: true });
  logger.event('info', 'grpc server', { port: config.GRPC_PORT, services: ['inference.GRPCInferenceService', 'grpc.health.v1.Health'] });
}
