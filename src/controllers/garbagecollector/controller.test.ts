// The garbage collector against the API server's own deletion semantics (in-process, fake clock): Background,
// Foreground and Orphan cascades, several owners, and owners recreated under the same name.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { CONFIGMAPS, PODS } from '../../client/api-client.js';
import { GarbageCollector, collectedResources } from './controller.js';
import {
  boundPod,
  configMap,
  eventually,
  find,
  ownerRef,
  pod,
  testCluster,
  testRegistry,
  widget,
  WIDGETS,
  type TestCluster,
} from './test-fixtures.js';

const NS = 'default';
let running: { gc: GarbageCollector; cluster: TestCluster } | undefined;

async function startGc(): Promise<TestCluster & { gc: GarbageCollector }> {
  const cluster = await testCluster();
  const gc = new GarbageCollector({
    client: cluster.client,
    informers: cluster.informers,
    registry: cluster.registry,
    clock: cluster.clock,
  });
  await cluster.informers.start();
  gc.start();
  running = { gc, cluster };
  return { ...cluster, gc };
}

afterEach(async () => {
  if (!running) return;
  await running.gc.stop();
  running.cluster.informers.stop();
  running = undefined;
});

/** A Deployment-like widget owning a ReplicaSet-like widget owning `pods` (created unbound). */
async function threeLevels(c: TestCluster, pods = ['web-rs-a', 'web-rs-b']) {
  const web = await c.client.create(WIDGETS, NS, widget('web'));
  const rs = await c.client.create(WIDGETS, NS, widget('web-rs', [ownerRef(web)]));
  const created: KubeObject[] = [];
  for (const name of pods) created.push(await c.client.create(PODS, NS, pod(name, [ownerRef(rs)])));
  return { web, rs, pods: created };
}

describe('collectedResources', () => {
  it('watches every listable, watchable, deletable kind except events', () => {
    const names = collectedResources(testRegistry()).map((d) => d.resource);
    expect(names).toContain('pods');
    expect(names).toContain('configmaps');
    expect(names).toContain('namespaces');
    expect(names).toContain('widgets');
    expect(names).not.toContain('events');
  });
});

