import { z } from 'zod';

/**
 * OpenTelemetry tracing, by the standard OTEL_* names. Off unless asked for: OTEL_TRACES_EXPORTER=otlp,
 * or an OTLP endpoint set (OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, read
 * with OTEL_EXPORTER_OTLP_HEADERS and _TIMEOUT by the exporter itself). The spec's default exporter
 * is otlp; ours is none, so a process with no collector sends nothing anywhere.
 */
export const TRACING_ENV_SCHEMA = {
  /** otlp, console (spans as JSON on stdout) or none; empty: otlp when an OTLP endpoint is set, else none. */
  OTEL_TRACES_EXPORTER: z.enum(['', 'otlp', 'console', 'none']).default(''),
  /** true turns tracing off whatever else is set. */
  OTEL_SDK_DISABLED: z.enum(['true', 'false', '']).default('false'),
  /** OTLP transport: http/protobuf, http/json or grpc (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL wins). */
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json', 'grpc']).default('http/protobuf'),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(['http/protobuf', 'http/json', 'grpc']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  /** The service.name spans carry; empty: the service's own name (gateway, inference-worker, trainer, monitor, embedded). */
  OTEL_SERVICE_NAME: z.string().max(200).default(''),
  /** Which traces are kept: the spec's samplers; parentbased_* follows a caller's sampled flag. */
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .default('parentbased_traceidratio'),
  /** The ratio of the *traceidratio samplers, 0 to 1. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(0.01),
  /** Spans are exported every this many ms... */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(10).max(600_000).default(5_000),
  /** ...at most this many at a time... */
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(512),
  /** ...and at most this many wait: past it new spans are dropped rather than slowing requests. */
  OTEL_BSP_MAX_QUEUE_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(2_048),
  /**
   * What the gateway does with a caller's `traceparent`: link (a trace of its own, linked to the
   * caller's span: a caller cannot choose our trace ids or force our sampling) or follow (continue
   * the caller's trace, for callers you trust).
   */
  TRACE_CALLER_CONTEXT: z.enum(['link', 'follow']).default('link'),
};

/** Tracing is on when an exporter is named, or an OTLP endpoint set with none named. */
export function tracingEnabled(c: {
  OTEL_SDK_DISABLED: string;
  OTEL_TRACES_EXPORTER: string;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
}): boolean {
  if (c.OTEL_SDK_DISABLED === 'true' || c.OTEL_TRACES_EXPORTER === 'none') return false;
  if (c.OTEL_TRACES_EXPORTER !== '') return true;
  return Boolean(c.OTEL_EXPORTER_OTLP_ENDPOINT || c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}
