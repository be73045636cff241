import { describe, expect, it } from 'vitest';
import { applyPatch } from '../../api/patch.js';
import type { Deployment, Pod, ReplicaSet } from '../../api/types.js';
import { computeTemplateHash } from '../common/template-hash.js';
import { at, pod, T0 } from '../replicaset/test-support.js';
import { getCondition } from './conditions.js';
import { reconcileDeployment } from './reconcile.js';
import { SimulatedCluster } from './simulated-cluster.js';
import { deployment, rsFor, templateWithImage } from './test-support.js';

const REVISION = 'deployment.kubernetes.io/revision';

function settle(sim: SimulatedCluster, steps = 30): void {
  for (let i = 0; i < steps; i++) {
    sim.sync();
    sim.replicaSetController();
    sim.kubelet();
  }
}

describe('reconcileDeployment: a new Deployment', () => {
  it('creates one ReplicaSet named after the template hash, owned by the Deployment, with revision 1', () => {
    const d = deployment('web', { replicas: 3, annotations: { 'kubernetes.io/change-cause': 'first' } });
    const plan = reconcileDeployment({ deployment: d, replicaSets: [], now: T0 });
    const hash = computeTemplateHash(d.spec.template);
    expect(plan.actions).toHaveLength(1);
    const action = plan.actions[0];
    expect(action.type).toBe('createReplicaSet');
    expect(action.rs.metadata).toMatchObject({
      name: `web-${hash}`,
      namespace: 'default',
      labels: { app: 'web', 'pod-template-hash': hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'web',
          uid: 'uid-web',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      annotations: {
        'kubernetes.io/change-cause': 'first',
        [REVISION]: '1',
        'deployment.kubernetes.io/desired-replicas': '3',
        'deployment.kubernetes.io/max-replicas': '4',
      },
    });
    expect(action.rs.spec).toMatchObject({
      replicas: 3,
      minReadySeconds: 0,
      selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } },
    });
    expect(action.rs.spec.template?.metadata?.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(action.rs.spec.template?.spec).toEqual(d.spec.template.spec);
    expect(plan.revision).toBe('1');
    expect(plan.status).toMatchObject({ observedGeneration: 1, unavailableReplicas: 3 });
    expect(getCondition(plan.status, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetCreated',
      message: `Created new replica set "web-${hash}"`,
    });
    expect(getCondition(plan.status, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
      message: 'Deployment does not have minimum availability.',
    });
    expect(plan.requeueAfterMs).toBe(601_000); // check the progress deadline (600 s) in time
  });

  it('reports a complete rollout with every field kubectl rollout status reads', () => {
    const sim = new SimulatedCluster(deployment('web', { replicas: 3 }));
    settle(sim);
    const name = sim.replicaSets[0].metadata.name;
    expect(sim.d.status).toEqual({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      conditions: [
        expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }),
        expect.objectContaining({
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${name}" has successfully progressed.`,
        }),
      ],
    });
    expect(sim.events).toEqual([`Scaled up replica set ${name} from 0 to 3`]);
  });

  it('only observes the generation of a Deployment that selects everything', () => {
    const d = deployment('web', { generation: 4 });
    d.spec.selector = {};
    const plan = reconcileDeployment({ deployment: d, replicaSets: [], now: T0 });
    expect(plan.actions).toEqual([]);
    expect(plan.events).toEqual([
      {
        type: 'Warning',
        reason: 'SelectingAll',
        message: 'This deployment is selecting all pods. A non-empty selector is required.',
      },
    ]);
    expect(plan.status).toEqual({ observedGeneration: 4 });
  });

  it('only updates the status of a Deployment being deleted', () => {
    const d = deployment('web');
    d.metadata.deletionTimestamp = at(5);
    const rs = rsFor(d, { replicas: 3, revision: 1, desired: 3, max: 4 });
    const plan = reconcileDeployment({ deployment: d, replicaSets: [rs], now: T0 });
    expect(plan.actions).toEqual([]);
    expect(plan.status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
  });
});

describe('reconcileDeployment: scaling', () => {
  it('resizes the only ReplicaSet when spec.replicas changes', () => {
    const d = deployment('web', { replicas: 5 });
    const rs = rsFor(d, { replicas: 3, revision: 1, desired: 3, max: 4 });
    const plan = reconcileDeployment({ deployment: d, replicaSets: [rs], now: T0 });
    expect(plan.actions).toEqual([
      expect.objectContaining({ type: 'updateReplicaSet', scaled: { from: 3, to: 5 } }),
    ]);
    expect(plan.actions[0].rs.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/desired-replicas': '5',
      'deployment.kubernetes.io/max-replicas': '7',
    });
  });

  it('follows a minReadySeconds change on the current ReplicaSet', () => {
    const d = deployment('web', { replicas: 3, minReadySeconds: 15 });
    const rs = rsFor(d, { replicas: 3, revision: 1, desired: 3, max: 4 });
    rs.spec.minReadySeconds = 0;
    const plan = reconcileDeployment({ deployment: d, replicaSets: [rs], now: T0 });
    expect(plan.actions).toHaveLength(1);
    expect(plan.actions[0].rs.spec.minReadySeconds).toBe(15);
  });
});

