// The typed client every component talks to the API through: the scheduler, controllers, the agent, the CLI.
// Two implementations: http-api-client.ts (over HTTP, used by agents and the CLI) and the in-process one the master's
// own components use (src/apiserver/in-process-client.ts), so both go through the same validation and admission.
import type { DeleteOptions, KubeList, KubeObject, Status } from '../api/types.js';

/** Which resource: {group:'', version:'v1', resource:'pods'}. */
export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** '0' or absent: current state. */
  resourceVersion?: string;
}

export interface WatchOptions extends ListOptions {
  /** Resume after this revision; absent or '0' starts with synthetic ADDED events for the current state. */
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** For ERROR events `object` is a Status (e.g. code 410 when the resourceVersion is too old). */
export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

export interface WatchHandle {
  stop(): void;
  /** Settles when the stream ends: resolves on a clean end (server closed, timeout, stop()), rejects on an error. */
  done: Promise<void>;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface WriteOpts {
  dryRun?: boolean;
  fieldManager?: string;
}

/**
 * `namespace` is the object's namespace, or undefined for cluster-scoped resources (and for lists across all
 * namespaces). Failures throw ApiError (src/common/errors.ts) carrying the server's Status.
 */
export interface ApiClient {
  get<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
  ): Promise<T>;
  list<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    opts?: ListOptions,
  ): Promise<KubeList<T>>;
  create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts?: WriteOpts,
  ): Promise<T>;
  /** PUT; metadata.resourceVersion, when set, must match the stored one (409 Conflict otherwise). */
  update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    obj: T,
  ): Promise<T>;
  /** PUT …/status: changes only .status. */
  updateStatus<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    obj: T,
  ): Promise<T>;
  patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts?: { subresource?: string } & WriteOpts,
  ): Promise<T>;
  /** Returns the object (graceful deletion leaves it with deletionTimestamp set) or a Success Status. */
  delete<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    opts?: DeleteOptions,
  ): Promise<T | Status>;
  /** POST to a subresource, e.g. pods/binding or pods/eviction. */
  createSubresource<R = unknown>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    subresource: string,
    body: unknown,
  ): Promise<R>;
  watch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
  ): WatchHandle;
}

// The resources the core components use.
export const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods' };
export const NODES: ResourceRef = { group: '', version: 'v1', resource: 'nodes' };
export const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces' };
export const EVENTS: ResourceRef = { group: '', version: 'v1', resource: 'events' };
export const SERVICES: ResourceRef = { group: '', version: 'v1', resource: 'services' };
export const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', resource: 'configmaps' };
export const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };

/** URL path of a collection or object: /api/v1/namespaces/ns/pods/name[/sub]. */
export function resourcePath(
  ref: ResourceRef,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  let p = namespace
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${ref.resource}`
    : `${base}/${ref.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}
export const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments' };
export const REPLICASETS: ResourceRef = { group: 'apps', version: 'v1', resource: 'replicasets' };
export const DAEMONSETS: ResourceRef = { group: 'apps', version: 'v1', resource: 'daemonsets' };
export const STATEFULSETS: ResourceRef = { group: 'apps', version: 'v1', resource: 'statefulsets' };
export const CONTROLLERREVISIONS: ResourceRef = {
  group: 'apps',
  version: 'v1',
  resource: 'controllerrevisions',
};
export const JOBS: ResourceRef = { group: 'batch', version: 'v1', resource: 'jobs' };
export const CRONJOBS: ResourceRef = { group: 'batch', version: 'v1', resource: 'cronjobs' };
export const PERSISTENTVOLUMECLAIMS: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'persistentvolumeclaims',
};
export const ENDPOINTS: ResourceRef = { group: '', version: 'v1', resource: 'endpoints' };
export const ENDPOINTSLICES: ResourceRef = {
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
};
