import { afterEach, describe, expect, it } from 'vitest';
import { getControllerOf, podIsReady, setPodCondition } from '../../api/object-meta.js';
import type { Deployment, Event, Pod, ReplicaSet } from '../../api/types.js';
import { DEPLOYMENTS, EVENTS, PODS, REPLICASETS } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { rfc3339 } from '../../common/clock.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { FakeClock, flushMicrotasks } from '../../../test/fakes/fake-clock.js';
import { computeTemplateHash } from '../common/template-hash.js';
import { ReplicaSetController } from '../replicaset/controller.js';
import { T0 } from '../replicaset/test-support.js';
import { getCondition } from './conditions.js';
import { DeploymentController } from './controller.js';
import { deployment, rsFor, templateWithImage } from './test-support.js';

const REVISION = 'deployment.kubernetes.io/revision';

class Cluster {
  readonly clock = new FakeClock(T0);
  readonly client = new FakeApiClient({ clock: this.clock });
  readonly informers = new InformerFactory({ client: this.client, clock: this.clock });
  readonly recorder = new EventRecorder({ client: this.client, component: 'controllers', clock: this.clock });
  readonly dc = new DeploymentController({
    client: this.client,
    informers: this.informers,
    clock: this.clock,
    recorder: this.recorder,
  });
  readonly rsc = new ReplicaSetController({
    client: this.client,
    informers: this.informers,
    clock: this.clock,
    recorder: this.recorder,
  });
  /** Images whose pods never become ready. */
  readonly broken = new Set<string>();
  /** Called after every settling round (to sample invariants). */
  onRound: () => void = () => {};

  async start(): Promise<void> {
    await this.informers.start();
    this.dc.start();
    this.rsc.start();
  }

  async stop(): Promise<void> {
    await this.dc.stop();
    await this.rsc.stop();
    this.informers.stop();
  }

  pods(): Pod[] {
    return this.client.objectsOf<Pod>(PODS, 'default');
  }

  replicaSets(): ReplicaSet[] {
    return this.client.objectsOf<ReplicaSet>(REPLICASETS, 'default');
  }

  deployment(name = 'web'): Deployment {
    return this.client.find<Deployment>(DEPLOYMENTS, 'default', name)!;
  }

  async events(): Promise<string[]> {
    await this.recorder.flush();
    return this.client
      .objectsOf<Event>(EVENTS, 'default')
      .map((e) => `${e.involvedObject.kind} ${e.reason} ${e.message}`);
  }

  /** The kubelet's part: one pod of a working image becomes Running and Ready per call (slow rollouts). */
  async readyOnePod(): Promise<boolean> {
    const p = this.pods().find((x) => !podIsReady(x) && !this.broken.has(x.spec.containers[0].image ?? ''));
    if (!p) return false;
    const status = { ...(p.status ?? {}), phase: 'Running' as const };
    setPodCondition(status, { type: 'Ready', status: 'True' }, rfc3339(this.clock.now()));
    await this.client.updateStatus(PODS, 'default', { ...p, status });
    return true;
  }

  /** Lets the controllers run and pods become ready until nothing changes any more. */
  async settle(): Promise<void> {
    let quiet = 0;
    for (let round = 0; round < 500 && quiet < 3; round++) {
      const before = this.client.resourceVersion();
      await flushMicrotasks();
      this.onRound();
      await this.readyOnePod();
      await flushMicrotasks();
      quiet = this.client.resourceVersion() === before ? quiet + 1 : 0;
    }
  }
}

let clusters: Cluster[] = [];
afterEach(async () => {
  for (const c of clusters) await c.stop();
  clusters = [];
});

async function cluster(): Promise<Cluster> {
  const c = new Cluster();
  clusters.push(c);
  await c.start();
  return c;
}

const imagesOfReadyPods = (c: Cluster) =>
  c
    .pods()
    .filter(podIsReady)
    .map((p) => p.spec.containers[0].image)
    .sort();

