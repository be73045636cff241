// Kubernetes' slowStartBatch (pkg/controller/replicaset/replica_set.go): run `count` calls in batches of 1, 2, 4, …
// The first batch probes whether creating works at all; a failure stops everything after the failing batch, so a
// quota or admission error costs one request instead of hundreds. DaemonSets and Jobs create pods the same way.

/** How many calls succeeded, and the first error (undefined when all `count` succeeded). */
export interface SlowStartResult {
  successes: number;
  error?: unknown;
}

export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<unknown>,
): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failures.length;
    if (failures.length > 0) return { successes, error: failures[0].reason };
    remaining -= batch;
  }
  return { successes };
}
