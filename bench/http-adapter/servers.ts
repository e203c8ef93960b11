import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, type INestApplication, Module, Post, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { featuresSchema, featureVector } from '@app/contracts';
import { InMemoryEventBus } from '@app/messaging';
import { fitGaussianNB, irisDataset, scoreGaussianNB } from '@app/model';
import { CLIENT_REQUEST_ID, httpLatency, httpRequests, JsonLogger, runWithRequestId } from '@app/observability';
import { Access } from '@app/security';
import { bodyLimitBytes, createServiceApp, HttpDrain, RuntimeModule, serviceContext, validateBody, type ServiceContext } from '@app/runtime';
import { securityHeadersMiddleware } from '@app/runtime/http-hardening';
import type { Variant } from './variants';

/**
 * The servers `npm run bench:http` compares: Nest serving POST /predict on one HTTP adapter, the handler
 * the same in every variant (validate the body with the contract's schema, score it with Gaussian
 * naive Bayes in process) so only the HTTP layer differs:
 * - `express`, `fastify`: Nest's adapter as it comes, nothing of ours around the handler;
 * - `express-hardened`: the gateway's own chain (createServiceApp: hardened node:http server,
 *   request ids and the access log, drain, security headers, our JSON body parsing, the rate
 *   limit and API key guards, the exception filter);
 * - `fastify-hardened`: Fastify with the same guards and the per-request work of that chain done
 *   in Fastify hooks (request id, access log and metrics, drain count, security headers, body
 *   limit, request and keep-alive timeouts). Not ported, because the bench exercises none of
 *   it: error answers in our shape, the per-address connection cap (work per connection, not
 *   per request), Content-Type and charset refusals (Fastify's own do the same checks).
 */
const params = fitGaussianNB(irisDataset());

@Controller('predict')
class PredictController {
  @Post()
  @HttpCode(200)
  @Access('predict')
  predict(@Body() body: unknown) {
    const score = scoreGaussianNB(params, featureVector(validateBody(featuresSchema, body)));
    return { status: 'success', prediction: score.className, class_id: score.classId, probability: score.probability, probabilities: score.probabilities };
  }
}

function moduleOf(ctx: ServiceContext | null): DynamicModule {
  @Module({})
  class BenchModule {}
  return { module: BenchModule, imports: ctx ? [RuntimeModule.forRoot(ctx)] : [], controllers: [PredictController] };
}

async function fastifyHardened(ctx: ServiceContext): Promise<INestApplication> {
  const c = ctx.config;
  const adapter = new FastifyAdapter({
    bodyLimit: bodyLimitBytes(c.BODY_LIMIT),
    connectionTimeout: c.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: c.HTTP_KEEPALIVE_TIMEOUT_MS,
    requestTimeout: c.HTTP_REQUEST_TIMEOUT_MS,
  });
  const app = await NestFactory.create(moduleOf(ctx), adapter, { logger: ctx.logger, abortOnError: false });
  const fastify = adapter.getInstance();
  // The chain's own drain and security headers, run on the raw Node request and response.
  const drainRequests = app.get(HttpDrain).middleware();
  const securityHeaders = securityHeadersMiddleware();
  const logger = ctx.logger;
  const requests = new WeakMap<object, { started: bigint; requestId: string; clientRequestId?: string }>();
  fastify.addHook('onRequest', (req, reply, done) => {
    const given = req.headers['x-request-id'];
    const clientRequestId = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : undefined;
    const requestId = randomUUID();
    requests.set(req, { started: process.hrtime.bigint(), requestId, clientRequestId });
    reply.header('x-request-id', clientRequestId ?? requestId);
    securityHeaders(req.raw as never, reply.raw as never, () => drainRequests(req.raw as never, reply.raw as never, done));
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const { started, requestId, clientRequestId } = requests.get(req)!;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = req.routeOptions.url ?? 'unmatched';
    httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    httpLatency.observe({ method: req.method, route }, seconds);
    const line = { method: req.method, path: req.url, status: reply.statusCode, latency_ms: Math.round(seconds * 1e6) / 1e3 };
    runWithRequestId(requestId, () => logger.event('info', 'http request', line), clientRequestId);
    done();
  });
  return app;
}

/** The variant's app, not yet listening; its configuration from `env` as a service's is (the rate limit past any load). */
export async function createBenchServer(variant: Variant, env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadConfig({ ...env, RATE_LIMIT: '1000000000' });
  const ctx = serviceContext('bench-http', config, new InMemoryEventBus());
  const quiet = new JsonLogger('bench-http', 'warn');
  switch (variant) {
    case 'express':
      return NestFactory.create(moduleOf(null), new ExpressAdapter(), { logger: quiet });
    case 'fastify':
      return NestFactory.create(moduleOf(null), new FastifyAdapter({ bodyLimit: bodyLimitBytes(config.BODY_LIMIT) }), { logger: quiet });
    case 'express-hardened':
      return createServiceApp(ctx, moduleOf(ctx), { listen: false });
    case 'fastify-hardened':
      return fastifyHardened(ctx);
  }
}
