import { context, trace } from '@opentelemetry/api';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace';
import { setTracingActive } from './trace-context';

/** What startTracing needs of the configuration (the OTEL_* variables, validated by @app/config). */
export interface TracingSettings {
  serviceName: string;
  instanceId: string;
  exporter: 'otlp' | 'console';
  protocol: 'http/protobuf' | 'http/json' | 'grpc';
  sampler: 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';
  samplerArg: number;
  /** Batch span processor: export every this many ms, queue at most this many spans (more are dropped, never blocking a request). */
  scheduleDelayMs: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
}

export interface Tracing {
  /** Exports what is queued and stops; spans started later are dropped. */
  shutdown(): Promise<void>;
}

/**
 * Registers the OpenTelemetry SDK for this process: a tracer provider with the sampler asked
 * for, a batch span processor exporting over OTLP (http/protobuf, http/json or gRPC; endpoint,
 * headers and timeout from the standard OTEL_EXPORTER_OTLP_* variables, read by the exporter),
 * and the AsyncLocalStorage context manager. The SDK is loaded only here, so a process with
 * tracing off never loads it.
 */
export async function startTracing(s: TracingSettings): Promise<Tracing> {
  const sdk = await import('@opentelemetry/sdk-trace');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { detectResources, resourceAttributesEnvDetector, resourceFromAttributes } = await import('@opentelemetry/resources');

  const ratio = new sdk.TraceIdRatioBasedSampler(s.samplerArg);
  const samplers: Record<TracingSettings['sampler'], Sampler> = {
    always_on: new sdk.AlwaysOnSampler(),
    always_off: new sdk.AlwaysOffSampler(),
    traceidratio: ratio,
    parentbased_always_on: new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() }),
    parentbased_always_off: new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() }),
    parentbased_traceidratio: new sdk.ParentBasedSampler({ root: ratio }),
  };
  const exporter = s.exporter === 'console' ? new sdk.ConsoleSpanExporter() : await otlpExporter(s.protocol);
  const resource = detectResources({ detectors: [resourceAttributesEnvDetector] }).merge(
    resourceFromAttributes({ 'service.name': s.serviceName, 'service.instance.id': s.instanceId }),
  );
  const provider = new sdk.TracerProvider({
    resource,
    sampler: samplers[s.sampler],
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        exporter,
        scheduledDelayMillis: s.scheduleDelayMs,
        maxQueueSize: s.maxQueueSize,
        maxExportBatchSize: Math.min(s.maxExportBatchSize, s.maxQueueSize),
      }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  setTracingActive(true);
  return {
    shutdown: async () => {
      setTracingActive(false);
      await provider.shutdown();
    },
  };
}

async function otlpExporter(protocol: TracingSettings['protocol']): Promise<SpanExporter> {
  switch (protocol) {
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    default:
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
  }
}
