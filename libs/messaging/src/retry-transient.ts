/**
 * Right after topics are created, or during a leader election, the broker answers "not the
 * leader" for a moment; kafkajs marks such errors retriable. Start-up must ride them out.
 */
export async function retryTransient<T>(call: () => Promise<T>, attempts = 20, delayMs = 500): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err as { retriable?: boolean }).retriable || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
