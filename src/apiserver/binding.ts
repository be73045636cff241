// pods/{name}/binding: how the scheduler assigns a Pod to a Node. Pure: the bound Pod, or why it can't be bound.
import type { KubeObject, PodCondition } from '../api/types.js';
import { rfc3339 } from '../common/clock.js';
import { badRequest, conflict } from '../common/errors.js';
import { shown } from './shown.js';

const BINDING_RESOURCE = { group: '', resource: 'pods/binding' };

/** The node a core/v1 Binding targets; 400 when it names none. */
export function bindingTarget(binding: unknown): string {
  const target = (binding as { target?: { name?: unknown; kind?: unknown } } | null)?.target;
  if (!target || typeof target.name !== 'string' || target.name === '') {
    throw badRequest('the binding must name a target node (target.name)');
  }
  if (target.kind !== undefined && target.kind !== 'Node') {
    throw badRequest(`a pod can only be bound to a Node, not a ${shown(target.kind)}`);
  }
  return target.name;
}

/** The pod with spec.nodeName set and PodScheduled=True; 409 when it is already on a node or being deleted. */
export function bindPod(pod: KubeObject, nodeName: string, now: number): KubeObject {
  const name = pod.metadata.name ?? '';
  if (pod.metadata.deletionTimestamp) {
    throw conflict(BINDING_RESOURCE, name, `pod ${name} is being deleted, cannot be assigned to a host`);
  }
  const current = pod.spec?.nodeName;
  if (current) {
    throw conflict(BINDING_RESOURCE, name, `pod ${name} is already assigned to node "${current}"`);
  }
  const bound = structuredClone(pod);
  bound.spec = { ...(bound.spec ?? {}), nodeName };
  const status = (bound.status ??= {});
  const conditions: PodCondition[] = (status.conditions ?? []).filter(
    (c: PodCondition) => c.type !== 'PodScheduled',
  );
  conditions.push({
    type: 'PodScheduled',
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: rfc3339(now),
  });
  status.conditions = conditions;
  return bound;
}
