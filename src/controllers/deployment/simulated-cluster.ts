// A tiny simulated cluster for the Deployment controller's tests (not used by the controller): it applies the
// plans of reconcileDeployment to in-memory ReplicaSets, plays the ReplicaSet controller (pods follow
// spec.replicas at once, not-ready pods deleted first) and the kubelet (pods of a good image become ready one
// step later). Tests assert invariants between the steps, like an e2e test sampling `kubectl get pods`.
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../api/types.js';
import { rfc3339 } from '../../common/clock.js';
import { T0 } from '../replicaset/test-support.js';
import { reconcileDeployment, type DeploymentPlan } from './reconcile.js';

interface Pods {
  ready: number;
  notReady: number;
}

export class SimulatedCluster {
  d: Deployment;
  replicaSets: ReplicaSet[] = [];
  now = T0;
  /** `Scaled up replica set …` lines, in order. */
  readonly events: string[] = [];
  private readonly pods = new Map<string, Pods>();
  private uid = 0;

  constructor(
    d: Deployment,
    /** Whether pods of this image ever become ready. */
    readonly imageWorks: (image: string) => boolean = () => true,
  ) {
    this.d = structuredClone(d);
  }

  /** A user edit of the pod template (kubectl set image / apply / rollout undo), bumping the generation. */
  setTemplate(template: PodTemplateSpec, annotations?: Record<string, string>): void {
    this.d.spec.template = structuredClone(template);
    if (annotations) this.d.metadata.annotations = { ...annotations };
    this.d.metadata.generation = (this.d.metadata.generation ?? 1) + 1;
  }

  /** One controller sync; the plan is applied to the simulated objects. */
  sync(): DeploymentPlan {
    const plan = reconcileDeployment({ deployment: this.d, replicaSets: this.replicaSets, now: this.now });
    for (const a of plan.actions) {
      if (a.type === 'createReplicaSet') {
        const rs = structuredClone(a.rs);
        rs.metadata.uid = `rs-uid-${++this.uid}`;
        rs.metadata.creationTimestamp = rfc3339(this.now);
        rs.metadata.generation = 1;
        rs.status = { replicas: 0, observedGeneration: 1 };
        this.replicaSets.push(rs);
        if ((rs.spec.replicas ?? 0) > 0) {
          this.events.push(`Scaled up replica set ${rs.metadata.name} from 0 to ${rs.spec.replicas}`);
        }
      } else if (a.type === 'updateReplicaSet') {
        const i = this.replicaSets.findIndex((rs) => rs.metadata.name === a.rs.metadata.name);
        this.replicaSets[i] = { ...structuredClone(a.rs), status: this.replicaSets[i].status };
        if (a.scaled) {
          const dir = a.scaled.to > a.scaled.from ? 'up' : 'down';
          this.events.push(
            `Scaled ${dir} replica set ${a.rs.metadata.name} from ${a.scaled.from} to ${a.scaled.to}`,
          );
        }
      } else {
        this.replicaSets = this.replicaSets.filter((rs) => rs.metadata.name !== a.rs.metadata.name);
      }
    }
    if (plan.revision) {
      this.d.metadata.annotations = {
        ...this.d.metadata.annotations,
        'deployment.kubernetes.io/revision': plan.revision,
      };
    }
    if (plan.status) this.d.status = structuredClone(plan.status);
    return plan;
  }

  /** The ReplicaSet controller: pods follow spec.replicas (not-ready pods go first). */
  replicaSetController(): void {
    for (const rs of this.replicaSets) {
      const p = this.podsOf(rs);
      const want = rs.spec.replicas ?? 0;
      let have = p.ready + p.notReady;
      if (have < want) p.notReady += want - have;
      while (have > want) {
        if (p.notReady > 0) p.notReady--;
        else p.ready--;
        have--;
      }
      this.writeStatus(rs);
    }
  }

  /** Time passes: pods of working images become ready. */
  kubelet(seconds = 1): void {
    this.now += seconds * 1000;
    for (const rs of this.replicaSets) {
      const p = this.podsOf(rs);
      if (this.imageWorks(rs.spec.template?.spec.containers[0].image ?? '')) {
        p.ready += p.notReady;
        p.notReady = 0;
      }
      this.writeStatus(rs);
    }
  }

  totalPods(): number {
    return [...this.replicaSets].reduce((n, rs) => n + this.podsOf(rs).ready + this.podsOf(rs).notReady, 0);
  }

  readyPods(): number {
    return [...this.replicaSets].reduce((n, rs) => n + this.podsOf(rs).ready, 0);
  }

  byImage(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const rs of this.replicaSets)
      out[rs.spec.template?.spec.containers[0].image ?? ''] = rs.spec.replicas ?? 0;
    return out;
  }

  private podsOf(rs: ReplicaSet): Pods {
    let p = this.pods.get(rs.metadata.uid!);
    if (!p) this.pods.set(rs.metadata.uid!, (p = { ready: 0, notReady: 0 }));
    return p;
  }

  private writeStatus(rs: ReplicaSet): void {
    const p = this.podsOf(rs);
    rs.status = {
      replicas: p.ready + p.notReady,
      fullyLabeledReplicas: p.ready + p.notReady,
      readyReplicas: p.ready,
      availableReplicas: p.ready,
      observedGeneration: rs.metadata.generation ?? 1,
    };
  }
}
