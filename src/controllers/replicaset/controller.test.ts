import { afterEach, describe, expect, it } from 'vitest';
import { getControllerOf, setPodCondition } from '../../api/object-meta.js';
import type { Pod, ReplicaSet } from '../../api/types.js';
import { EVENTS, PODS, REPLICASETS } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { rfc3339 } from '../../common/clock.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { FakeClock, flushMicrotasks } from '../../../test/fakes/fake-clock.js';
import { RecordingPodControl, type PodControl } from '../common/pod-control.js';
import { EXPECTATIONS_TTL_MS } from '../runtime/expectations.js';
import { ReplicaSetController } from './controller.js';
import { pod, replicaSet, T0 } from './test-support.js';

interface Env {
  client: FakeApiClient;
  clock: FakeClock;
  informers: InformerFactory;
  rsc: ReplicaSetController;
  recorder: EventRecorder;
}

let envs: Env[] = [];
afterEach(async () => {
  for (const e of envs) {
    await e.rsc.stop();
    e.informers.stop();
  }
  envs = [];
});

async function setup(opts: { podControl?: PodControl } = {}): Promise<Env> {
  const clock = new FakeClock(T0);
  const client = new FakeApiClient({ clock });
  const informers = new InformerFactory({ client, clock });
  const recorder = new EventRecorder({ client, component: 'replicaset-controller', clock });
  const rsc = new ReplicaSetController({ client, informers, clock, recorder, podControl: opts.podControl });
  await informers.start();
  const env = { client, clock, informers, rsc, recorder };
  envs.push(env);
  return env;
}

async function createRs(env: Env, rs: ReplicaSet): Promise<ReplicaSet> {
  const created = (await env.client.create(REPLICASETS, 'default', rs)) as ReplicaSet;
  await flushMicrotasks();
  return created;
}

const podsOf = (env: Env) => env.client.objectsOf<Pod>(PODS, 'default');
const rsOf = (env: Env, name: string) => env.client.find<ReplicaSet>(REPLICASETS, 'default', name)!;

/** What a kubelet does: mark the pod Running and Ready at the current time. */
async function makeReady(env: Env, p: Pod): Promise<void> {
  const fresh = env.client.find<Pod>(PODS, 'default', p.metadata.name!)!;
  const status = { ...(fresh.status ?? {}), phase: 'Running' as const };
  setPodCondition(status, { type: 'Ready', status: 'True' }, rfc3339(env.clock.now()));
  await env.client.updateStatus(PODS, 'default', { ...fresh, status });
}

