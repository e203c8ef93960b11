import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';

/**
 * Spans through the OpenTelemetry API only: with no SDK registered (tracing off, the default)
 * nothing here is reached, because every caller asks tracingActive() first, so a prediction pays
 * nothing for tracing it does not use. The W3C traceparent is formatted and parsed here rather than
 * by a global propagator: it travels in event envelopes and batch entries as well as in headers.
 */
let active = false;
let tracer: Tracer | undefined;

export function tracingActive(): boolean {
  return active;
}

/** Set by startTracing once a tracer provider is registered. */
export function setTracingActive(on: boolean): void {
  active = on;
  tracer = undefined;
}

const TRACER = 'iris-platform';
const PARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export { SpanKind };
export type { Span, SpanContext };

/**
 * Whether the trace a traceparent names is being recorded (its sampled flag). Only the gateway
 * decides: everything downstream follows the request's flag, and makes no span at all for a
 * request that is not sampled (it passes the traceparent on, so its trace id still reaches logs
 * and documents).
 */
export function sampled(traceparent: string | undefined): boolean {
  return spanContextOf(traceparent)?.traceFlags === 1;
}

/** The remote span a traceparent names; undefined for anything malformed or all-zero. */
export function spanContextOf(traceparent: string | undefined): SpanContext | undefined {
  const m = traceparent ? PARENT.exec(traceparent) : null;
  if (!m || m[1] === ZERO_TRACE || m[2] === ZERO_SPAN) return undefined;
  return { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16) & 1, isRemote: true };
}

/** A context whose parent is the span a traceparent names (the root context when there is none). */
export function contextOf(traceparent: string | undefined): Context {
  const parent = spanContextOf(traceparent);
  return parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
}

export function traceparentOf(span: Span | undefined): string | undefined {
  const sc = span?.spanContext();
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  return `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & 1}`;
}

/** The trace id inside a traceparent: what logs and Elasticsearch documents carry. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return spanContextOf(traceparent)?.traceId;
}

/** The active span's traceparent (the one an event published now continues). */
export function activeSpanTraceparent(): string | undefined {
  return active ? traceparentOf(trace.getActiveSpan()) : undefined;
}

/** Whether a recorded (sampled) span is active: children are worth making only under one. */
export function recordingSpanActive(): boolean {
  return active && trace.getActiveSpan()?.isRecording() === true;
}

export function activeTraceId(): string | undefined {
  const sc = active ? trace.getActiveSpan()?.spanContext() : undefined;
  return sc && trace.isSpanContextValid(sc) ? sc.traceId : undefined;
}

/** Links to the spans traceparents name, skipping absent or malformed ones. */
export function linksTo(traceparents: Iterable<string | undefined>): Link[] {
  const links: Link[] = [];
  for (const tp of traceparents) {
    const sc = spanContextOf(tp);
    if (sc) links.push({ context: sc });
  }
  return links;
}

export interface SpanStart {
  kind?: SpanKind;
  /** The parent; the active context when absent. */
  parent?: Context;
  /** A new trace whatever the active context (a batch's own span). */
  root?: boolean;
  links?: Link[];
  attributes?: Attributes;
  startTime?: number;
}

export function startSpan(name: string, start: SpanStart = {}): Span {
  tracer ??= trace.getTracer(TRACER);
  const span = tracer.startSpan(name, { kind: start.kind, root: start.root, links: start.links, startTime: start.startTime }, start.parent ?? context.active());
  // Attributes only on spans that are kept: an unsampled span would clean and drop them.
  if (start.attributes && span.isRecording()) span.setAttributes(start.attributes);
  return span;
}

/** Ends a span, with the error status (and the message) when the work failed. */
export function endSpan(span: Span | undefined, error?: unknown): void {
  if (!span) return;
  if (error !== undefined && error !== null) {
    const message = error instanceof Error ? error.message : String(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    if (error instanceof Error) span.recordException(error);
  }
  span.end();
}

/** Marks a span failed without ending it (a request answered with an error status). */
export function failSpan(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** Runs fn with span as the active span, so what it publishes and logs continues that span. */
export function withSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** A context whose parent is `span` (a child started in another turn, e.g. after a batch was scored). */
export function under(span: Span): Context {
  return trace.setSpan(ROOT_CONTEXT, span);
}

/**
 * A request's server span (HTTP or gRPC). A caller's traceparent is linked (a trace of our own:
 * a caller cannot choose our trace ids or force sampling) or, with `follow`, continued.
 */
export function startServerSpan(name: string, callerTraceparent: string | undefined, callerContext: 'link' | 'follow', attributes: Attributes): Span {
  const follow = callerContext === 'follow' && spanContextOf(callerTraceparent) !== undefined;
  return startSpan(name, {
    kind: SpanKind.SERVER,
    parent: follow ? contextOf(callerTraceparent) : undefined,
    root: !follow,
    links: follow ? [] : linksTo([callerTraceparent]),
    attributes,
  });
}
