import { DEFAULT_MODEL } from '@app/contracts';
import type { ServiceAppOptions, ServiceContext } from '@app/runtime';
import { publishOpenApi } from '@app/runtime/openapi-document';
import { mlflowErrorBody } from './protocols/mlflow/mlflow-error-body';
import { connectGrpc } from './protocols/oip/grpc/grpc-server';
import { oipErrorBody } from './protocols/oip/oip-error-body';

/** The gateway's gRPC port when GRPC_PORT is unset (the gateway process and `npm start`). */
export const DEFAULT_GRPC_PORT = '8081';

/**
 * How the gateway's app is served, in its own process and in the embedded mode alike: the
 * OpenAPI document, the error bodies the standard protocols prescribe on their routes, the
 * bodies those protocols' clients send (CSV to /invocations, JSON without a Content-Type to
 * OIP's /infer), and the gRPC server.
 */
export function gatewayAppOptions(ctx: ServiceContext): Omit<ServiceAppOptions, 'listen'> {
  return {
    openApi: publishOpenApi('Iris inference gateway'),
    errorStyles: [
      { path: '/v2', style: oipErrorBody },
      { path: '/invocations', style: mlflowErrorBody },
    ],
    bodyRoutes: [
      { path: '/invocations', textTypes: ['text/csv'] },
      { path: /^\/models\/[^/]+\/invocations$/, textTypes: ['text/csv'] },
      // Inference and a listing only: no state changes, so accepting what Triton's HTTP client sends opens nothing.
      { path: /^\/v2\/models\/[^/]+(\/versions\/[^/]+)?\/infer$/, untypedJson: true },
      { path: '/v2/repository/index', untypedJson: true },
    ],
    rewrites: defaultModelRoutes(ctx.config.DEFAULT_MODEL),
    connectTransports: (app) => connectGrpc(app, ctx.config, ctx.logger),
  };
}

/** With DEFAULT_MODEL naming another model, the seed's routes serve that model's routes. */
export function defaultModelRoutes(model: string): Record<string, string> {
  if (model === DEFAULT_MODEL) return {};
  return { '/predict': `/models/${model}/predict`, '/predict/batch': `/models/${model}/predict/batch`, '/invocations': `/models/${model}/invocations` };
}