describe('ReplicaSetController', () => {
  it('creates the missing pods in slow-start batches, owned by the ReplicaSet, with events and status', async () => {
    const env = await setup();
    const rs = await createRs(env, replicaSet('web-abc', { replicas: 3 }));
    await env.rsc.sync('default/web-abc');
    await flushMicrotasks();
    const pods = podsOf(env);
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^web-abc-[a-z0-9]{5}$/);
      expect(getControllerOf(p)).toMatchObject({ kind: 'ReplicaSet', name: 'web-abc', uid: rs.metadata.uid });
      expect(p.metadata.labels).toEqual({ app: 'web' });
    }
    await env.recorder.flush();
    const events = env.client.objectsOf(EVENTS, 'default');
    expect(events.map((e) => e.reason)).toEqual(['SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulCreate']);
    expect(events[0].message).toMatch(/^Created pod: web-abc-/);
    // The creates are observed (expectations satisfied); the next sync writes the counts.
    await env.rsc.sync('default/web-abc');
    expect(rsOf(env, 'web-abc').status).toEqual({
      replicas: 3,
      fullyLabeledReplicas: 3,
      readyReplicas: 0,
      availableReplicas: 0,
      observedGeneration: 1,
    });
  });

  it('does not create twice while the cache has not seen its pods (expectations)', async () => {
    const podControl = new RecordingPodControl(); // creates nothing the informer could ever see
    const env = await setup({ podControl });
    await createRs(env, replicaSet('web-abc', { replicas: 3 }));
    await env.rsc.sync('default/web-abc');
    expect(podControl.created).toHaveLength(3);
    await env.rsc.sync('default/web-abc');
    await env.rsc.sync('default/web-abc');
    expect(podControl.created).toHaveLength(3);
    // Lost events must not wedge the controller: expectations expire.
    await env.clock.advance(EXPECTATIONS_TTL_MS + 1);
    await env.rsc.sync('default/web-abc');
    expect(podControl.created).toHaveLength(6);
  });

  it('deletes the surplus (not-ready first) and counts a graceful deletion once', async () => {
    const env = await setup();
    const rs = await createRs(env, replicaSet('web-abc', { replicas: 3 }));
    env.client.seed(
      PODS,
      pod('ready-1', { owner: rs, node: 'n1', readyAt: 0 }),
      pod('ready-2', { owner: rs, node: 'n1', readyAt: 0, restarts: 3 }), // restarted: goes before ready-1
      pod('pending', { owner: rs, node: 'n1', phase: 'Pending' }),
    );
    await flushMicrotasks();
    await env.client.patch(REPLICASETS, 'default', 'web-abc', 'merge', { spec: { replicas: 1 } });
    await flushMicrotasks();
    await env.rsc.sync('default/web-abc');
    await flushMicrotasks();
    // Bound pods are deleted gracefully: they linger with a deletionTimestamp.
    const deleting = podsOf(env)
      .filter((p) => p.metadata.deletionTimestamp)
      .map((p) => p.metadata.name);
    expect(deleting.sort()).toEqual(['pending', 'ready-2']);
    expect(env.rsc.expectations.satisfied('default/web-abc')).toBe(true);
    // A second sync sees 1 active pod and does nothing more.
    env.client.clearActions();
    await env.rsc.sync('default/web-abc');
    expect(env.client.actionsOf('delete')).toEqual([]);
    expect(rsOf(env, 'web-abc').status?.replicas).toBe(1);
  });

  it('waits for expected deletions that the cache has not seen yet', async () => {
    const env = await setup();
    const rs = await createRs(env, replicaSet('web-abc', { replicas: 0 }));
    env.client.seed(PODS, pod('a', { owner: rs, node: 'n1', readyAt: 0 }));
    await flushMicrotasks();
    // Deletion fails at the API: the expectation is lowered at once and the error surfaces.
    env.client.failNext('delete', new Error('etcd timeout'), 'pods');
    await expect(env.rsc.sync('default/web-abc')).rejects.toThrow('etcd timeout');
    expect(env.rsc.expectations.satisfied('default/web-abc')).toBe(true);
    expect(rsOf(env, 'web-abc').status?.conditions?.[0]).toMatchObject({
      type: 'ReplicaFailure',
      reason: 'FailedDelete',
    });
  });

  it('adopts matching orphans and releases pods whose labels no longer match', async () => {
    const env = await setup();
    const rs = await createRs(env, replicaSet('web-abc', { replicas: 2 }));
    env.client.seed(
      PODS,
      pod('orphan', { node: 'n1', readyAt: 0 }),
      pod('mine', { owner: rs, node: 'n1', readyAt: 0 }),
      pod('strayed', { owner: rs, labels: { app: 'debug' }, node: 'n1', readyAt: 0 }),
    );
    await flushMicrotasks();
    await env.rsc.sync('default/web-abc');
    await flushMicrotasks();
    const byName = Object.fromEntries(podsOf(env).map((p) => [p.metadata.name, p]));
    expect(getControllerOf(byName.orphan)?.uid).toBe(rs.metadata.uid);
    expect(getControllerOf(byName.strayed)).toBeUndefined();
    expect(Object.keys(byName).sort()).toEqual(['mine', 'orphan', 'strayed']); // 2 owned: nothing created
    const patches = env.client.actionsOf('patch', 'pods');
    expect(patches.map((a) => [a.name, a.patchType])).toEqual([
      ['orphan', 'strategic'],
      ['strayed', 'strategic'],
    ]);
  });

  it('reports ReplicaFailure when creating fails and clears it once creating works', async () => {
    const podControl = new RecordingPodControl();
    podControl.err = new Error('pods "web-abc-" is forbidden: exceeded quota');
    const env = await setup({ podControl });
    await createRs(env, replicaSet('web-abc', { replicas: 2 }));
    await expect(env.rsc.sync('default/web-abc')).rejects.toThrow('exceeded quota');
    expect(podControl.created).toHaveLength(0); // the first batch (1 pod) failed: nothing more tried
    const failed = rsOf(env, 'web-abc').status?.conditions;
    expect(failed).toEqual([
      expect.objectContaining({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' }),
    ]);
    podControl.err = undefined;
    await flushMicrotasks();
    await env.rsc.sync('default/web-abc');
    expect(podControl.created).toHaveLength(2);
    expect(rsOf(env, 'web-abc').status?.conditions).toBeUndefined();
  });

  it('counts a ready pod as available after minReadySeconds, re-syncing on time', async () => {
    const env = await setup();
    const rs = await createRs(env, replicaSet('web-abc', { replicas: 1, minReadySeconds: 10 }));
    env.client.seed(PODS, pod('a', { owner: rs, node: 'n1', phase: 'Pending' }));
    await flushMicrotasks();
    await makeReady(env, podsOf(env)[0]);
    await flushMicrotasks();
    env.rsc.controller.queue.forget('default/web-abc');
    await env.rsc.sync('default/web-abc');
    expect(rsOf(env, 'web-abc').status).toMatchObject({ readyReplicas: 1, availableReplicas: 0 });
    // Drain what the handlers queued, then wait for the timed re-sync.
    while (env.rsc.controller.queue.len() > 0) await env.rsc.controller.processNext();
    await env.clock.advance(10_000);
    expect(env.rsc.controller.queue.len()).toBe(1);
    await env.rsc.controller.processNext();
    expect(rsOf(env, 'web-abc').status).toMatchObject({ readyReplicas: 1, availableReplicas: 1 });
  });

  it('enqueues the owning ReplicaSet for pod events, and matching ReplicaSets for orphans', async () => {
    const env = await setup();
    const rs = await createRs(env, replicaSet('web-abc', { replicas: 1 }));
    await createRs(env, replicaSet('db', { labels: { app: 'db' } }));
    while (env.rsc.controller.queue.len() > 0) await env.rsc.controller.processNext();
    await flushMicrotasks();
    while (env.rsc.controller.queue.len() > 0) await env.rsc.controller.processNext();
    env.client.seed(PODS, pod('owned', { owner: rs }));
    await flushMicrotasks();
    expect(env.rsc.controller.queue.len()).toBe(1);
    expect(await env.rsc.controller.queue.get()).toBe('default/web-abc');
    env.rsc.controller.queue.done('default/web-abc');
    env.client.seed(PODS, pod('orphan-db', { labels: { app: 'db' } }));
    await flushMicrotasks();
    expect(await env.rsc.controller.queue.get()).toBe('default/db');
  });

  it('forgets a deleted ReplicaSet', async () => {
    const env = await setup();
    await createRs(env, replicaSet('web-abc', { replicas: 1 }));
    env.rsc.expectations.expectCreations('default/web-abc', 5);
    await env.client.delete(REPLICASETS, 'default', 'web-abc');
    await flushMicrotasks();
    expect(env.rsc.expectations.get('default/web-abc')).toBeUndefined();
    await expect(env.rsc.sync('default/web-abc')).resolves.toBeUndefined();
  });
});
