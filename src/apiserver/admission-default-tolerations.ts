// The DefaultTolerationSeconds admission step (kube-apiserver's plugin of that name): every new pod that does not
// already tolerate them gets
//   node.kubernetes.io/not-ready:NoExecute   operator Exists, tolerationSeconds = --default-not-ready-toleration-seconds
//   node.kubernetes.io/unreachable:NoExecute operator Exists, tolerationSeconds = --default-unreachable-toleration-seconds
// so that when its node fails, the taint eviction controller deletes it after that many seconds (and its
// controller replaces it elsewhere) instead of at once. A pod's own toleration for the key — or one with an empty
// key or an empty effect, which covers it — wins; DaemonSet pods carry theirs without seconds and stay forever.
import type { ResourceDef } from '../api/resource-def.js';
import type { KubeObject, Toleration } from '../api/types.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';

export interface DefaultTolerationSeconds {
  notReady: number;
  unreachable: number;
}

/** True when some toleration already covers key:NoExecute (the plugin's own test, operator and value aside). */
function covers(tolerations: Toleration[], key: string): boolean {
  return tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
}

/** The pod's tolerations with the defaults it lacks appended (the same array when it lacks none). */
export function withDefaultTolerations(
  tolerations: Toleration[],
  secs: DefaultTolerationSeconds,
): Toleration[] {
  const added: Toleration[] = [];
  if (!covers(tolerations, TAINT_NOT_READY))
    added.push({
      key: TAINT_NOT_READY,
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: secs.notReady,
    });
  if (!covers(tolerations, TAINT_UNREACHABLE))
    added.push({
      key: TAINT_UNREACHABLE,
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: secs.unreachable,
    });
  return added.length ? [...tolerations, ...added] : tolerations;
}

/**
 * Runs on create, after defaulting and before validation. Only core/v1 pods; a spec or tolerations list of the
 * wrong shape is left for validation to reject.
 */
export function admitDefaultTolerations(
  def: ResourceDef,
  obj: KubeObject,
  secs: DefaultTolerationSeconds,
): void {
  if (def.group !== '' || def.resource !== 'pods') return;
  const spec: unknown = obj.spec;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return;
  const s = spec as { tolerations?: unknown };
  if (s.tolerations !== undefined && s.tolerations !== null && !Array.isArray(s.tolerations)) return;
  const current = (s.tolerations ?? []) as Toleration[];
  if (current.some((t) => !t || typeof t !== 'object')) return;
  const next = withDefaultTolerations(current, secs);
  if (next !== current) s.tolerations = next;
}
