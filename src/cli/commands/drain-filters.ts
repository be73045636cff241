// Which pods `drain` may evict from a node, decided purely (kubectl's pkg/drain/filters.go). Each pod goes
// through the filters in order, stopping at the first that keeps it:
//   DaemonSet-managed → never evicted (the DaemonSet controller ignores cordons and would put it straight back);
//                       an error without --ignore-daemonsets, a warning with it; if its DaemonSet is gone, the
//                       pod is an orphan: evicted with --force (warning), an error without;
//   mirror pod        → skipped (static pods can't be deleted through the API; skiff has none, kept for fidelity);
//   emptyDir volume   → its data dies with it: an error without --delete-emptydir-data;
//   no controller     → nothing would recreate it: an error without --force.
// Finished pods (Succeeded/Failed) are always evicted.
import { getControllerOf } from '../../api/object-meta.js';
import type { Pod } from '../../api/types.js';

export const DAEMONSET_FATAL = 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)';
export const DAEMONSET_WARNING = 'ignoring DaemonSet-managed Pods';
export const LOCAL_STORAGE_FATAL = 'Pods with local storage (use --delete-emptydir-data to override)';
export const UNMANAGED_FATAL = 'cannot delete Pods that declare no controller (use --force to override)';
export const UNMANAGED_WARNING = 'deleting Pods that declare no controller';
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export interface DrainFlags {
  force: boolean;
  ignoreDaemonSets: boolean;
  deleteEmptyDirData: boolean;
}

export type Verdict =
  | { delete: true; warning?: string }
  | { delete: false; skip: true; warning?: string }
  | { delete: false; skip?: false; error: string };

/** Why a pod's DaemonSet can't be read (e.g. `daemonsets.apps "x" not found`), with whether it is missing. */
export interface DaemonSetProblem {
  message: string;
  notFound: boolean;
}

export interface DrainPlan {
  /** The pods to evict, in list order. */
  pods: Pod[];
  /** kubectl's `Warning: …` text ('' for none): `message: ns/a, ns/b; message: …`. */
  warnings: string;
  /** One line per refusal reason: `cannot delete …: ns/a, ns/b`. Non-empty → nothing is evicted. */
  errors: string[];
}

const finished = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/**
 * kubectl's filters for one pod. `daemonSetProblem` says why its controlling DaemonSet can't be read, if so.
 * As in kubectl, a pod that passes a filter takes the verdict of the next one, so the warnings of the DaemonSet
 * (orphan) and local-storage filters never survive to the end: only the last two kinds of warning are printed.
 */
export function podVerdict(pod: Pod, flags: DrainFlags, daemonSetProblem?: DaemonSetProblem): Verdict {
  const controller = getControllerOf(pod);
  if (controller?.kind === 'DaemonSet' && !finished(pod)) {
    if (daemonSetProblem) {
      // An orphan (its DaemonSet is gone) may be evicted with --force.
      if (!(daemonSetProblem.notFound && flags.force))
        return { delete: false, error: daemonSetProblem.message };
    } else if (!flags.ignoreDaemonSets) {
      return { delete: false, error: DAEMONSET_FATAL };
    } else {
      return { delete: false, skip: true, warning: DAEMONSET_WARNING };
    }
  }
  if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return { delete: false, skip: true };
  const emptyDir = (pod.spec?.volumes ?? []).some((v) => v.emptyDir);
  if (emptyDir && !finished(pod) && !flags.deleteEmptyDirData)
    return { delete: false, error: LOCAL_STORAGE_FATAL };
  if (finished(pod) || controller) return { delete: true };
  if (!flags.force) return { delete: false, error: UNMANAGED_FATAL };
  return { delete: true, warning: UNMANAGED_WARNING };
}

/** Messages with the pods they apply to, in first-seen order. */
function group(entries: [string, Pod][]): [string, string[]][] {
  const byMessage = new Map<string, string[]>();
  for (const [message, pod] of entries) {
    const list = byMessage.get(message) ?? [];
    list.push(`${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`);
    byMessage.set(message, list);
  }
  return [...byMessage];
}

/** The drain plan for the pods on a node. `daemonSetProblems` is keyed `namespace/name` of the DaemonSet. */
export function planDrain(
  pods: Pod[],
  flags: DrainFlags,
  daemonSetProblems: Map<string, DaemonSetProblem> = new Map(),
): DrainPlan {
  const evict: Pod[] = [];
  const warnings: [string, Pod][] = [];
  const errors: [string, Pod][] = [];
  for (const pod of pods) {
    const controller = getControllerOf(pod);
    const problem =
      controller?.kind === 'DaemonSet'
        ? daemonSetProblems.get(`${pod.metadata.namespace ?? ''}/${controller.name}`)
        : undefined;
    const v = podVerdict(pod, flags, problem);
    if (v.delete) evict.push(pod);
    if ('error' in v) errors.push([v.error, pod]);
    else if (v.warning) warnings.push([v.warning, pod]);
  }
  return {
    pods: evict,
    warnings: group(warnings)
      .map(([message, names]) => `${message}: ${names.join(', ')}`)
      .join('; '),
    errors: group(errors).map(([message, names]) => {
      const text = message.toLowerCase().startsWith('cannot delete') ? message : `cannot delete ${message}`;
      return `${text}: ${names.join(', ')}`;
    }),
  };
}
