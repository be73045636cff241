// Which active pods go first when a Job (or any controller) must remove some: Kubernetes' controller.ActivePods
// order — unscheduled before scheduled, Pending < Unknown < Running, not ready before ready, ready for a shorter
// time first, more restarts first, newer first — so the pods that have done the least work are removed.
import { getPodCondition, podIsReady } from '../../api/object-meta.js';
import type { Pod } from '../../api/types.js';
import { parseTime } from './job-util.js';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function maxRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

/** a "after or zero" b: a missing time counts as newest. */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

/** Negative when `a` should be removed before `b`. */
export function compareForRemoval(a: Pod, b: Pod): number {
  const na = a.spec.nodeName ?? '';
  const nb = b.spec.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const pa = PHASE_ORDER[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = PHASE_ORDER[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = podIsReady(a);
  const rb = podIsReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  if (ra && rb) {
    const ta = parseTime(getPodCondition(a.status, 'Ready')?.lastTransitionTime);
    const tb = parseTime(getPodCondition(b.status, 'Ready')?.lastTransitionTime);
    if (ta !== tb) return afterOrZero(ta, tb) ? -1 : 1;
  }
  const ca = maxRestarts(a);
  const cb = maxRestarts(b);
  if (ca !== cb) return cb - ca;
  const ka = parseTime(a.metadata.creationTimestamp);
  const kb = parseTime(b.metadata.creationTimestamp);
  if (ka !== kb) return afterOrZero(ka, kb) ? -1 : 1;
  return 0;
}

export function sortForRemoval(pods: Pod[]): Pod[] {
  return [...pods].sort(compareForRemoval);
}
