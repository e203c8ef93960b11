import { Controller, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { HttpFailure } from '@app/runtime';
import { Access } from '@app/security';
import { OipModel } from '../oip-model';
import { GrpcAccessGuard } from './grpc-access.guard';
import { GrpcCallInterceptor } from './grpc-call.interceptor';
import { GrpcExceptionsFilter } from './grpc-exceptions.filter';

/** The services Check answers for: the whole server ("") and the inference service. */
const SERVICES = ['', 'inference.GRPCInferenceService'];

/** The standard gRPC health check (grpc.health.v1.Health/Check), for Kubernetes' gRPC probes: serving once ready. */
@Controller()
@UseGuards(GrpcAccessGuard)
@UseInterceptors(GrpcCallInterceptor)
@UseFilters(GrpcExceptionsFilter)
export class GrpcHealthController {
  constructor(private readonly model: OipModel) {}

  @GrpcMethod('Health', 'Check')
  @Access('public')
  check(request: { service: string }): { status: 'SERVING' | 'NOT_SERVING' } {
    if (!SERVICES.includes(request.service)) throw new HttpFailure(404, 'unknown_service', `no health status for service "${request.service.slice(0, 128)}"`);
    return { status: this.model.serverReady() ? 'SERVING' : 'NOT_SERVING' };
  }
}
