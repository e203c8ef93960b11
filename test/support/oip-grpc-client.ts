/* eslint-disable @typescript-eslint/no-explicit-any */
import { join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ROOT } from './infra';

/**
 * A client of `inference.GRPCInferenceService` built the way any client is: from the
 * specification's proto (protos/grpc_predict_v2.proto) with grpc-js, nothing shared with the
 * server's code. Calls resolve with the response (or reject with the ServiceError) and the
 * response metadata.
 */
export interface GrpcCall {
  response: any;
  metadata: Metadata;
}

export class OipGrpcClient {
  private readonly inference: any;
  private readonly health: any;

  constructor(port: number) {
    const options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };
    const inference = loadPackageDefinition(loadSync(join(ROOT, 'protos', 'grpc_predict_v2.proto'), options)) as any;
    const health = loadPackageDefinition(loadSync(join(ROOT, 'protos', 'grpc', 'health', 'v1', 'health.proto'), options)) as any;
    this.inference = new inference.inference.GRPCInferenceService(`127.0.0.1:${port}`, credentials.createInsecure());
    this.health = new health.grpc.health.v1.Health(`127.0.0.1:${port}`, credentials.createInsecure());
  }

  call(method: string, request: object, headers: Record<string, string> = {}): Promise<GrpcCall> {
    return this.invoke(this.inference, method, request, headers);
  }

  check(service: string): Promise<GrpcCall> {
    return this.invoke(this.health, 'Check', { service }, {});
  }

  /** The status code and message a call fails with. */
  async failure(method: string, request: object, headers: Record<string, string> = {}): Promise<{ code: number; details: string }> {
    try {
      await this.call(method, request, headers);
    } catch (err) {
      const e = err as ServiceError;
      return { code: e.code, details: e.details };
    }
    throw new Error(`${method} did not fail`);
  }

  close(): void {
    this.inference.close();
    this.health.close();
  }

  private invoke(client: any, method: string, request: object, headers: Record<string, string>): Promise<GrpcCall> {
    const metadata = new Metadata();
    for (const [k, v] of Object.entries(headers)) metadata.set(k, v);
    return new Promise((resolve, reject) => {
      let received = new Metadata();
      const call = client[method](request, metadata, { deadline: Date.now() + 10_000 }, (err: ServiceError | null, response: any) =>
        err ? reject(err) : resolve({ response, metadata: received }),
      );
      call.on('metadata', (m: Metadata) => (received = m));
    });
  }
}
