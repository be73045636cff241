// The informers behind the scheduler's ClusterState, besides pods and nodes: claims (VolumeBinding), Services,
// ReplicaSets and StatefulSets (default spreading selects a pod's siblings by their selectors) and Namespaces
// (namespaceSelector in pod affinity terms). The pods themselves come from the SchedulerCache's index, so assumed
// pods count.
import type { Namespace, PersistentVolumeClaim, ReplicaSet, Service, StatefulSet } from '../api/types.js';
import {
  NAMESPACES,
  PERSISTENTVOLUMECLAIMS,
  REPLICASETS,
  SERVICES,
  STATEFULSETS,
  type ApiClient,
} from '../client/api-client.js';
import { createInformer, type Informer } from '../client/informer.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
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

  constructor(common: { client: ApiClient; clock: Clock; logger: Logger }) {
    this.pvcs = createInformer<PersistentVolumeClaim>({ ...common, ref: PERSISTENTVOLUMECLAIMS });
    this.services = createInformer<Service>({ ...common, ref: SERVICES });
    this.replicaSets = createInformer<ReplicaSet>({ ...common, ref: REPLICASETS });
    this.statefulSets = createInformer<StatefulSet>({ ...common, ref: STATEFULSETS });
    this.namespaces = createInformer<Namespace>({ ...common, ref: NAMESPACES });
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
