import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Pod, Taint } from '../../api/types.js';
import { NODES, PODS } from '../../client/api-client.js';
import { conflict } from '../../common/errors.js';
import { testCluster, type TestCluster } from './test-cluster.js';
import { makePod, tolerate, ts } from './test-fixtures.js';

const UNREACHABLE = 'node.kubernetes.io/unreachable';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function setTaints(c: TestCluster, name: string, taints: Taint[] | undefined): Promise<void> {
  const node = c.node(name);
  await c.api.update<Node>(NODES, undefined, { ...node, spec: { ...node.spec, taints } });
}

const deleting = (c: TestCluster, name: string) => c.pod(name)?.metadata.deletionTimestamp !== undefined;

describe('TaintEvictionController', () => {
  it('evicts at once, after tolerationSeconds, or never, counting from the taint’s timeAdded', async () => {
    const c = (cluster = await testCluster({
      nodes: ['n1', 'n2'],
      pods: [
        makePod('plain', { node: 'n2' }),
        makePod('five', { node: 'n2', tolerations: [tolerate(UNREACHABLE, 5)] }),
        makePod('forever', { node: 'n2', tolerations: [tolerate(UNREACHABLE)] }),
        makePod('elsewhere', { node: 'n1' }),
        makePod('pending'),
      ],
    }));
    await c.start(['eviction']);
    await c.run(3);
    await setTaints(c, 'n2', [{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: ts(2) }]);
    await c.run(0);
    expect(deleting(c, 'plain')).toBe(true);
    expect(c.pod('plain')?.status?.conditions?.find((x) => x.type === 'DisruptionTarget')).toMatchObject({
      status: 'True',
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
    });
    expect(c.eviction.scheduled().get('default/five')).toBe(Date.parse(ts(7)));
    expect(deleting(c, 'five')).toBe(false);

    await c.run(3); // T0+6
    expect(deleting(c, 'five')).toBe(false);
    await c.run(1); // T0+7 = timeAdded + 5 s
    expect(deleting(c, 'five')).toBe(true);
    expect(c.eviction.scheduled().size).toBe(0);

    await c.run(60);
    expect(deleting(c, 'forever')).toBe(false);
    expect(deleting(c, 'elsewhere')).toBe(false);
    expect(deleting(c, 'pending')).toBe(false);
    expect(c.events('TaintManagerEviction').map((e) => e.message)).toEqual([
      'Marking for deletion Pod default/plain',
      'Marking for deletion Pod default/five',
    ]);
    // Deletions are graceful, preconditioned on the pod's uid.
    expect(c.api.actionsOf('delete', 'pods').map((a) => [a.name, a.opts])).toEqual([
      ['plain', { preconditions: { uid: c.pod('plain')?.metadata.uid } }],
      ['five', { preconditions: { uid: c.pod('five')?.metadata.uid } }],
    ]);
  });

  it('cancels a queued deletion when the taint goes, with an event', async () => {
    const c = (cluster = await testCluster({
      nodes: ['n1'],
      pods: [makePod('five', { node: 'n1', tolerations: [tolerate(UNREACHABLE, 5)] })],
    }));
    await c.start(['eviction']);
    await setTaints(c, 'n1', [{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: ts(0) }]);
    await c.run(3);
    expect(c.eviction.scheduled().has('default/five')).toBe(true);
    await setTaints(c, 'n1', undefined);
    await c.run(10);
    expect(deleting(c, 'five')).toBe(false);
    expect(c.eviction.scheduled().size).toBe(0);
    expect(c.events('TaintManagerEviction').map((e) => e.message)).toEqual([
      'Cancelling deletion of Pod default/five',
    ]);
  });

  it('cancels when the pod gains a toleration without seconds', async () => {
    const c = (cluster = await testCluster({
      nodes: ['n1'],
      pods: [makePod('p', { node: 'n1', tolerations: [tolerate(UNREACHABLE, 5)] })],
    }));
    await c.start(['eviction']);
    await setTaints(c, 'n1', [{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: ts(0) }]);
    await c.run(1);
    const pod = c.pod('p')!;
    // A toleration listed first wins (GetMatchingTolerations), so the new one must come first to count.
    await c.api.update<Pod>(PODS, 'default', {
      ...pod,
      spec: { ...pod.spec, tolerations: [tolerate(UNREACHABLE), ...(pod.spec.tolerations ?? [])] },
    });
    await c.run(10);
    expect(deleting(c, 'p')).toBe(false);
    expect(c.events('TaintManagerEviction').map((e) => e.message)).toEqual([
      'Cancelling deletion of Pod default/p',
    ]);
  });

  it('times a taint without timeAdded from when it was first seen', async () => {
    const c = (cluster = await testCluster({
      nodes: ['n1'],
      pods: [makePod('p', { node: 'n1', tolerations: [{ operator: 'Exists', tolerationSeconds: 4 }] })],
    }));
    await c.start(['eviction']);
    await c.run(10);
    await setTaints(c, 'n1', [{ key: 'maintenance', value: 'now', effect: 'NoExecute' }]);
    await c.run(3);
    expect(deleting(c, 'p')).toBe(false);
    await c.run(1); // 4 s after the taint appeared
    expect(deleting(c, 'p')).toBe(true);
  });

  it('evicts a pod bound to a node that is already tainted', async () => {
    const c = (cluster = await testCluster({ nodes: ['n1'] }));
    await setTaints(c, 'n1', [{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: ts(0) }]);
    await c.start(['eviction']);
    await c.api.create(PODS, 'default', makePod('late', { node: 'n1' }));
    await c.run(0);
    expect(deleting(c, 'late')).toBe(true);
  });

  it('leaves a pod already being deleted alone, and retries a failed write', async () => {
    const c = (cluster = await testCluster({
      nodes: ['n1'],
      pods: [makePod('going', { node: 'n1' }), makePod('retry', { node: 'n1' })],
    }));
    await c.api.delete(PODS, 'default', 'going'); // graceful: it stays, Terminating
    c.api.clearActions();
    await c.start(['eviction']);
    c.api.failNext('updateStatus', conflict(PODS, 'retry'), 'pods');
    await setTaints(c, 'n1', [{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: ts(0) }]);
    await c.run(0);
    expect(deleting(c, 'retry')).toBe(false);
    await c.run(2); // the rate-limited retry
    expect(deleting(c, 'retry')).toBe(true);
    expect(c.api.actionsOf('delete', 'pods').map((a) => a.name)).toEqual(['retry']);
  });
});