describe('DeploymentController with the ReplicaSet controller', () => {
  it('rolls out a new Deployment: ReplicaSet, pods, events, complete status', async () => {
    const c = await cluster();
    await c.client.create(DEPLOYMENTS, 'default', deployment('web', { replicas: 3 }));
    await c.settle();
    const [rs] = c.replicaSets();
    expect(c.replicaSets()).toHaveLength(1);
    expect(getControllerOf(rs)).toMatchObject({ kind: 'Deployment', name: 'web', controller: true });
    expect(rs.metadata.annotations?.[REVISION]).toBe('1');
    expect(c.pods().map((p) => getControllerOf(p)?.name)).toEqual([
      rs.metadata.name,
      rs.metadata.name,
      rs.metadata.name,
    ]);
    const d = c.deployment();
    expect(d.metadata.annotations?.[REVISION]).toBe('1');
    expect(d.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    expect(getCondition(d.status, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    expect(rs.status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 1,
    });
    const events = await c.events();
    expect(events).toContain(
      `Deployment ScalingReplicaSet Scaled up replica set ${rs.metadata.name} from 0 to 3`,
    );
    expect(events.filter((e) => e.startsWith('ReplicaSet SuccessfulCreate Created pod: '))).toHaveLength(3);
  });

  it('rolls out a new image keeping replicas − maxUnavailable pods ready, and rolls back without a new ReplicaSet', async () => {
    const c = await cluster();
    await c.client.create(
      DEPLOYMENTS,
      'default',
      deployment('web', { replicas: 4, maxSurge: 1, maxUnavailable: 1 }),
    );
    await c.settle();
    let minReady = Infinity;
    let maxPods = 0;
    c.onRound = () => {
      minReady = Math.min(
        minReady,
        c.pods().filter((p) => podIsReady(p) && !p.metadata.deletionTimestamp).length,
      );
      maxPods = Math.max(maxPods, c.pods().length);
    };
    // kubectl set image: a strategic merge patch of the container image.
    await c.client.patch(DEPLOYMENTS, 'default', 'web', 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } } },
    });
    await c.settle();
    expect(minReady).toBe(3);
    expect(maxPods).toBe(5);
    expect(imagesOfReadyPods(c)).toEqual(Array(4).fill('nginx:1.28'));
    const revisions = () =>
      Object.fromEntries(
        c
          .replicaSets()
          .map((rs) => [rs.spec.template?.spec.containers[0].image, rs.metadata.annotations?.[REVISION]]),
      );
    expect(revisions()).toEqual({ 'nginx:1.27': '1', 'nginx:1.28': '2' });
    expect(c.deployment().metadata.annotations?.[REVISION]).toBe('2');

    // kubectl rollout undo: a JSON patch with revision 1's template as Go encodes it (KUBECTL-API.md §13).
    const v1 = c.replicaSets().find((rs) => rs.metadata.annotations?.[REVISION] === '1')!;
    const template = structuredClone(v1.spec.template!) as any;
    delete template.metadata.labels['pod-template-hash'];
    template.metadata.creationTimestamp = null;
    template.spec.containers[0].resources = {};
    await c.client.patch(DEPLOYMENTS, 'default', 'web', 'json', [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: { [REVISION]: '2' } },
    ]);
    await c.settle();
    expect(c.replicaSets()).toHaveLength(2);
    expect(revisions()).toEqual({ 'nginx:1.27': '3', 'nginx:1.28': '2' });
    expect(c.deployment().metadata.annotations?.[REVISION]).toBe('3');
    expect(imagesOfReadyPods(c)).toEqual(Array(4).fill('nginx:1.27'));
    expect(c.deployment().status).toMatchObject({
      observedGeneration: 3,
      updatedReplicas: 4,
      availableReplicas: 4,
    });
  });

  it('scales through the scale subresource (proportionally during a rollout is covered by scale.test.ts)', async () => {
    const c = await cluster();
    await c.client.create(DEPLOYMENTS, 'default', deployment('web', { replicas: 2 }));
    await c.settle();
    await c.client.patch(
      DEPLOYMENTS,
      'default',
      'web',
      'merge',
      { spec: { replicas: 5 } },
      { subresource: 'scale' },
    );
    await c.settle();
    expect(c.pods()).toHaveLength(5);
    expect(c.deployment().status).toMatchObject({ replicas: 5, readyReplicas: 5 });
    const name = c.replicaSets()[0].metadata.name;
    expect(await c.events()).toContain(
      `Deployment ScalingReplicaSet Scaled up replica set ${name} from 2 to 5`,
    );
  });

  it('stops a broken rollout at the floor and reports ProgressDeadlineExceeded after the deadline', async () => {
    const c = await cluster();
    c.broken.add('broken');
    await c.client.create(
      DEPLOYMENTS,
      'default',
      deployment('web', { replicas: 4, progressDeadlineSeconds: 60 }),
    );
    await c.settle();
    await c.client.patch(DEPLOYMENTS, 'default', 'web', 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'app', image: 'broken' }] } } },
    });
    await c.settle();
    expect(imagesOfReadyPods(c)).toEqual(Array(3).fill('nginx:1.27')); // 4 − 25% (rounded down: 1)
    expect(getCondition(c.deployment().status, 'Progressing')?.reason).toBe('ReplicaSetUpdated');
    await c.clock.advance(61_000);
    await c.settle();
    expect(getCondition(c.deployment().status, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    });
  });

  it('adopts a matching orphan ReplicaSet instead of creating another', async () => {
    const c = await cluster();
    const d = deployment('web', { replicas: 2 });
    const orphan = rsFor(d, { replicas: 2, revision: 1 });
    delete orphan.metadata.ownerReferences;
    delete orphan.status;
    c.client.seed(REPLICASETS, orphan);
    const created = (await c.client.create(DEPLOYMENTS, 'default', d)) as Deployment;
    await c.settle();
    expect(c.replicaSets()).toHaveLength(1);
    expect(getControllerOf(c.replicaSets()[0])?.uid).toBe(created.metadata.uid);
    expect(c.deployment().status).toMatchObject({ replicas: 2, availableReplicas: 2 });
  });

  it('resolves a hash collision with a foreign ReplicaSet through status.collisionCount', async () => {
    const c = await cluster();
    const d = deployment('web', { replicas: 1 });
    const squatter = rsFor(d, { replicas: 0, template: templateWithImage(d, 'other') });
    squatter.metadata.name = `web-${computeTemplateHash(d.spec.template)}`; // the name the Deployment wants
    squatter.metadata.labels = { app: 'unrelated' };
    delete squatter.metadata.ownerReferences;
    c.client.seed(REPLICASETS, squatter);
    await c.client.create(DEPLOYMENTS, 'default', d);
    await c.settle();
    await c.clock.advance(100); // the failed sync's rate-limited retry
    await c.settle();
    expect(c.deployment().status?.collisionCount).toBe(1);
    const ours = c.replicaSets().filter((rs) => getControllerOf(rs)?.kind === 'Deployment');
    expect(ours.map((rs) => rs.metadata.name)).toEqual([`web-${computeTemplateHash(d.spec.template, 1)}`]);
    expect(c.deployment().status).toMatchObject({ replicas: 1, availableReplicas: 1 });
  });

  it('reports a failed ReplicaSet create in the Progressing condition and a Warning event', async () => {
    const c = await cluster();
    c.client.failNext('create', new Error('admission webhook denied the request'), 'replicasets');
    await c.client.create(DEPLOYMENTS, 'default', deployment('web', { replicas: 1 }));
    await c.settle();
    // Written at once (the status update itself brings the retry, which then succeeds).
    const written = c.client
      .actionsOf('updateStatus', 'deployments')
      .map((a) => getCondition((a.body as Deployment).status, 'Progressing'));
    const cond = written.find((x) => x?.reason === 'ReplicaSetCreateError');
    expect(cond).toMatchObject({ status: 'False', reason: 'ReplicaSetCreateError' });
    expect(cond?.message).toMatch(
      /^Failed to create new replica set "web-\w+": admission webhook denied the request$/,
    );
    expect(
      (await c.events()).some((e) => e.startsWith('Deployment ReplicaSetCreateError Failed to create')),
    ).toBe(true);
    // The retry succeeds and the rollout goes on.
    await c.clock.advance(100);
    await c.settle();
    expect(getCondition(c.deployment().status, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('rolls out Recreate without old and new pods at the same time', async () => {
    const c = await cluster();
    await c.client.create(DEPLOYMENTS, 'default', deployment('web', { replicas: 3, strategy: 'Recreate' }));
    await c.settle();
    let mixed = false;
    c.onRound = () => {
      const images = new Set(c.pods().map((p) => p.spec.containers[0].image));
      if (images.size > 1) mixed = true;
    };
    await c.client.patch(DEPLOYMENTS, 'default', 'web', 'merge', {
      spec: { template: templateWithImage(c.deployment(), 'nginx:1.28') },
    });
    await c.settle();
    expect(mixed).toBe(false);
    expect(imagesOfReadyPods(c)).toEqual(Array(3).fill('nginx:1.28'));
  });
});