describe('GarbageCollector', () => {
  it('Background: deleting the top owner removes the whole tree, level by level', async () => {
    const c = await startGc();
    const { web } = await threeLevels(c);
    const bystander = await c.client.create(PODS, NS, pod('bystander'));
    await c.clock.advance(100);

    await c.client.delete(WIDGETS, NS, 'web', { propagationPolicy: 'Background' });
    expect(await find(c.client, WIDGETS, NS, 'web')).toBeUndefined();
    await eventually(c.clock, async () => (await c.client.list(PODS, NS)).items.length === 1);

    expect(await find(c.client, WIDGETS, NS, 'web-rs')).toBeUndefined();
    expect((await c.client.list(PODS, NS)).items.map((p) => p.metadata.uid)).toEqual([
      bystander.metadata.uid,
    ]);
    expect(c.gc.graph.get(web.metadata.uid!)).toBeUndefined();
  });

  it('Background: gracefully deleted pods stay until their agent deletes them with grace 0', async () => {
    const c = await startGc();
    const web = await c.client.create(WIDGETS, NS, widget('web'));
    await boundPod(c.client, NS, 'web-1', [ownerRef(web)]);
    await c.clock.advance(100);

    await c.client.delete(WIDGETS, NS, 'web');
    await eventually(c.clock, async () =>
      Boolean((await find(c.client, PODS, NS, 'web-1'))?.metadata.deletionTimestamp),
    );
    await c.client.delete(PODS, NS, 'web-1', { gracePeriodSeconds: 0 }); // what the agent does once stopped
    expect(await find(c.client, PODS, NS, 'web-1')).toBeUndefined();
  });

  it('Foreground: the owner stays until its blocking dependents are gone, then disappears', async () => {
    const c = await startGc();
    const web = await c.client.create(WIDGETS, NS, widget('web'));
    const rs = await c.client.create(WIDGETS, NS, widget('web-rs', [ownerRef(web)]));
    await boundPod(c.client, NS, 'web-rs-a', [ownerRef(rs)]);
    await c.clock.advance(100);

    await c.client.delete(WIDGETS, NS, 'web', { propagationPolicy: 'Foreground' });
    // The ReplicaSet-like dependent has dependents itself, so it is deleted in Foreground too; the pod is
    // marked and waits for its agent.
    await eventually(c.clock, async () =>
      Boolean((await find(c.client, PODS, NS, 'web-rs-a'))?.metadata.deletionTimestamp),
    );
    await c.clock.advance(1000);
    const owner = await find(c.client, WIDGETS, NS, 'web');
    const middle = await find(c.client, WIDGETS, NS, 'web-rs');
    expect(owner?.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(owner?.metadata.deletionTimestamp).toBeDefined();
    expect(middle?.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(middle?.metadata.deletionTimestamp).toBeDefined();

    await c.client.delete(PODS, NS, 'web-rs-a', { gracePeriodSeconds: 0 });
    await eventually(c.clock, async () => !(await find(c.client, WIDGETS, NS, 'web')));
    expect(await find(c.client, WIDGETS, NS, 'web-rs')).toBeUndefined();
  });

  it('Foreground: an owner with no blocking dependents goes at once; non-blocking ones follow', async () => {
    const c = await startGc();
    const web = await c.client.create(WIDGETS, NS, widget('web'));
    await c.client.create(CONFIGMAPS, NS, configMap('loose', [ownerRef(web, { block: false })]));
    await c.clock.advance(100);

    await c.client.delete(WIDGETS, NS, 'web', { propagationPolicy: 'Foreground' });
    await eventually(c.clock, async () => !(await find(c.client, WIDGETS, NS, 'web')));
    await eventually(c.clock, async () => !(await find(c.client, CONFIGMAPS, NS, 'loose')));
  });

  it('Foreground: a dependent with another live owner only loses the reference to the waiting one', async () => {
    const c = await startGc();
    const web = await c.client.create(WIDGETS, NS, widget('web'));
    const keeper = await c.client.create(WIDGETS, NS, widget('keeper'));
    await c.client.create(
      CONFIGMAPS,
      NS,
      configMap('shared', [ownerRef(web), ownerRef(keeper, { controller: false })]),
    );
    await c.clock.advance(100);

    await c.client.delete(WIDGETS, NS, 'web', { propagationPolicy: 'Foreground' });
    await eventually(c.clock, async () => !(await find(c.client, WIDGETS, NS, 'web')));
    const shared = await find(c.client, CONFIGMAPS, NS, 'shared');
    expect(shared?.metadata.deletionTimestamp).toBeUndefined();
    expect(shared?.metadata.ownerReferences?.map((r) => r.uid)).toEqual([keeper.metadata.uid]);
  });

  it('Orphan: dependents keep running with the reference to the owner removed', async () => {
    const c = await startGc();
    const { rs } = await threeLevels(c);
    await c.clock.advance(100);

    await c.client.delete(WIDGETS, NS, 'web', { propagationPolicy: 'Orphan' });
    await eventually(c.clock, async () => !(await find(c.client, WIDGETS, NS, 'web')));
    await c.clock.advance(1000);

    const orphan = await find(c.client, WIDGETS, NS, 'web-rs');
    expect(orphan?.metadata.uid).toBe(rs.metadata.uid);
    expect(orphan?.metadata.ownerReferences).toBeUndefined();
    expect(orphan?.metadata.deletionTimestamp).toBeUndefined();
    const pods = (await c.client.list(PODS, NS)).items;
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.metadata.deletionTimestamp).toBeUndefined();
      expect(p.metadata.ownerReferences?.map((r) => r.uid)).toEqual([rs.metadata.uid]);
    }
  });

  it('a dependent with two owners lives on when one is deleted, and goes with the last', async () => {
    const c = await startGc();
    const a = await c.client.create(WIDGETS, NS, widget('a'));
    const b = await c.client.create(WIDGETS, NS, widget('b'));
    await c.client.create(
      CONFIGMAPS,
      NS,
      configMap('shared', [ownerRef(a), ownerRef(b, { controller: false })]),
    );
    await c.clock.advance(100);

    await c.client.delete(WIDGETS, NS, 'a');
    await eventually(c.clock, async () => {
      const cm = await find(c.client, CONFIGMAPS, NS, 'shared');
      return cm?.metadata.ownerReferences?.length === 1;
    });
    const shared = await find(c.client, CONFIGMAPS, NS, 'shared');
    expect(shared?.metadata.ownerReferences?.[0].uid).toBe(b.metadata.uid);
    expect(shared?.metadata.deletionTimestamp).toBeUndefined();

    await c.client.delete(WIDGETS, NS, 'b');
    await eventually(c.clock, async () => !(await find(c.client, CONFIGMAPS, NS, 'shared')));
  });

  it('an owner recreated under the same name is a different owner: the old dependents go', async () => {
    const c = await startGc();
    const first = await c.client.create(WIDGETS, NS, widget('web'));
    await c.client.create(CONFIGMAPS, NS, configMap('old-child', [ownerRef(first)]));
    await c.clock.advance(100);
    await c.gc.stop(); // the collector is down while the owner is replaced

    await c.client.delete(WIDGETS, NS, 'web');
    const second = await c.client.create(WIDGETS, NS, widget('web'));
    await c.client.create(CONFIGMAPS, NS, configMap('new-child', [ownerRef(second)]));
    const gc = new GarbageCollector({
      client: c.client,
      informers: c.informers,
      registry: c.registry,
      clock: c.clock,
    });
    running = { gc, cluster: c };
    gc.start();
    await eventually(c.clock, async () => !(await find(c.client, CONFIGMAPS, NS, 'old-child')));
    expect(await find(c.client, CONFIGMAPS, NS, 'new-child')).toBeDefined();
  });

  it('collects an object whose owner never existed, and leaves alone one whose owner kind it does not know', async () => {
    const c = await startGc();
    await c.client.create(
      CONFIGMAPS,
      NS,
      configMap('mystery', [{ apiVersion: 'nowhere.io/v1', kind: 'Ghost', name: 'g', uid: 'ghost-uid' }]),
    );
    await c.client.create(
      CONFIGMAPS,
      NS,
      configMap('stray', [
        { apiVersion: 'example.skiff.io/v1', kind: 'Widget', name: 'nope', uid: 'no-such-uid' },
      ]),
    );
    await eventually(c.clock, async () => !(await find(c.client, CONFIGMAPS, NS, 'stray')));
    await c.clock.advance(5000);
    expect(await find(c.client, CONFIGMAPS, NS, 'mystery')).toBeDefined();
  });
});
