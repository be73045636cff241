// An incremental index of the pods the scheduler counts (bound and assumed, not terminal), so that the spreading
// and inter-pod affinity plugins can ask "which pods in namespace N match selector S, and on which node?" in time
// proportional to the answer instead of scanning every pod on every node (kube-scheduler scans all NodeInfos per
// cycle with 16 goroutines; a single JS thread must not). It also keeps the pods that carry pod (anti-)affinity,
// which the symmetric checks walk (kube-scheduler's NodeInfo.PodsWithAffinity / PodsWithRequiredAntiAffinity).
//
// Cost: add/remove O(number of labels); matching() O(size of the smallest candidate set among the selector's
// `In`/`=` requirements), falling back to an `Exists` key or the whole namespace for selectors without one.
import type { Pod } from '../api/types.js';
import { objectKey } from '../client/key.js';
import type { Selector } from './label-selector.js';

export interface IndexedPod {
  readonly pod: Pod;
  /** The node it is bound (or assumed) to. */
  readonly nodeName: string;
}

/** The read side, as plugins see it (through ClusterState.pods). */
export interface PodLister {
  /** Pods in `namespace` whose labels the selector matches. */
  matching(namespace: string, selector: Selector): IndexedPod[];
  /** Namespaces that have at least one pod. */
  namespaces(): Iterable<string>;
  /** Pods with any pod affinity or anti-affinity. */
  withAffinity(): Iterable<IndexedPod>;
  /** Pods with required (hard) pod anti-affinity terms. */
  withRequiredAntiAffinity(): Iterable<IndexedPod>;
}

interface NamespaceIndex {
  all: Set<IndexedPod>;
  /** label key → value → pods. */
  byLabel: Map<string, Map<string, Set<IndexedPod>>>;
}

export function hasPodAffinity(pod: Pod): boolean {
  const a = pod.spec?.affinity;
  return !!a && (!!a.podAffinity || !!a.podAntiAffinity);
}

export function hasRequiredAntiAffinity(pod: Pod): boolean {
  return (
    (pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0
  );
}

export class PodIndex implements PodLister {
  private readonly byKey = new Map<string, IndexedPod>();
  private readonly byNamespace = new Map<string, NamespaceIndex>();
  private readonly affinityPods = new Set<IndexedPod>();
  private readonly antiAffinityPods = new Set<IndexedPod>();

  /** Adds the pod on `nodeName`, replacing an earlier entry for the same pod. */
  add(pod: Pod, nodeName: string): void {
    const key = objectKey(pod);
    this.remove(key);
    const entry: IndexedPod = { pod, nodeName };
    this.byKey.set(key, entry);
    const ns = pod.metadata.namespace ?? '';
    let idx = this.byNamespace.get(ns);
    if (!idx) this.byNamespace.set(ns, (idx = { all: new Set(), byLabel: new Map() }));
    idx.all.add(entry);
    for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) {
      let values = idx.byLabel.get(k);
      if (!values) idx.byLabel.set(k, (values = new Map()));
      let set = values.get(v);
      if (!set) values.set(v, (set = new Set()));
      set.add(entry);
    }
    if (hasPodAffinity(pod)) this.affinityPods.add(entry);
    if (hasRequiredAntiAffinity(pod)) this.antiAffinityPods.add(entry);
  }

  remove(key: string): boolean {
    const entry = this.byKey.get(key);
    if (!entry) return false;
    this.byKey.delete(key);
    const ns = entry.pod.metadata.namespace ?? '';
    const idx = this.byNamespace.get(ns)!;
    idx.all.delete(entry);
    for (const [k, v] of Object.entries(entry.pod.metadata.labels ?? {})) {
      const values = idx.byLabel.get(k)!;
      const set = values.get(v)!;
      set.delete(entry);
      if (set.size === 0) values.delete(v);
      if (values.size === 0) idx.byLabel.delete(k);
    }
    if (idx.all.size === 0) this.byNamespace.delete(ns);
    this.affinityPods.delete(entry);
    this.antiAffinityPods.delete(entry);
    return true;
  }

  get size(): number {
    return this.byKey.size;
  }

  matching(namespace: string, selector: Selector): IndexedPod[] {
    const idx = this.byNamespace.get(namespace);
    if (!idx || selector.nothing) return [];
    const out: IndexedPod[] = [];
    for (const set of this.candidates(idx, selector)) {
      for (const e of set) if (selector.matches(e.pod.metadata.labels)) out.push(e);
    }
    return out;
  }

  namespaces(): Iterable<string> {
    return this.byNamespace.keys();
  }

  withAffinity(): Iterable<IndexedPod> {
    return this.affinityPods;
  }

  withRequiredAntiAffinity(): Iterable<IndexedPod> {
    return this.antiAffinityPods;
  }

  /** The smallest group of pod sets that surely contains every match. */
  private candidates(idx: NamespaceIndex, selector: Selector): Iterable<Set<IndexedPod>> {
    let best: Set<IndexedPod>[] | undefined;
    let bestSize = Infinity;
    for (const r of selector.requirements) {
      if (r.operator !== 'In' && r.operator !== 'Exists') continue;
      const values = idx.byLabel.get(r.key);
      if (!values) return []; // nothing has the key, so nothing can match
      const sets: Set<IndexedPod>[] = [];
      if (r.operator === 'Exists') sets.push(...values.values());
      else
        for (const v of new Set(r.values)) {
          const s = values.get(v);
          if (s) sets.push(s);
        }
      let size = 0;
      for (const s of sets) size += s.size;
      if (size < bestSize) [best, bestSize] = [sets, size];
    }
    return best ?? [idx.all];
  }
}
