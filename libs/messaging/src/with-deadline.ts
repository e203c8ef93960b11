export class DeadlineExceededError extends Error {}

/**
 * Settles with `work` or rejects after `ms`, whichever comes first. The work itself is not
 * cancelled (kafkajs has no cancellation); its late outcome is observed so it cannot become an
 * unhandled rejection.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(`${what} did not complete within ${ms} ms`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
