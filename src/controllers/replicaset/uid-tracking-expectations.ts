// Kubernetes' UIDTrackingControllerExpectations (pkg/controller/controller_utils.go): deletions are expected by pod
// key, not just counted. A gracefully deleted pod is seen twice (deletionTimestamp set, then gone); counting both
// would satisfy the expectations before every deletion was observed, and a lagging cache would let the ReplicaSet
// delete more pods than it meant to. Only the first sighting of an expected pod lowers the count.
import type { Clock } from '../../common/clock.js';
import { ControllerExpectations } from '../runtime/expectations.js';

export class UidTrackingExpectations extends ControllerExpectations {
  private readonly expectedDeletions = new Map<string, Set<string>>();

  constructor(opts: { clock?: Clock; ttlMs?: number } = {}) {
    super(opts);
  }

  /** The controller is about to delete these pods (keys `ns/name`); replaces earlier expectations. */
  expectDeletionsOf(key: string, podKeys: string[]): void {
    this.expectedDeletions.set(key, new Set(podKeys));
    this.expectDeletions(key, podKeys.length);
  }

  /** A pod of `key` was seen going away; counts only when it is one the controller deleted. */
  podDeletionObserved(key: string, podKey: string): void {
    const expected = this.expectedDeletions.get(key);
    if (!expected?.has(podKey)) return;
    expected.delete(podKey);
    this.deletionObserved(key);
  }

  override deleteExpectations(key: string): void {
    this.expectedDeletions.delete(key);
    super.deleteExpectations(key);
  }
}
