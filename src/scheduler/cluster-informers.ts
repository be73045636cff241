// The informers behind the scheduler's ClusterState, besides pods and nodes: claims (VolumeBinding), Services,
// ReplicaSets and StatefulSets (default spreading selects a pod's siblings by their selectors) and Namespaces
// (namespaceSelector in pod affinity terms). The pods themselves come from the SchedulerCache's index, so assumed
// pods count.
import type {
  KubeObject,
  Namespace,
  PersistentVolumeClaim,
  ReplicaSet,
  Service,
  StatefulSet,
} from '../api/types.js';
import {
  NAMESPACES,
  PERSISTENTVOLUMECLAIMS,
  REPLICASETS,
  SERVICES,
  STATEFULSETS,
  type ResourceRef,
} from '../client/api-client.js';
import type { Informer } from '../client/informer.js';
import type { ClusterState } from './framework.js';
import type { SchedulerCache } from './scheduler-cache.js';

export class ClusterInformers {
  readonly pvcs: Informer<PersistentVolumeClaim>;
  readonly services: Informer<Service>;
  readonly replicaSets: Informer<ReplicaSet>;
  readonly statefulSets: Informer<StatefulSet>;
  readonly namespaces: Informer<Namespace>;
  /** Services by namespace, rebuilt on first use after any Service event. */
  private servicesByNamespace: Map<string, Service[]> | undefined;

  /** `informerFor` makes (or hands out a shared) informer for a resource. */
  constructor(informerFor: <T extends KubeObject>(ref: ResourceRef) => Informer<T>) {
    this.pvcs = informerFor<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS);
    this.services = informerFor<Service>(SERVICES);
    this.replicaSets = informerFor<ReplicaSet>(REPLICASETS);
    this.statefulSets = informerFor<StatefulSet>(STATEFULSETS);
    this.namespaces = informerFor<Namespace>(NAMESPACES);
    const servicesChanged = () => (this.servicesByNamespace = undefined);
    this.services.on('add', servicesChanged);
    this.services.on('update', servicesChanged);
    this.services.on('delete', servicesChanged);
  }

  all(): Informer<any>[] {
    return [this.pvcs, this.services, this.replicaSets, this.statefulSets, this.namespaces];
  }

  /** What the plugins read: these caches plus the scheduler cache's nodes and pod index. */
  clusterState(cache: SchedulerCache): ClusterState {
    return {
      pvc: (namespace, name) => this.pvcs.get(namespace, name),
      services: (namespace) => this.servicesIn(namespace),
      replicaSet: (namespace, name) => this.replicaSets.get(namespace, name),
      statefulSet: (namespace, name) => this.statefulSets.get(namespace, name),
      namespaceLabels: (name) => {
        const ns = this.namespaces.get(undefined, name);
        return ns ? (ns.metadata.labels ?? {}) : undefined;
      },
      nodeInfo: (name) => cache.nodeInfo(name),
      pods: cache.pods,
    };
  }

  private servicesIn(namespace: string): readonly Service[] {
    if (!this.servicesByNamespace) {
      this.servicesByNamespace = new Map();
      for (const svc of this.services.list()) {
        const ns = svc.metadata.namespace ?? '';
        const list = this.servicesByNamespace.get(ns);
        if (list) list.push(svc);
        else this.servicesByNamespace.set(ns, [svc]);
      }
    }
    return this.servicesByNamespace.get(namespace) ?? [];
  }
}