describe('reconcileDeployment: rollback (kubectl rollout undo)', () => {
  /** The JSON patch kubectl sends (KUBECTL-API.md §13): the old template, as Go encodes it, and annotations. */
  function undoPatch(d: Deployment, target: ReplicaSet): unknown {
    const template = structuredClone(target.spec.template!) as any;
    delete template.metadata.labels['pod-template-hash'];
    template.metadata.creationTimestamp = null;
    for (const c of template.spec.containers) c.resources = {};
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (k === REVISION) annotations[k] = v;
    for (const [k, v] of Object.entries(target.metadata.annotations ?? {})) {
      if (!k.startsWith('deployment.kubernetes.io/')) annotations[k] = v;
    }
    return [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ];
  }

  it('revives the old ReplicaSet with the next revision instead of creating a duplicate', () => {
    const v1 = deployment('web', { replicas: 3, annotations: { 'kubernetes.io/change-cause': 'v1' } });
    const sim = new SimulatedCluster(v1);
    settle(sim);
    sim.setTemplate(templateWithImage(sim.d, 'nginx:1.28'), {
      ...sim.d.metadata.annotations,
      'kubernetes.io/change-cause': 'v2',
    });
    settle(sim);
    expect(sim.replicaSets.map((rs) => rs.metadata.annotations?.[REVISION])).toEqual(['1', '2']);
    const [oldRS, currentRS] = sim.replicaSets.map((rs) => structuredClone(rs));

    const undone = applyPatch(sim.d, 'json', undoPatch(sim.d, oldRS)) as Deployment;
    undone.metadata.generation = (sim.d.metadata.generation ?? 1) + 1;
    sim.d = undone;
    const first = sim.sync();
    expect(first.actions.some((a) => a.type === 'createReplicaSet')).toBe(false);
    expect(first.actions[0]).toMatchObject({
      type: 'updateReplicaSet',
      rs: { metadata: { name: oldRS.metadata.name } },
    });
    expect(first.actions[0].rs.metadata.annotations).toMatchObject({
      [REVISION]: '3',
      'deployment.kubernetes.io/revision-history': '1',
      'kubernetes.io/change-cause': 'v1',
    });
    sim.replicaSetController();
    sim.kubelet();
    settle(sim);
    expect(sim.replicaSets.map((rs) => rs.metadata.name)).toEqual([
      oldRS.metadata.name,
      currentRS.metadata.name,
    ]);
    expect(sim.byImage()).toEqual({ 'nginx:1.27': 3, 'nginx:1.28': 0 });
    expect(sim.d.metadata.annotations?.[REVISION]).toBe('3');
    expect(getCondition(sim.d.status, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });
});

describe('reconcileDeployment: revisionHistoryLimit', () => {
  it('deletes the lowest revisions beyond the limit once the rollout is complete, only scaled-down ones', () => {
    const d = deployment('web', { replicas: 2, revisionHistoryLimit: 2 });
    d.status = {
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
      readyReplicas: 2,
    };
    const old = (rev: number, replicas = 0) =>
      rsFor(d, { replicas, revision: rev, created: rev, template: templateWithImage(d, `v${rev}`) });
    const r1 = old(1);
    const r2 = old(2);
    const r3 = old(3);
    const r4 = old(4);
    const unobserved = old(5);
    unobserved.metadata.generation = 2; // its scale-down is not observed yet
    const current = rsFor(d, { replicas: 2, revision: 6, created: 6, desired: 2, max: 3 });
    const plan = reconcileDeployment({
      deployment: d,
      replicaSets: [r4, current, r1, r3, unobserved, r2],
      now: T0,
    });
    expect(plan.actions.map((a) => [a.type, a.rs.metadata.name])).toEqual([
      ['deleteReplicaSet', r1.metadata.name],
      ['deleteReplicaSet', r2.metadata.name],
      ['deleteReplicaSet', r3.metadata.name],
    ]);
  });

  it('keeps everything while the rollout is in progress', () => {
    const d = deployment('web', { replicas: 2, revisionHistoryLimit: 0 });
    const r1 = rsFor(d, { replicas: 0, revision: 1, template: templateWithImage(d, 'v1') });
    const current = rsFor(d, { replicas: 2, revision: 2, available: 0, desired: 2, max: 3 });
    const plan = reconcileDeployment({ deployment: d, replicaSets: [r1, current], now: T0 });
    expect(plan.actions.filter((a) => a.type === 'deleteReplicaSet')).toEqual([]);
  });
});

describe('reconcileDeployment: pause and resume', () => {
  it('makes no rollout progress while paused but still scales, then resumes', () => {
    const sim = new SimulatedCluster(deployment('web', { replicas: 2 }));
    settle(sim);
    sim.d.spec.paused = true;
    sim.setTemplate(templateWithImage(sim.d, 'nginx:1.28'));
    const paused = sim.sync();
    expect(paused.actions).toEqual([]);
    expect(getCondition(sim.d.status, 'Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentPaused',
      message: 'Deployment is paused',
    });
    expect(sim.d.status?.updatedReplicas).toBeUndefined(); // the new template has no ReplicaSet
    // Scaling a paused Deployment works.
    sim.d.spec.replicas = 4;
    const scaled = sim.sync();
    expect(scaled.actions).toEqual([expect.objectContaining({ scaled: { from: 2, to: 4 } })]);
    settle(sim, 3);
    expect(sim.byImage()).toEqual({ 'nginx:1.27': 4 });

    sim.d.spec.paused = false;
    const resumed = sim.sync();
    expect(resumed.actions[0].type).toBe('createReplicaSet');
    expect(getCondition(resumed.status, 'Progressing')?.reason).not.toBe('DeploymentPaused');
    settle(sim);
    expect(sim.byImage()).toEqual({ 'nginx:1.27': 0, 'nginx:1.28': 4 });
  });
});

describe('reconcileDeployment: Recreate', () => {
  it('scales the old ReplicaSet to 0, waits until its pods are gone, then creates the new one', () => {
    const d = deployment('web', { replicas: 3, strategy: 'Recreate' });
    const oldRS = rsFor(d, { replicas: 3, revision: 1, desired: 3, max: 3 });
    const v2 = { ...d, spec: { ...d.spec, template: templateWithImage(d, 'nginx:1.28') } };
    v2.metadata = { ...d.metadata, generation: 2 };

    const step1 = reconcileDeployment({ deployment: v2, replicaSets: [oldRS], now: T0 });
    expect(
      step1.actions.map((a) => [a.type, a.rs.metadata.name, a.type === 'updateReplicaSet' && a.scaled]),
    ).toEqual([['updateReplicaSet', oldRS.metadata.name, { from: 3, to: 0 }]]);

    // The ReplicaSet is at 0 but one of its pods is still terminating.
    const scaledDown = structuredClone(step1.actions[0].rs);
    scaledDown.status = { replicas: 0, observedGeneration: 1 };
    const lingering: Pod = pod('web-old-1', { owner: oldRS, phase: 'Running', deleting: true });
    const pods = new Map([[oldRS.metadata.uid!, [lingering]]]);
    const step2 = reconcileDeployment({
      deployment: v2,
      replicaSets: [scaledDown],
      podsByReplicaSet: pods,
      now: T0,
    });
    expect(step2.actions).toEqual([]);

    const step3 = reconcileDeployment({
      deployment: v2,
      replicaSets: [scaledDown],
      podsByReplicaSet: new Map(),
      now: T0,
    });
    expect(step3.actions.map((a) => [a.type, a.rs.spec.replicas])).toEqual([['createReplicaSet', 3]]);
    expect(step3.actions[0].rs.spec.template?.spec.containers[0].image).toBe('nginx:1.28');
    expect(step3.revision).toBe('2');
  });

  it('counts terminal pods of old ReplicaSets as gone', () => {
    const d = deployment('web', { replicas: 1, strategy: 'Recreate' });
    const oldRS = rsFor(d, { replicas: 0, actual: 0, revision: 1, template: templateWithImage(d, 'old') });
    const done = pod('done', { owner: oldRS, phase: 'Succeeded' });
    const plan = reconcileDeployment({
      deployment: d,
      replicaSets: [oldRS],
      podsByReplicaSet: new Map([[oldRS.metadata.uid!, [done]]]),
      now: T0,
    });
    expect(plan.actions.map((a) => a.type)).toEqual(['createReplicaSet']);
  });
});

describe('reconcileDeployment: hash collisions', () => {
  it('mixes status.collisionCount into the new ReplicaSet name', () => {
    const d = deployment('web');
    const plain = reconcileDeployment({ deployment: d, replicaSets: [], now: T0 }).actions[0].rs.metadata
      .name;
    d.status = { collisionCount: 1 };
    const bumped = reconcileDeployment({ deployment: d, replicaSets: [], now: T0 });
    expect(bumped.actions[0].rs.metadata.name).not.toBe(plain);
    expect(bumped.actions[0].rs.metadata.name).toBe(`web-${computeTemplateHash(d.spec.template, 1)}`);
    expect(bumped.status?.collisionCount).toBe(1);
  });
});
