import { tracingEnabled, type AppConfig } from '@app/config';
import { startTracing, type JsonLogger, type Tracing } from '@app/observability';

/** Starts tracing for a service when its configuration asks for it (see TRACING_ENV_SCHEMA); undefined otherwise. */
export async function startServiceTracing(config: AppConfig, service: string, logger: JsonLogger): Promise<Tracing | undefined> {
  if (!tracingEnabled(config)) return undefined;
  const settings = {
    serviceName: config.OTEL_SERVICE_NAME || service,
    instanceId: config.INSTANCE_ID,
    exporter: config.OTEL_TRACES_EXPORTER === 'console' ? ('console' as const) : ('otlp' as const),
    protocol: config.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? config.OTEL_EXPORTER_OTLP_PROTOCOL,
    sampler: config.OTEL_TRACES_SAMPLER,
    samplerArg: config.OTEL_TRACES_SAMPLER_ARG,
    scheduleDelayMs: config.OTEL_BSP_SCHEDULE_DELAY,
    maxQueueSize: config.OTEL_BSP_MAX_QUEUE_SIZE,
    maxExportBatchSize: config.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
  };
  const tracing = await startTracing(settings);
  logger.event('info', 'tracing on', {
    service_name: settings.serviceName,
    exporter: settings.exporter,
    protocol: settings.protocol,
    endpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? config.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'the exporter default (localhost)',
    sampler: settings.sampler,
    sampler_arg: settings.samplerArg,
  });
  return tracing;
}
