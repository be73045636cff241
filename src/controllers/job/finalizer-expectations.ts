// Which pods' tracking finalizer the Job controller has removed but not yet seen removed in its cache
// (job_controller.go uidTrackingExpectations). Until the cache catches up, such a pod still looks uncounted;
// without this record a quick second sync would count it twice.

export class FinalizerExpectations {
  private readonly byJob = new Map<string, Set<string>>();

  expectRemovals(jobKey: string, uids: string[]): void {
    if (uids.length === 0) return;
    const set = this.byJob.get(jobKey) ?? new Set<string>();
    for (const uid of uids) set.add(uid);
    this.byJob.set(jobKey, set);
  }

  /** The cache shows the pod without the finalizer (or gone), or the removal failed. */
  removalObserved(jobKey: string, uid: string): void {
    const set = this.byJob.get(jobKey);
    if (!set) return;
    set.delete(uid);
    if (set.size === 0) this.byJob.delete(jobKey);
  }

  expected(jobKey: string): ReadonlySet<string> {
    return new Set(this.byJob.get(jobKey) ?? []);
  }

  delete(jobKey: string): void {
    this.byJob.delete(jobKey);
  }
}
