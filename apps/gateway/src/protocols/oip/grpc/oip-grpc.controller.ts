import { Controller, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import {
  grpcResponseFromRest,
  restRequestFromGrpc,
  type GrpcModelInferRequest,
  type GrpcModelInferResponse,
  type OipModelMetadata,
  type OipServerMetadata,
} from '@app/contracts';
import { currentClientRequestId, currentRequestId } from '@app/observability';
import { Access } from '@app/security';
import { OipModel } from '../oip-model';
import { GrpcAccessGuard } from './grpc-access.guard';
import { GrpcCallInterceptor } from './grpc-call.interceptor';
import { GrpcExceptionsFilter } from './grpc-exceptions.filter';

interface ModelRequest {
  name: string;
  version: string;
}

/**
 * Open Inference Protocol v2 over gRPC (`inference.GRPCInferenceService`): the REST routes'
 * models (the default one and every named one, through the same OipModel), access levels and
 * request paths; raw tensors in, raw tensors out.
 */
@Controller()
@UseGuards(GrpcAccessGuard)
@UseInterceptors(GrpcCallInterceptor)
@UseFilters(GrpcExceptionsFilter)
export class OipGrpcController {
  constructor(private readonly model: OipModel) {}

  @GrpcMethod('GRPCInferenceService', 'ServerLive')
  @Access('public')
  serverLive(): { live: boolean } {
    return { live: true };
  }

  @GrpcMethod('GRPCInferenceService', 'ServerReady')
  @Access('public')
  serverReady(): { ready: boolean } {
    return { ready: this.model.serverReady() };
  }

  @GrpcMethod('GRPCInferenceService', 'ModelReady')
  @Access('predict')
  modelReady(request: ModelRequest): { ready: boolean } {
    return { ready: this.model.modelReady(request.name, request.version) };
  }

  @GrpcMethod('GRPCInferenceService', 'ServerMetadata')
  @Access('predict')
  serverMetadata(): OipServerMetadata {
    return this.model.serverMetadata();
  }

  @GrpcMethod('GRPCInferenceService', 'ModelMetadata')
  @Access('predict')
  modelMetadata(request: ModelRequest): OipModelMetadata {
    return this.model.metadata(request.name, request.version);
  }

  @GrpcMethod('GRPCInferenceService', 'ModelInfer')
  @Access('predict')
  async modelInfer(request: GrpcModelInferRequest): Promise<GrpcModelInferResponse> {
    const { request: rest, raw } = restRequestFromGrpc(request);
    const ids = { requestId: currentRequestId()!, clientRequestId: currentClientRequestId() };
    const response = await this.model.infer(request.model_name, request.model_version, rest, ids);
    return grpcResponseFromRest(response, raw);
  }
}
