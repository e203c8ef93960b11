import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { setTracingActive } from '@app/observability';

/**
 * The OpenTelemetry SDK as startTracing registers it (provider, AsyncLocalStorage context), but
 * exporting to memory, every span sampled: in-process specs read the spans a request made.
 */
export function inMemoryTracing(): { spans: () => ReadableSpan[]; reset: () => void; stop: () => Promise<void> } {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  trace.setGlobalTracerProvider(provider);
  setTracingActive(true);
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    stop: async () => {
      setTracingActive(false);
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}
