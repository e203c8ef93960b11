import { categoryOf, type ProfileShare } from './cpu-profile';

/** A node of V8's sampling heap profile (HeapProfiler.stopSampling): bytes allocated by one call path, estimated from samples. */
export interface HeapSamplingNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: HeapSamplingNode[];
}

export interface AllocationSummary {
  allocated_mb: number;
  bytes_per_prediction: number;
  /** Share of the allocated bytes per category of the code that allocated them. */
  categories: ProfileShare[];
}

/**
 * How much a process allocated while profiled and which code allocated it: the sampling heap
 * profiler run with objects collected by both GCs included, so the tree holds everything
 * allocated, not only what survived.
 */
export function summarizeAllocations(head: HeapSamplingNode, predictions: number): AllocationSummary {
  const bytes = new Map<string, number>();
  let total = 0;
  const stack = [head];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.selfSize > 0) {
      const category = categoryOf(node.callFrame);
      bytes.set(category, (bytes.get(category) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    stack.push(...node.children);
  }
  const categories = [...bytes]
    .map(([category, n]) => ({ category, share: total > 0 ? n / total : 0 }))
    .sort((a, b) => b.share - a.share || a.category.localeCompare(b.category));
  return { allocated_mb: Math.round((total / 2 ** 20) * 10) / 10, bytes_per_prediction: Math.round(total / Math.max(predictions, 1)), categories };
}
