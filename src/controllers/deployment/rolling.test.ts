import { describe, expect, it } from 'vitest';
import { getCondition } from './conditions.js';
import { maxSurge, maxUnavailable } from './rollout-math.js';
import { SimulatedCluster } from './simulated-cluster.js';
import { deployment, templateWithImage } from './test-support.js';

/** Runs syncs until nothing changes any more; checks the rollout invariants after every step. */
function rollOut(sim: SimulatedCluster, checkBounds = true, maxSteps = 200): number {
  const replicas = sim.d.spec.replicas!;
  const ceiling = replicas + maxSurge(sim.d);
  const floor = replicas - maxUnavailable(sim.d);
  let quiet = 0;
  for (let step = 0; step < maxSteps; step++) {
    const plan = sim.sync();
    sim.replicaSetController();
    // Sampled between every two steps, as `kubectl get pods` would see it.
    if (checkBounds) {
      expect(sim.totalPods()).toBeLessThanOrEqual(ceiling);
      expect(sim.readyPods()).toBeGreaterThanOrEqual(floor);
    }
    sim.kubelet();
    quiet = plan.actions.length === 0 && !plan.status ? quiet + 1 : 0;
    if (quiet === 3) return step;
  }
  throw new Error('the rollout did not settle');
}

/** A running Deployment with all its pods ready. */
function settled(opts: Parameters<typeof deployment>[1]): SimulatedCluster {
  const sim = new SimulatedCluster(deployment('web', opts), (image) => image !== 'broken');
  rollOut(sim, false); // from nothing: no availability to keep yet
  expect(sim.readyPods()).toBe(opts?.replicas ?? 3);
  return sim;
}

describe('RollingUpdate, step by step', () => {
  it.each([
    [10, '25%', '25%'],
    [10, 3, 2],
    [3, 1, 0],
    [3, 0, 1],
    [5, '50%', 0],
    [4, 0, '50%'],
    [1, 0, 1],
    [1, 1, 0],
    [7, '30%', '10%'],
    [2, '0%', '1%'],
  ])(
    '%i replicas, maxSurge %s, maxUnavailable %s: stays within the bounds and completes',
    (replicas, surge, unavailable) => {
      const sim = settled({ replicas, maxSurge: surge, maxUnavailable: unavailable });
      sim.setTemplate(templateWithImage(sim.d, 'nginx:1.28'));
      rollOut(sim);
      expect(sim.byImage()).toEqual({ 'nginx:1.27': 0, 'nginx:1.28': replicas });
      expect(sim.readyPods()).toBe(replicas);
      const s = sim.d.status!;
      expect(s).toMatchObject({
        observedGeneration: 2,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
      });
      expect(s.unavailableReplicas).toBeUndefined();
      expect(getCondition(s, 'Progressing')).toMatchObject({
        status: 'True',
        reason: 'NewReplicaSetAvailable',
      });
      expect(getCondition(s, 'Available')).toMatchObject({
        status: 'True',
        reason: 'MinimumReplicasAvailable',
      });
      expect(sim.d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    },
  );

  it('takes the steps Kubernetes takes for 10 replicas at 25%/25% (surge 3, unavailable 2), pods ready in one step', () => {
    const sim = settled({ replicas: 10 });
    sim.events.length = 0;
    sim.setTemplate(templateWithImage(sim.d, 'nginx:1.28'));
    rollOut(sim);
    const [oldRS, newRS] = sim.replicaSets.map((rs) => rs.metadata.name);
    expect(sim.events).toEqual([
      `Scaled up replica set ${newRS} from 0 to 3`,
      `Scaled down replica set ${oldRS} from 10 to 8`,
      // 11 pods exist: the new ReplicaSet may take the 2 left of the surge.
      `Scaled up replica set ${newRS} from 3 to 5`,
      // 13 pods, all ready: 13 − 8 (min available) may go.
      `Scaled down replica set ${oldRS} from 8 to 3`,
      `Scaled up replica set ${newRS} from 5 to 10`,
      `Scaled down replica set ${oldRS} from 3 to 0`,
    ]);
  });

  it('stops at the maxUnavailable floor when the new image never becomes ready, then times out', () => {
    const sim = settled({ replicas: 10, progressDeadlineSeconds: 600 });
    sim.setTemplate(templateWithImage(sim.d, 'broken'));
    rollOut(sim);
    // 8 old pods (replicas − maxUnavailable) keep serving; 5 new ones (up to replicas + maxSurge) never get ready.
    expect(sim.byImage()).toEqual({ 'nginx:1.27': 8, broken: 5 });
    expect(sim.readyPods()).toBe(8);
    const before = getCondition(sim.d.status, 'Progressing')!;
    expect(before).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated' });
    // The controller asks to be woken up right after the deadline.
    const plan = sim.sync();
    const lastProgress = Date.parse(before.lastUpdateTime!);
    expect(plan.requeueAfterMs).toBe(lastProgress + 600_000 - sim.now + 1000);
    sim.now += plan.requeueAfterMs!;
    sim.sync();
    expect(getCondition(sim.d.status, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${sim.replicaSets[1].metadata.name}" has timed out progressing.`,
    });
    expect(getCondition(sim.d.status, 'Available')).toMatchObject({ status: 'True' });
    expect(sim.d.status).toMatchObject({ replicas: 13, updatedReplicas: 5, availableReplicas: 8 });
    // Nothing moves afterwards, and no more wake-ups are needed.
    const after = sim.sync();
    expect(after.actions).toEqual([]);
    expect(after.requeueAfterMs).toBeUndefined();
  });

  it('rolls over a second template change in the middle of a rollout (old ReplicaSets scaled down)', () => {
    const sim = settled({ replicas: 6 });
    sim.setTemplate(templateWithImage(sim.d, 'broken'));
    sim.sync();
    sim.replicaSetController();
    sim.kubelet();
    sim.setTemplate(templateWithImage(sim.d, 'nginx:1.29'));
    rollOut(sim);
    expect(sim.byImage()).toEqual({ 'nginx:1.27': 0, broken: 0, 'nginx:1.29': 6 });
    expect(sim.d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
  });
});
