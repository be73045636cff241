import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '../../api/types.js';
import { NODES, PODS } from '../../client/api-client.js';
import { testCluster, type TestCluster } from './test-cluster.js';
import { makeNode, makePod } from './test-fixtures.js';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('PodGCController', () => {
  it('force-deletes the pods of a deleted node after the quarantine, marked Failed first', async () => {
    const c = (cluster = await testCluster({
      nodes: ['n1', 'n2'],
      pods: [makePod('orphan', { node: 'n2', ready: true }), makePod('fine', { node: 'n1' })],
    }));
    await c.start(['podGC']);
    await c.api.delete(NODES, undefined, 'n2'); // `kubectl delete node n2`; passes run every 5 s from T0
    await c.run(9); // first seen missing at T0+5: quarantined until T0+15
    expect(c.pod('orphan')).toBeDefined();
    await c.run(6); // T0+15
    expect(c.pod('orphan')).toBeUndefined();
    expect(c.pod('fine')).toBeDefined();

    const status = c.api.actionsOf('updateStatus', 'pods').find((a) => a.name === 'orphan')?.body as {
      status: { phase: string; conditions: { type: string; reason?: string }[] };
    };
    expect(status.status.phase).toBe('Failed');
    expect(status.status.conditions.at(-1)).toMatchObject({
      type: 'DisruptionTarget',
      reason: 'DeletionByPodGC',
    });
    expect(c.api.actionsOf('delete', 'pods').map((a) => [a.name, a.opts])).toEqual([
      ['orphan', { gracePeriodSeconds: 0, preconditions: { uid: expect.any(String) } }],
    ]);
    // It asked the API, not just its cache, before deleting.
    expect(c.api.actionsOf('get', 'nodes').map((a) => a.name)).toEqual(['n2']);
  });

  it('spares the pods when the node comes back during the quarantine', async () => {
    const c = (cluster = await testCluster({ nodes: ['n1', 'n2'], pods: [makePod('p', { node: 'n2' })] }));
    await c.start(['podGC']);
    const n2 = c.node('n2');
    await c.api.delete(NODES, undefined, 'n2');
    await c.run(6);
    c.api.seed(NODES, { ...makeNode('n2'), status: n2.status });
    await c.run(30);
    expect(c.pod('p')).toBeDefined();
    expect(c.api.actionsOf('delete', 'pods')).toEqual([]);
  });

  it('does not trust a cache that lags: the API still has the node', async () => {
    const c = (cluster = await testCluster({ nodes: ['n1'], pods: [makePod('p', { node: 'ghost' })] }));
    await c.start(['podGC']);
    // The informer has never seen "ghost", but the API answers for it (it was created meanwhile).
    const ghost: Node = makeNode('ghost');
    const realGet = c.api.get.bind(c.api);
    let asked = 0;
    c.api.get = (async (ref, ns, name) => {
      if (ref.resource !== 'nodes' || name !== 'ghost') return realGet(ref, ns, name);
      asked++;
      return ghost;
    }) as typeof c.api.get;
    await c.run(30);
    expect(asked).toBeGreaterThan(0);
    expect(c.pod('p')).toBeDefined();
  });

  it('force-deletes terminating pods on an out-of-service node that is not Ready, and unscheduled terminating ones', async () => {
    const c = (cluster = await testCluster({
      nodes: ['n1', 'n2'],
      pods: [makePod('stuck', { node: 'n2' }), makePod('waiting', { node: 'n1' })],
    }));
    await c.start(['podGC']);
    for (const p of ['stuck', 'waiting']) await c.api.delete(PODS, 'default', p); // graceful: Terminating
    const unscheduled = makePod('unscheduled');
    unscheduled.metadata.finalizers = ['example.com/hold'];
    c.api.seed(PODS, unscheduled);
    await c.api.delete(PODS, 'default', 'unscheduled');
    const n2 = c.node('n2');
    await c.api.updateStatus(NODES, undefined, {
      ...n2,
      status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
    });
    const down = c.node('n2');
    await c.api.update(NODES, undefined, {
      ...down,
      spec: {
        taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }],
      },
    });
    await c.run(6);
    expect(c.pod('stuck')).toBeUndefined();
    expect(c.pod('waiting')?.metadata.deletionTimestamp).toBeDefined(); // its node is fine: its agent finishes it
    expect(
      c.api
        .actionsOf('delete', 'pods')
        .filter((a) => a.name === 'unscheduled')
        .at(-1)?.opts,
    ).toMatchObject({
      gracePeriodSeconds: 0,
    });
  });
});
