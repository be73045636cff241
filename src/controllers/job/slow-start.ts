// Kubernetes' "slow start" for bulk creates (controller_utils.go slowStartBatch): run 1, then 2, 4, 8, ... calls
// concurrently, and stop after the first batch with a failure, so a Job that cannot create pods (quota, bad
// template) sends a handful of requests and events instead of hundreds.

export const SLOW_START_INITIAL_BATCH_SIZE = 1;

/** Calls fn(0..count-1) in doubling batches; returns how many succeeded and the first error (later ones skipped). */
export async function slowStartBatch(
  count: number,
  fn: (i: number) => Promise<void>,
  initial = SLOW_START_INITIAL_BATCH_SIZE,
): Promise<{ succeeded: number; skipped: number; error?: unknown }> {
  let done = 0;
  let succeeded = 0;
  for (let batch = Math.min(count, initial); done < count; batch = Math.min(2 * batch, count - done)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, (_, k) => fn(done + k)));
    done += batch;
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    succeeded += results.filter((r) => r.status === 'fulfilled').length;
    if (failure) return { succeeded, skipped: count - done, error: failure.reason };
  }
  return { succeeded, skipped: 0 };
}
