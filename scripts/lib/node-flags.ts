/**
 * V8's heap limits per app, given on every start: `npm start`, the supervisor of `npm run
 * stack:up`, the bench and the tests' processes (here), the image under compose and the chart
 * (NODE_OPTIONS there, held equal to this by test/deploy/node-flags.spec.ts).
 *
 * Unbounded, V8 sizes its heap from the machine's memory: on 24 GB the young generation alone
 * grew to 128 MB and the old one kept garbage it had no reason to collect, so services sat at
 * 180-350 MB and the embedded process near 500 MB while their live data was 40-70 MB. The old
 * space limit leaves the live data room to double; the trainer's holds a DATASET_MAX_BYTES CSV
 * parsed into rows; the embedded process's holds its in-process topics (EMBEDDED_TOPIC_RETENTION_BYTES).
 * The workers' young generation is half the others': little of what they allocate survives a
 * scavenge, so scavenging twice as often cost no CPU that an A/B could see and saved 15 MB of
 * RSS each; the gateway's in-flight requests do survive, and it paid (docs/performance.md).
 */
export const NODE_FLAGS = {
  gateway: ['--max-semi-space-size=16', '--max-old-space-size=128'],
  'inference-worker': ['--max-semi-space-size=8', '--max-old-space-size=128'],
  monitor: ['--max-semi-space-size=16', '--max-old-space-size=128'],
  trainer: ['--max-semi-space-size=16', '--max-old-space-size=256'],
  embedded: ['--max-semi-space-size=16', '--max-old-space-size=160'],
} as const satisfies Record<string, readonly string[]>;

export type AppName = keyof typeof NODE_FLAGS;

/** The flags an app starts with; none for an entry point that is not one of the apps. */
export function nodeFlags(app: string): readonly string[] {
  return Object.hasOwn(NODE_FLAGS, app) ? NODE_FLAGS[app as AppName] : [];
}
