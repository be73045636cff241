// What an agent (user system:node:<name>) may do: Kubernetes' Node authorizer and NodeRestriction admission in one
// table. A node reads what every kubelet and kube-proxy needs; it writes only what is its own.
//   nodes                          get list watch: any     create update patch: itself only
//   nodes/status                   update patch: itself only
//   leases (coordination.k8s.io)   get create update patch delete: its own, in kube-node-lease
//   events (core, events.k8s.io)   create update patch
//   pods                           get list watch: any     delete: pods bound to it (completing graceful deletion)
//   pods/status                    update patch: pods bound to it
//   services endpoints endpointslices                       get list watch
//   secrets configmaps             get (or a list/watch narrowed to one name): referenced by a pod bound to it
//   persistentvolumeclaims (+/status)  get update patch: referenced by a pod bound to it (the agent binds local claims)
// Everything else — other nodes' pods, any Deployment, creating pods, exec, evictions — is refused.
import type { KubeObject } from '../../api/types.js';
import type { Decision } from './authorizer.js';
import { podReferences, type PodReferences } from './pod-references.js';
import { singleNameSelector, type ResourceAttributes } from './request-info.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The part of the cluster's state the Node authorizer consults. */
export interface NodeGraph {
  pod(namespace: string, name: string): Promise<KubeObject | undefined>;
  /** Pods whose spec.nodeName is `nodeName`, in one namespace. */
  podsOnNode(nodeName: string, namespace: string): Promise<KubeObject[]>;
}

const READ = new Set(['get', 'list', 'watch']);
const WRITE_OWN = new Set(['create', 'update', 'patch']);

const allow: Decision = { allowed: true };
const deny = (reason?: string): Decision => ({ allowed: false, ...(reason ? { reason } : {}) });
const noRelationship = (node: string) => deny(`no relationship found between node '${node}' and this object`);

type RefKind = keyof PodReferences;

const REF_KINDS: Record<string, RefKind> = {
  secrets: 'secrets',
  configmaps: 'configMaps',
  persistentvolumeclaims: 'persistentVolumeClaims',
};

async function referencedByOwnPod(
  graph: NodeGraph,
  node: string,
  namespace: string,
  kind: RefKind,
  name: string,
): Promise<boolean> {
  const pods = await graph.podsOnNode(node, namespace);
  return pods.some((p) => podReferences(p)[kind].has(name));
}

async function boundToNode(
  graph: NodeGraph,
  node: string,
  namespace: string,
  name: string,
): Promise<boolean> {
  const pod = await graph.pod(namespace, name);
  return pod?.spec?.nodeName === node;
}

export async function authorizeNode(
  node: string,
  a: ResourceAttributes,
  graph: NodeGraph,
  /** metadata.name of the object a create sends (the path has no name then). */
  objectName?: string,
): Promise<Decision> {
  const target = a.name ?? (a.verb === 'create' ? objectName : undefined);
  const core = a.group === '';
  if (core && a.resource === 'nodes') {
    if (!a.subresource && READ.has(a.verb)) return allow;
    const writable = a.subresource === 'status' ? new Set(['update', 'patch']) : WRITE_OWN;
    if ((!a.subresource || a.subresource === 'status') && writable.has(a.verb)) {
      return target === node ? allow : deny(`node "${node}" is not allowed to modify node "${target ?? ''}"`);
    }
    return deny();
  }
  if (a.group === 'coordination.k8s.io' && a.resource === 'leases' && !a.subresource) {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return deny();
    if (a.namespace === NODE_LEASE_NAMESPACE && target === node) return allow;
    return deny(`node "${node}" may only use its own Lease ${NODE_LEASE_NAMESPACE}/${node}`);
  }
  if ((core || a.group === 'events.k8s.io') && a.resource === 'events' && !a.subresource) {
    return ['create', 'update', 'patch'].includes(a.verb) ? allow : deny();
  }
  if (core && a.resource === 'pods') {
    if (!a.subresource && READ.has(a.verb)) return allow;
    const canTouchOwn =
      (!a.subresource && a.verb === 'delete') ||
      (a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch'));
    if (!canTouchOwn || !a.namespace || !a.name) return deny();
    return (await boundToNode(graph, node, a.namespace, a.name)) ? allow : noRelationship(node);
  }
  if (
    !a.subresource &&
    READ.has(a.verb) &&
    ((core && (a.resource === 'services' || a.resource === 'endpoints')) ||
      (a.group === 'discovery.k8s.io' && a.resource === 'endpointslices'))
  ) {
    return allow;
  }
  const refKind = core ? REF_KINDS[a.resource] : undefined;
  if (refKind) {
    const name =
      a.name ?? (a.verb === 'list' || a.verb === 'watch' ? singleNameSelector(a.fieldSelector) : undefined);
    const claim = refKind === 'persistentVolumeClaims';
    const verbs = claim ? ['get', 'list', 'watch', 'update', 'patch'] : ['get', 'list', 'watch'];
    const subOk =
      !a.subresource || (claim && a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch'));
    if (!verbs.includes(a.verb) || !subOk || !a.namespace || !name) return deny();
    return (await referencedByOwnPod(graph, node, a.namespace, refKind, name)) ? allow : noRelationship(node);
  }
  return deny();
}
