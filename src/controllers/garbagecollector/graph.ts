// The garbage collector's picture of the cluster (Kubernetes' GraphBuilder: uidToNode + dependents): every
// watched object is a node keyed by uid, and for each uid the graph knows which objects name it in their
// ownerReferences, whether or not that owner is itself in the graph. Pure data: the informer handlers feed it,
// and every change answers which uids the collector has to look at again.
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../../apiserver/deletion.js';
import { groupVersionOf } from '../../api/object-meta.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import type { ResourceRef } from '../../client/api-client.js';

/** Where an object lives, enough to GET, PATCH or DELETE it. */
export interface ObjectIdentity {
  ref: ResourceRef;
  kind: string;
  /** Undefined for cluster-scoped objects. */
  namespace?: string;
  name: string;
  uid: string;
}

export interface GraphNode {
  identity: ObjectIdentity;
  owners: OwnerReference[];
  /** metadata.deletionTimestamp is set. */
  beingDeleted: boolean;
  finalizers: string[];
}

/** The node of an object seen by the informer of `ref`; undefined for an object without a uid. */
export function nodeFromObject(ref: ResourceRef, obj: KubeObject): GraphNode | undefined {
  const meta = obj.metadata;
  if (!meta?.uid || !meta.name) return undefined;
  return {
    identity: {
      ref,
      kind: obj.kind,
      namespace: meta.namespace || undefined,
      name: meta.name,
      uid: meta.uid,
    },
    owners: (meta.ownerReferences ?? []).filter((r) => typeof r?.uid === 'string' && r.uid !== ''),
    beingDeleted: Boolean(meta.deletionTimestamp),
    finalizers: meta.finalizers ?? [],
  };
}

/** Deleted with propagationPolicy Foreground: waits for its blocking dependents to go first. */
export function isDeletingDependents(node: GraphNode): boolean {
  return node.beingDeleted && node.finalizers.includes(FOREGROUND_FINALIZER);
}

/** Deleted with propagationPolicy Orphan: its dependents must be released first. */
export function isOrphaning(node: GraphNode): boolean {
  return node.beingDeleted && node.finalizers.includes(ORPHAN_FINALIZER);
}

/** Something the collector may have to act on: an object with owners, or one waiting on a GC finalizer. */
export function needsAttention(node: GraphNode): boolean {
  return node.owners.length > 0 || isDeletingDependents(node) || isOrphaning(node);
}

/**
 * True when the graph node is the object `ref` points to: same uid and the same coordinates. A namespaced owner
 * must sit in its dependent's namespace (a reference across namespaces points at nothing, as in Kubernetes).
 */
export function matchesReference(
  owner: GraphNode,
  ref: OwnerReference,
  dependentNamespace?: string,
): boolean {
  const id = owner.identity;
  return (
    id.uid === ref.uid &&
    id.name === ref.name &&
    id.kind === ref.kind &&
    id.ref.group === groupVersionOf(ref).group &&
    (id.namespace === undefined || id.namespace === dependentNamespace)
  );
}

export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>();
  /** Owner uid → uids of the objects whose ownerReferences name it. */
  private readonly dependents = new Map<string, Set<string>>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  size(): number {
    return this.nodes.size;
  }

  /** The observed objects that name `uid` as an owner. */
  dependentsOf(uid: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const dep of this.dependents.get(uid) ?? []) {
      const node = this.nodes.get(dep);
      if (node) out.push(node);
    }
    return out;
  }

  /** Dependents whose reference to `uid` has blockOwnerDeletion: a Foreground deletion waits for these. */
  blockingDependentsOf(uid: string): GraphNode[] {
    return this.dependentsOf(uid).filter((d) =>
      d.owners.some((r) => r.uid === uid && r.blockOwnerDeletion === true),
    );
  }

  /** Adds or replaces the node of an object; answers the uids to process. */
  upsert(node: GraphNode): string[] {
    const uid = node.identity.uid;
    const old = this.nodes.get(uid);
    if (old) this.unlink(old);
    this.nodes.set(uid, node);
    this.link(node);
    const out = new Set<string>();
    if (needsAttention(node)) out.add(uid);
    // An owner waiting on its dependents hears about every change of theirs (one may have stopped blocking).
    for (const ref of [...(old?.owners ?? []), ...node.owners]) this.addIfWaiting(ref.uid, out);
    return [...out];
  }

  /** The object is gone; answers the uids to process (its dependents, and owners waiting for it). */
  remove(uid: string): string[] {
    const node = this.nodes.get(uid);
    if (!node) return [];
    this.unlink(node);
    this.nodes.delete(uid);
    const out = new Set<string>(this.dependents.get(uid) ?? []);
    for (const ref of node.owners) this.addIfWaiting(ref.uid, out);
    return [...out];
  }

  /** Every uid that needs attention (the periodic resync). */
  *attentionUids(): Iterable<string> {
    for (const [uid, node] of this.nodes) if (needsAttention(node)) yield uid;
  }

  private addIfWaiting(ownerUid: string, out: Set<string>): void {
    const owner = this.nodes.get(ownerUid);
    if (owner && (isDeletingDependents(owner) || isOrphaning(owner))) out.add(ownerUid);
  }

  private link(node: GraphNode): void {
    for (const ref of node.owners) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(node.identity.uid);
    }
  }

  private unlink(node: GraphNode): void {
    for (const ref of node.owners) {
      const set = this.dependents.get(ref.uid);
      set?.delete(node.identity.uid);
      if (set?.size === 0) this.dependents.delete(ref.uid);
    }
  }
}
