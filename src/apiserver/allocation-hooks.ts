// How ResourceService lets a kind hold things from a shared, finite pool (a Service's ClusterIP and NodePorts),
// after Kubernetes' BeginCreate/BeginUpdate hooks: the write allocates before it is stored and gets a transaction
// back; a stored write commits it, anything else (a failed or refused write, a dry run) reverts it, so a failed
// request never leaks an allocation. Allocation itself is synchronous, so two concurrent writes can never be
// handed the same value.
import type { KubeObject } from '../api/types.js';

export interface Allocation {
  /** The write was stored: make deferred releases happen. */
  commit(): void;
  /** The write was not stored (or was a dry run): give back what was allocated for it. */
  revert(): void;
}

export const NO_ALLOCATION: Allocation = { commit() {}, revert() {} };

export interface AllocationHooks {
  /** Resolves once the pool knows what the stored objects hold (rebuilt from the store on first use). */
  ready(): Promise<void>;
  /** Fix-ups of an update before defaults and validation (e.g. keeping allocated values a writer omitted). */
  prepareUpdate(next: KubeObject, old: KubeObject): void;
  /** Allocates for a valid new object, filling the allocated fields in. Throws an ApiError, reverted, on failure. */
  allocateCreate(obj: KubeObject): Allocation;
  /** Allocates (and schedules releases) for a valid replacement of `old`. Throws an ApiError, reverted, on failure. */
  allocateUpdate(next: KubeObject, old: KubeObject): Allocation;
  /** The object is gone from the store: give back what it held. */
  release(obj: KubeObject): void;
}
