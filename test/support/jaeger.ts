import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './http';
import { REPO_ROOT } from '../../scripts/lib/service-process';

// From the sources and from dist/ (the tracing bench) alike.
export const JAEGER_BIN = join(REPO_ROOT, '.tools', 'bin', 'jaeger');

/** A span as Jaeger's query API (/api/traces) returns it. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  references: Array<{ refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }>;
  tags: Array<{ key: string; value: unknown }>;
  startTime: number;
  duration: number;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

export interface JaegerPorts {
  otlpHttp: number;
  otlpGrpc: number;
  query: number;
  queryGrpc: number;
}

/**
 * Jaeger v2 (built from its Go module by scripts/tools/install-jaeger.sh) with in-memory storage,
 * OTLP over HTTP and gRPC and the query API on the given ports, all on 127.0.0.1.
 */
export class Jaeger {
  private constructor(
    private readonly child: ChildProcess,
    readonly ports: JaegerPorts,
  ) {}

  static async start(ports: JaegerPorts, logFile: string): Promise<Jaeger> {
    if (!existsSync(JAEGER_BIN)) throw new Error(`${JAEGER_BIN} is missing: bash scripts/tools/install-jaeger.sh builds it`);
    const config = join(mkdtempSync(join(tmpdir(), 'jaeger-')), 'config.yaml');
    writeFileSync(
      config,
      `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
extensions:
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${ports.query}
    grpc:
      endpoint: 127.0.0.1:${ports.queryGrpc}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${ports.otlpGrpc}
      http:
        endpoint: 127.0.0.1:${ports.otlpHttp}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`,
    );
    const log = openSync(logFile, 'w');
    const child = spawn(JAEGER_BIN, ['--config', config], { stdio: ['ignore', log, log] });
    closeSync(log);
    const jaeger = new Jaeger(child, ports);
    await eventually(async () => ((await fetch(`${jaeger.queryUrl}/api/services`).catch(() => null))?.ok ? true : undefined), 30_000, 'Jaeger to answer');
    return jaeger;
  }

  get queryUrl(): string {
    return `http://127.0.0.1:${this.ports.query}`;
  }

  /** Traces of a service, optionally of one operation and with span tags, as Jaeger's search finds them. */
  async search(service: string, filter: { operation?: string; tags?: Record<string, string> } = {}): Promise<JaegerTrace[]> {
    const q = new URLSearchParams({ service, limit: '200', lookback: '1h' });
    if (filter.operation) q.set('operation', filter.operation);
    if (filter.tags) q.set('tags', JSON.stringify(filter.tags));
    const res = await fetch(`${this.queryUrl}/api/traces?${q}`);
    if (!res.ok) throw new Error(`Jaeger search answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [];
  }

  async trace(traceId: string): Promise<JaegerTrace | undefined> {
    const res = await fetch(`${this.queryUrl}/api/traces/${traceId}`);
    if (res.status === 404) return undefined;
    return ((await res.json()) as { data: JaegerTrace[] }).data[0];
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

export const tagOf = (span: JaegerSpan, key: string): unknown => span.tags.find((t) => t.key === key)?.value;

/** A trace as indented text, each span with its service, offset from the trace's start and duration (ms). */
export function traceText(trace: JaegerTrace): string {
  const start = Math.min(...trace.spans.map((s) => s.startTime));
  const children = new Map<string | undefined, JaegerSpan[]>();
  const ids = new Set(trace.spans.map((s) => s.spanID));
  for (const s of trace.spans) {
    const parent = s.references.find((r) => r.refType === 'CHILD_OF' && ids.has(r.spanID))?.spanID;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => a.startTime - b.startTime)) {
      const at = ((s.startTime - start) / 1000).toFixed(2);
      const took = (s.duration / 1000).toFixed(2);
      lines.push(`${'  '.repeat(depth)}${s.operationName} [${trace.processes[s.processID].serviceName}] +${at} ms, ${took} ms`);
      walk(s.spanID, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}
