// pods/{name}/eviction: the policy/v1 Eviction (policy/v1beta1 is accepted too) that `kubectl drain` posts for
// every pod it moves off a node. Kubernetes' EvictionREST: check the Eviction names this pod, mark the pod with
// a DisruptionTarget condition (reason EvictionByEvictionAPI), then delete it with the Eviction's deleteOptions,
// an ordinary graceful deletion (the agent stops the containers within the grace period, then removes the pod).
// The answer is a Success Status with HTTP 201.
//
// skiff has no PodDisruptionBudgets, so an eviction is never refused with 429 TooManyRequests ("Cannot evict pod
// as it would violate the pod's disruption budget."): every eviction of an existing pod goes ahead.
import type { DeleteOptions, KubeObject, Pod, Status } from '../api/types.js';
import { setPodCondition } from '../api/object-meta.js';
import type { ResourceRef } from '../client/api-client.js';
import { rfc3339 } from '../common/clock.js';
import { badRequest, isApiError } from '../common/errors.js';
import { parseDeleteOptions, type Query } from './request-parsing.js';
import type { ResourceService } from './resource-service.js';
import { shown } from './shown.js';
import { checkPreconditions } from './write-checks.js';

export const EVICTION_API_VERSIONS = ['policy/v1', 'policy/v1beta1'];
/** The pod condition an eviction leaves (Kubernetes' PodDisruptionConditions, GA in 1.31). */
export const DISRUPTION_TARGET = {
  type: 'DisruptionTarget',
  status: 'True',
  reason: 'EvictionByEvictionAPI',
  message: 'Eviction API: evicting',
} as const;

const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods' };
/** Retries when the pod changed between the condition write and the delete (Kubernetes' EvictionsRetry). */
const MAX_CONFLICT_RETRIES = 5;

/**
 * The DeleteOptions an Eviction body carries, validated like a DELETE's; `query` adds ?dryRun. 400 when the body
 * is not an Eviction or names another pod or namespace.
 */
export function evictionDeleteOptions(
  eviction: KubeObject,
  podName: string,
  namespace: string,
  query: Query = {},
): DeleteOptions {
  const { apiVersion, kind } = eviction as { apiVersion?: unknown; kind?: unknown };
  if (
    (kind !== undefined && kind !== 'Eviction') ||
    (apiVersion !== undefined && !EVICTION_API_VERSIONS.includes(shown(apiVersion)))
  ) {
    throw badRequest(
      `the body of an eviction must be a policy/v1 Eviction, not ${shown(apiVersion ?? '')} ${shown(kind ?? '')}`.trim(),
    );
  }
  if (eviction.metadata.name !== podName) {
    throw badRequest('name in URL does not match name in Eviction object');
  }
  const ns = eviction.metadata.namespace;
  if (ns !== undefined && ns !== '' && ns !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const raw = (eviction as { deleteOptions?: unknown }).deleteOptions;
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw badRequest('deleteOptions must be an object');
  }
  const body = Buffer.from(JSON.stringify(raw ?? {}));
  return parseDeleteOptions('application/json', body, { dryRun: query.dryRun });
}

/** The pod with DisruptionTarget=True, or undefined when it already has it. */
export function withDisruptionTarget(pod: Pod, now: number): Pod | undefined {
  const next = structuredClone(pod);
  const changed = setPodCondition((next.status ??= {}), { ...DISRUPTION_TARGET }, rfc3339(now));
  return changed ? next : undefined;
}

/** POST pods/{name}/eviction: marks and deletes the pod; 404 when it doesn't exist. */
export async function evictPod(
  service: ResourceService,
  namespace: string,
  name: string,
  eviction: KubeObject,
  query: Query = {},
): Promise<Status> {
  const options = evictionDeleteOptions(eviction, name, namespace, query);
  const dryRun = (options.dryRun ?? []).includes('All');
  const def = service.definition(PODS);
  const pinnedVersion = options.preconditions?.resourceVersion;
  for (let attempt = 1; ; attempt++) {
    const pod = (await service.get(PODS, namespace, name)) as Pod;
    checkPreconditions(def, pod, options);
    try {
      let deleteOptions = options;
      const marked = dryRun ? undefined : withDisruptionTarget(pod, service.clock.now());
      if (marked) {
        const updated = await service.updateStatus(PODS, namespace, name, marked);
        // The condition write moved the resourceVersion on: a caller's precondition was checked above.
        if (pinnedVersion) {
          deleteOptions = {
            ...options,
            preconditions: { ...options.preconditions, resourceVersion: updated.metadata.resourceVersion },
          };
        }
      }
      await service.delete(PODS, namespace, name, deleteOptions);
      return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
    } catch (err) {
      // A caller who pinned a resourceVersion gets the conflict; otherwise read the pod again and retry.
      if (!isApiError(err, 'Conflict') || pinnedVersion || attempt >= MAX_CONFLICT_RETRIES) throw err;
    }
  }
}
