// The scheduler's view of the cluster: one NodeInfo per node, updated incrementally from the pod and node
// informers, plus "assumed" pods — pods the scheduler has just decided to bind, counted on their node before the
// watch shows the binding, so a burst of pods cannot overcommit a node (nor defeat spreading and anti-affinity).
// The informer's copy of a bound pod replaces the assumed one; a failed binding forgets it. Every counted pod is
// also in `pods`, the index by namespace and labels that the spreading and affinity plugins query.
import type { Node, Pod } from '../api/types.js';
import { objectKey } from '../client/key.js';
import type { NodeInfo } from './framework.js';
import { addPod, isTerminal, newNodeInfo, removePod, setNode, shareMemos } from './node-info.js';
import { PodIndex, type PodLister } from './pod-index.js';

interface PodPlace {
  node: string;
  assumed: boolean;
}

export class SchedulerCache {
  private readonly infos = new Map<string, NodeInfo>();
  /** NodeInfos that hold pods of a node we have no Node object for (not seen yet, or deleted). */
  private readonly ghosts = new Set<string>();
  private readonly places = new Map<string, PodPlace>();
  private sorted: NodeInfo[] | undefined;
  private readonly index = new PodIndex();

  /** Every counted pod (bound or assumed), by namespace and labels. */
  get pods(): PodLister {
    return this.index;
  }

  upsertNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const ni = this.infos.get(name);
    if (!ni) {
      this.infos.set(name, newNodeInfo(node));
      this.sorted = undefined;
      return;
    }
    setNode(ni, node);
    if (this.ghosts.delete(name)) this.sorted = undefined;
  }

  removeNode(name: string): void {
    const ni = this.infos.get(name);
    if (!ni) return;
    if (ni.pods.size > 0) this.ghosts.add(name);
    else this.infos.delete(name);
    this.sorted = undefined;
  }

  /**
   * Takes the informer's copy of a pod: bound and not terminal → counted on its node (confirming an assumed pod);
   * terminal → removed. Unbound pods are left alone (an assumed pod stays until its binding shows up).
   * Returns true when a pod left a node, i.e. capacity was freed.
   */
  updatePod(pod: Pod): boolean {
    const key = objectKey(pod);
    if (isTerminal(pod)) return this.removePod(key);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return false;
    const place = this.places.get(key);
    let freed = false;
    if (place && place.node !== nodeName) freed = this.removePod(key);
    addPod(this.infoFor(nodeName), pod);
    this.index.add(pod, nodeName);
    this.places.set(key, { node: nodeName, assumed: false });
    return freed;
  }

  /** Removes a pod wherever it is counted. Returns true if it was counted on a node. */
  removePod(key: string): boolean {
    const place = this.places.get(key);
    if (!place) return false;
    this.places.delete(key);
    this.index.remove(key);
    const ni = this.infos.get(place.node);
    if (!ni) return false;
    removePod(ni, key);
    if (ni.pods.size === 0 && this.ghosts.delete(place.node)) this.infos.delete(place.node);
    return true;
  }

  /** Counts the pod on `nodeName` ahead of its binding. */
  assume(pod: Pod, nodeName: string): void {
    const key = objectKey(pod);
    this.removePod(key);
    const assumed: Pod = { ...pod, spec: { ...pod.spec, nodeName } };
    shareMemos(pod, assumed);
    addPod(this.infoFor(nodeName), assumed);
    this.index.add(assumed, nodeName);
    this.places.set(key, { node: nodeName, assumed: true });
  }

  /** Drops an assumed pod (its binding failed). A confirmed pod is left alone. Returns true if one was dropped. */
  forget(key: string): boolean {
    return this.places.get(key)?.assumed === true && this.removePod(key);
  }

  /** Counted on a node because the informer showed it bound there (not merely assumed). */
  isBound(key: string): boolean {
    return this.places.get(key)?.assumed === false;
  }

  isAssumed(key: string): boolean {
    return this.places.get(key)?.assumed === true;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.ghosts.has(name) ? undefined : this.infos.get(name);
  }

  /** The schedulable view: NodeInfos of known nodes, sorted by name (cached until nodes come or go). */
  nodeInfos(): NodeInfo[] {
    if (!this.sorted) {
      this.sorted = [...this.infos.values()]
        .filter((ni) => !this.ghosts.has(ni.name))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    return this.sorted;
  }

  private infoFor(nodeName: string): NodeInfo {
    let ni = this.infos.get(nodeName);
    if (!ni) {
      const placeholder: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName }, spec: {} };
      ni = newNodeInfo(placeholder);
      this.infos.set(nodeName, ni);
      this.ghosts.add(nodeName);
    }
    return ni;
  }
}
