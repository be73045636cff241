// The taints the node lifecycle controller owns, decided purely from the node's conditions and spec:
// - NoExecute (taint-based eviction): Ready=False → node.kubernetes.io/not-ready, Ready=Unknown →
//   node.kubernetes.io/unreachable (mutually exclusive, like the Ready condition they mirror);
// - NoSchedule (TaintNodesByCondition): the same two, plus memory/disk/pid pressure and network-unavailable when
//   those conditions are True, and node.kubernetes.io/unschedulable on a cordoned node.
// Every other taint is left exactly as it is; a taint that stays keeps its timeAdded, a new one gets `now`.
import type { Node, Taint } from '../../api/types.js';
import { rfc3339 } from '../../common/clock.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** nodeConditionToTaintKeyStatusMap: which condition in which status implies which taint key. */
const CONDITION_TAINTS: { type: string; status: string; key: string }[] = [
  { type: 'Ready', status: 'False', key: TAINT_NOT_READY },
  { type: 'Ready', status: 'Unknown', key: TAINT_UNREACHABLE },
  { type: 'MemoryPressure', status: 'True', key: TAINT_MEMORY_PRESSURE },
  { type: 'DiskPressure', status: 'True', key: TAINT_DISK_PRESSURE },
  { type: 'PIDPressure', status: 'True', key: TAINT_PID_PRESSURE },
  { type: 'NetworkUnavailable', status: 'True', key: TAINT_NETWORK_UNAVAILABLE },
];

const MANAGED_NO_SCHEDULE = new Set([...CONDITION_TAINTS.map((c) => c.key), TAINT_UNSCHEDULABLE]);
const MANAGED_NO_EXECUTE = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE]);

function isManaged(t: Pick<Taint, 'key' | 'effect'>): boolean {
  return (
    (t.effect === 'NoSchedule' && MANAGED_NO_SCHEDULE.has(t.key)) ||
    (t.effect === 'NoExecute' && MANAGED_NO_EXECUTE.has(t.key))
  );
}

const id = (t: Pick<Taint, 'key' | 'effect'>) => `${t.key}:${t.effect}`;

export interface TaintOptions {
  /**
   * Whether not-ready/unreachable NoExecute taints may be placed (false in full disruption, which also lifts
   * those already placed).
   */
  noExecute: boolean;
}

/** The managed taints the node should carry now (without timeAdded). */
export function wantedTaints(node: Node, opts: TaintOptions): Pick<Taint, 'key' | 'effect'>[] {
  const wanted: Pick<Taint, 'key' | 'effect'>[] = [];
  const conditions = node.status?.conditions ?? [];
  for (const ct of CONDITION_TAINTS) {
    if (conditions.some((c) => c.type === ct.type && c.status === ct.status))
      wanted.push({ key: ct.key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) wanted.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  if (opts.noExecute) {
    const ready = conditions.find((c) => c.type === 'Ready')?.status;
    if (ready === 'False') wanted.push({ key: TAINT_NOT_READY, effect: 'NoExecute' });
    if (ready === 'Unknown') wanted.push({ key: TAINT_UNREACHABLE, effect: 'NoExecute' });
  }
  return wanted;
}

/** The node's full taint list as it should be, and whether that differs from what it has. */
export function reconcileTaints(
  node: Node,
  nowMs: number,
  opts: TaintOptions,
): { taints: Taint[]; changed: boolean } {
  const current = node.spec?.taints ?? [];
  const wanted = new Set(wantedTaints(node, opts).map(id));
  const kept = new Set<string>();
  const taints: Taint[] = [];
  for (const t of current) {
    if (!isManaged(t)) {
      taints.push(t);
      continue;
    }
    // A managed taint stays (once) while wanted; a duplicate or an unwanted one goes.
    if (wanted.has(id(t)) && !kept.has(id(t))) {
      kept.add(id(t));
      taints.push(t);
    }
  }
  for (const w of wantedTaints(node, opts)) {
    if (kept.has(id(w))) continue;
    taints.push({ key: w.key, effect: w.effect, timeAdded: rfc3339(nowMs) });
  }
  const changed = taints.length !== current.length || taints.some((t, i) => t !== current[i]);
  return { taints, changed };
}
