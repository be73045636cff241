import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Taint } from '../../api/types.js';
import { NODES } from '../../client/api-client.js';
import { conflict } from '../../common/errors.js';
import { readyStatus } from './node-health.js';
import { testCluster, type TestCluster } from './test-cluster.js';
import { makeNode, makePod, ts } from './test-fixtures.js';

const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';
const taintIds = (n: Node) => (n.spec.taints ?? []).map((t: Taint) => `${t.key}:${t.effect}`);
const podReady = (c: TestCluster, name: string) =>
  c.pod(name)?.status?.conditions?.find((x) => x.type === 'Ready')?.status;

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('NodeLifecycleController', () => {
  it('marks a silent node Unknown after the grace period, taints it, and marks its pods NotReady', async () => {
    const c = (cluster = await testCluster({
      nodes: ['n1', 'n2'],
      pods: [makePod('on-n2', { node: 'n2', ready: true }), makePod('on-n1', { node: 'n1', ready: true })],
    }));
    await c.start(['lifecycle']);
    expect(c.events('RegisteredNode').map((e) => e.message)).toEqual([
      'Registered Node n1 in Controller',
      'Registered Node n2 in Controller',
    ]);
    await c.run(10, ['n1', 'n2']); // n2's last heartbeat: T0+8 s
    expect(readyStatus(c.node('n2'))).toBe('True');

    await c.run(10, ['n1']); // T0+20 s: 12 s after n2's last heartbeat, observed at T0+8
    const n2 = c.node('n2');
    expect(readyStatus(n2)).toBe('Unknown');
    expect(n2.status?.conditions?.find((x) => x.type === 'Ready')).toMatchObject({
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastHeartbeatTime: ts(8),
      lastTransitionTime: ts(19),
    });
    expect(n2.status?.conditions?.map((x) => x.status)).toEqual(['Unknown', 'Unknown', 'Unknown', 'Unknown']);
    expect(n2.spec.taints).toEqual([
      { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: ts(19) },
      { key: UNREACHABLE, effect: 'NoExecute', timeAdded: ts(19) },
    ]);
    expect(readyStatus(c.node('n1'))).toBe('True');
    expect(c.node('n1').spec.taints).toBeUndefined();
    expect(podReady(c, 'on-n2')).toBe('False');
    expect(podReady(c, 'on-n1')).toBe('True');
    expect(
      c.events('NodeNotReady').map((e) => [e.involvedObject.kind, e.involvedObject.name, e.message]),
    ).toEqual([
      ['Node', 'n2', 'Node n2 status is now: NodeNotReady'],
      ['Pod', 'on-n2', 'Node is not ready'],
    ]);
  });

  it('does not act on the grace boundary itself (strictly longer than the grace period)', async () => {
    const c = (cluster = await testCluster({ nodes: ['n1', 'n2'] }));
    await c.start(['lifecycle']);
    await c.run(2, ['n1', 'n2']); // last n2 heartbeat at T0 (seen at T0)
    await c.run(8, ['n1']); // T0+10: exactly the grace period
    expect(readyStatus(c.node('n2'))).toBe('True');
    await c.run(1, ['n1']); // T0+11
    expect(readyStatus(c.node('n2'))).toBe('Unknown');
  });

  it('keeps a node alive on lease renewals alone', async () => {
    const c = (cluster = await testCluster({ nodes: ['n1', 'n2'] }));
    await c.start(['lifecycle']);
    for (let i = 0; i < 30; i++) {
      if (i % 3 === 0) await c.renewLease('n2');
      await c.run(1, ['n1']);
    }
    expect(readyStatus(c.node('n2'))).toBe('True');
    expect(c.node('n2').spec.taints).toBeUndefined();
  });

  it('lifts the taints when the agent reports Ready again', async () => {
    const c = (cluster = await testCluster({ nodes: ['n1', 'n2'] }));
    await c.start(['lifecycle']);
    await c.run(20, ['n1']);
    expect(taintIds(c.node('n2'))).toEqual([`${UNREACHABLE}:NoSchedule`, `${UNREACHABLE}:NoExecute`]);
    await c.run(2, ['n1', 'n2']);
    expect(readyStatus(c.node('n2'))).toBe('True');
    expect(c.node('n2').spec.taints).toBeUndefined();
    // Still fine a while later: the renewed heartbeats count.
    await c.run(20, ['n1', 'n2']);
    expect(readyStatus(c.node('n2'))).toBe('True');
  });

  it('taints a node whose agent reports NotReady with not-ready, and leaves its conditions and pods to the agent', async () => {
    const c = (cluster = await testCluster({
      nodes: ['n1', 'n2'],
      pods: [makePod('on-n2', { node: 'n2', ready: true })],
    }));
    await c.start(['lifecycle']);
    await c.beat('n2', 'False');
    await c.run(2, ['n1']);
    expect(taintIds(c.node('n2'))).toEqual([`${NOT_READY}:NoSchedule`, `${NOT_READY}:NoExecute`]);
    expect(podReady(c, 'on-n2')).toBe('True');
    expect(c.events('NodeNotReady')).toEqual([]);
    // Then it falls silent too: the not-ready taints are swapped for unreachable ones.
    await c.run(12, ['n1']);
    expect(taintIds(c.node('n2'))).toEqual([`${UNREACHABLE}:NoSchedule`, `${UNREACHABLE}:NoExecute`]);
    expect(podReady(c, 'on-n2')).toBe('False');
  });

  it('in full disruption (no node Ready) places no NoExecute taint; when a node is back, the silent ones get theirs', async () => {
    const c = (cluster = await testCluster({ nodes: ['n1', 'n2'] }));
    await c.start(['lifecycle']);
    await c.run(15);
    expect([readyStatus(c.node('n1')), readyStatus(c.node('n2'))]).toEqual(['Unknown', 'Unknown']);
    expect(taintIds(c.node('n1'))).toEqual([`${UNREACHABLE}:NoSchedule`]);
    expect(taintIds(c.node('n2'))).toEqual([`${UNREACHABLE}:NoSchedule`]);
    expect(c.logger.records.some((r) => r.msg.includes('full disruption'))).toBe(true);
    await c.run(2, ['n1']);
    expect(readyStatus(c.node('n1'))).toBe('True');
    expect(taintIds(c.node('n2'))).toEqual([`${UNREACHABLE}:NoSchedule`, `${UNREACHABLE}:NoExecute`]);
  });

  it('taints a cordoned node unschedulable and lifts it on uncordon', async () => {
    const c = (cluster = await testCluster({ nodes: ['n1'] }));
    await c.start(['lifecycle']);
    const n = c.node('n1');
    await c.api.update(NODES, undefined, { ...n, spec: { ...n.spec, unschedulable: true } });
    await c.run(1, ['n1']);
    expect(c.node('n1').spec.taints).toEqual([
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: ts(1) },
    ]);
    const cordoned = c.node('n1');
    await c.api.update(NODES, undefined, { ...cordoned, spec: { ...cordoned.spec, unschedulable: false } });
    await c.run(1, ['n1']);
    expect(c.node('n1').spec.taints).toBeUndefined();
  });

  it('gives a node that never reported the startup grace, then marks it never updated', async () => {
    const c = (cluster = await testCluster({ nodes: ['n1'] }));
    c.api.seed(NODES, makeNode('bare'));
    await c.start(['lifecycle']);
    await c.run(19, ['n1']);
    expect(c.node('bare').status?.conditions).toBeUndefined();
    await c.run(3, ['n1']);
    expect(c.node('bare').status?.conditions?.find((x) => x.type === 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: 'Kubelet never posted node status.',
      lastHeartbeatTime: ts(0),
    });
    expect(taintIds(c.node('bare'))).toEqual([`${UNREACHABLE}:NoSchedule`, `${UNREACHABLE}:NoExecute`]);
  });

  it('gives every node a full grace period after a restart, however old its heartbeats look', async () => {
    const c = (cluster = await testCluster({ nodes: ['n1', 'n2'] }));
    await c.clock.advance(3600_000); // the master was down for an hour; n2's last heartbeat is that old
    await c.start(['lifecycle']);
    await c.run(9, ['n1']);
    expect(readyStatus(c.node('n2'))).toBe('True');
    await c.run(3, ['n1']);
    expect(readyStatus(c.node('n2'))).toBe('Unknown');
    expect(c.node('n2').status?.conditions?.find((x) => x.type === 'Ready')?.lastHeartbeatTime).toBe(ts(0));
  });

  it('retries a failed status write on the next pass', async () => {
    const c = (cluster = await testCluster({ nodes: ['n1', 'n2'] }));
    await c.start(['lifecycle']);
    await c.run(10, ['n1']);
    c.api.failNext('updateStatus', conflict(NODES, 'n2'), 'nodes');
    await c.run(1); // the pass at T0+11 finds n2 silent, and its write fails
    expect(readyStatus(c.node('n2'))).toBe('True');
    expect(c.logger.records.some((r) => r.msg === 'could not mark the node Unknown')).toBe(true);
    await c.run(1);
    expect(readyStatus(c.node('n2'))).toBe('Unknown');
  });

  it('records RemovingNode when a node is deleted and forgets it', async () => {
    const c = (cluster = await testCluster({ nodes: ['n1', 'n2'] }));
    await c.start(['lifecycle']);
    await c.api.delete(NODES, undefined, 'n2');
    await c.run(1, ['n1']);
    expect(c.events('RemovingNode').map((e) => e.message)).toEqual(['Removing Node n2 from Controller']);
    await c.run(15, ['n1']);
    expect(c.events('RemovingNode')).toHaveLength(1);
    expect(c.api.actionsOf('updateStatus', 'nodes').filter((a) => a.name === 'n2')).toEqual([]);
  });
});
