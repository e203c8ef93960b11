import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventBusServer } from '@app/messaging';
import { Readiness, requestIdMiddleware } from '@app/observability';
import { ApiKeys } from '@app/security';
import { errorStyleMiddleware, type ErrorStyleRoute } from './error-response';
import { pathRewriteMiddleware } from './path-rewrite.middleware';
import { ExceptionsFilter } from './exceptions.filter';
import { HardenedExpressAdapter } from './hardened-express-adapter';
import { HttpDrain } from './http-drain';
import { applyHttpHardening } from './http-hardening';
import { jsonBodyMiddleware, type BodyRoute } from './json-body.middleware';
import type { ServiceContext } from './service-context';

export interface ServiceAppOptions {
  /** Serve HTTP (health, metrics, and the app's routes). The embedded mode serves only the gateway. */
  listen: boolean;
  /**
   * Publishes the OpenAPI document (`publishOpenApi` from `@app/runtime/openapi-document`).
   * Passed in rather than imported so that a service which publishes none never loads @nestjs/swagger.
   */
  openApi?: (app: INestApplication) => void;
  /** Routes whose protocol prescribes its own error body (the gateway's /v2 and /invocations). */
  errorStyles?: ErrorStyleRoute[];
  /** POST routes whose protocol allows bodies other POSTs may not send (CSV; JSON without a Content-Type). */
  bodyRoutes?: BodyRoute[];
  /** Paths served as others, exactly (DEFAULT_MODEL: `/predict` as `/models/{name}/predict`). */
  rewrites?: Readonly<Record<string, string>>;
  /** Connects the app's further transports (the gateway's gRPC server) before it starts. */
  connectTransports?: (app: INestApplication) => void;
}

/**
 * Our event transport's id. Nest hands a server without one every handler, gRPC methods
 * included, which it would take for topics; with one it gets only the transport-less
 * @EventPattern handlers.
 */
const EVENT_BUS_TRANSPORT = Symbol('event-bus');

/** The one shape every service takes: an HTTP app with our event transport connected to it. */
export async function createServiceApp(ctx: ServiceContext, module: Type<unknown> | DynamicModule, options: ServiceAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create(module, new HardenedExpressAdapter(ctx.config), {
    logger: ctx.logger,
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  const drain = app.get(HttpDrain);
  const keys = app.get(ApiKeys);
  app.get(Readiness).register('accepting', () => !drain.isDraining);
  app.use(requestIdMiddleware(ctx.logger, { callerTraceContext: ctx.config.TRACE_CALLER_CONTEXT }));
  app.use(errorStyleMiddleware(options.errorStyles ?? []));
  app.use(pathRewriteMiddleware(options.rewrites ?? {}));
  app.use(drain.middleware());
  applyHttpHardening(app, ctx.config);
  const discard = { maxBytes: ctx.config.HTTP_DISCARD_MAX_BYTES, timeoutMs: ctx.config.HTTP_DISCARD_TIMEOUT_MS };
  app.use(...jsonBodyMiddleware(ctx.config.BODY_LIMIT, discard, options.bodyRoutes));
  app.useGlobalFilters(new ExceptionsFilter(ctx.logger));
  options.openApi?.(app);
  const events = new EventBusServer(ctx.bus, ctx.publisher, ctx.logger, ctx.service, ctx.config.INSTANCE_ID, ctx.replyPartition);
  events.setTransportId(EVENT_BUS_TRANSPORT);
  // inheritAppConfig hands the exception filter to event handlers too; it passes their errors through unchanged.
  app.connectMicroservice({ strategy: events }, { inheritAppConfig: true });
  options.connectTransports?.(app);
  // init first: bootstrap hooks (the trainer's registry replay) run before any event is handled.
  await app.init();
  await app.startAllMicroservices();
  if (options.listen) {
    await app.listen(ctx.config.PORT, ctx.config.HOST);
    ctx.logger.event('info', 'access', {
      prediction_routes: keys.predictRequired ? 'API key required (API_KEYS)' : 'open (API_KEYS is empty)',
      admin_routes: keys.adminRequired ? 'admin API key required (ADMIN_API_KEYS)' : 'loopback clients only (ADMIN_API_KEYS is empty)',
    });
  }
  return app;
}

/**
 * Graceful stop: fail readiness and refuse new requests, let requests in flight finish (a
 * gateway's replies still arrive, its consumers are still running), then close: consumers
 * finish their batch, commit and leave their groups. Resolves with the requests that did not
 * finish within `timeoutMs`.
 */
export async function stopServiceApp(app: INestApplication, timeoutMs: number): Promise<number> {
  const left = await app.get(HttpDrain).drain(timeoutMs);
  await app.close();
  return left;
}
