// The node lifecycle and taint eviction controllers together, as the controller manager runs them: a node falls
// silent, goes Unknown after the grace period, gets the unreachable taints, and its pods leave on the schedule their
// tolerations allow; a node that comes back in time keeps the pods that were still waiting.
import { afterEach, describe, expect, it } from 'vitest';
import { readyStatus } from './node-health.js';
import { testCluster, type TestCluster } from './test-cluster.js';
import { makePod, tolerate, ts } from './test-fixtures.js';

const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';
/** What DefaultTolerationSeconds gives every pod (lab profile), and what every DaemonSet pod carries. */
const defaults = (s: number) => [tolerate(NOT_READY, s), tolerate(UNREACHABLE, s)];
const daemon = [tolerate(NOT_READY), tolerate(UNREACHABLE)];

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function silentNode2(): Promise<TestCluster> {
  const c = (cluster = await testCluster({
    nodes: ['node1', 'node2'],
    pods: [
      makePod('bare', { node: 'node2', ready: true }),
      makePod('web', { node: 'node2', ready: true, tolerations: defaults(5) }),
      makePod('patient', { node: 'node2', ready: true, tolerations: defaults(300) }),
      makePod('agent-ds', { node: 'node2', ready: true, tolerations: daemon }),
      makePod('web-on-node1', { node: 'node1', ready: true, tolerations: defaults(5) }),
    ],
  }));
  await c.start(['lifecycle', 'eviction']);
  await c.run(10, ['node1', 'node2']); // node2's last heartbeat: T0+8 s
  await c.run(11, ['node1']); // T0+21: Unknown since T0+19
  return c;
}

const deleting = (c: TestCluster, name: string) => c.pod(name)?.metadata.deletionTimestamp !== undefined;

describe('node failure, end to end over the controllers', () => {
  it('Unknown after the grace period → taints → untolerating pods at once, 5 s pods 5 s later, daemons stay', async () => {
    const c = await silentNode2();
    expect(readyStatus(c.node('node2'))).toBe('Unknown');
    expect(c.node('node2').spec.taints?.find((t) => t.effect === 'NoExecute')).toEqual({
      key: UNREACHABLE,
      effect: 'NoExecute',
      timeAdded: ts(19),
    });
    expect(deleting(c, 'bare')).toBe(true);
    expect(deleting(c, 'web')).toBe(false);

    await c.run(2, ['node1']); // T0+23 < 19 + 5
    expect(deleting(c, 'web')).toBe(false);
    await c.run(1, ['node1']); // T0+24
    expect(deleting(c, 'web')).toBe(true);

    await c.run(60, ['node1']);
    expect(deleting(c, 'patient')).toBe(false);
    expect(deleting(c, 'agent-ds')).toBe(false);
    expect(deleting(c, 'web-on-node1')).toBe(false);
    expect(c.eviction.scheduled().has('default/patient')).toBe(true);
    // Every pod on the silent node was marked NotReady (the evicted ones too, in the same pass).
    for (const p of ['patient', 'agent-ds'])
      expect(c.pod(p)?.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('False');
  });

  it('heartbeats resuming → Ready → taints lifted → waiting evictions cancelled', async () => {
    const c = await silentNode2();
    expect(c.eviction.scheduled().has('default/web')).toBe(true);
    await c.run(2, ['node1', 'node2']); // back within web's 5 s
    expect(readyStatus(c.node('node2'))).toBe('True');
    expect(c.node('node2').spec.taints).toBeUndefined();
    await c.run(30, ['node1', 'node2']);
    expect(deleting(c, 'web')).toBe(false);
    expect(deleting(c, 'patient')).toBe(false);
    expect(deleting(c, 'bare')).toBe(true); // gone already: only its agent can finish it
    expect(c.eviction.scheduled().size).toBe(0);
    expect(
      c
        .events('TaintManagerEviction')
        .map((e) => e.message)
        .sort(),
    ).toEqual([
      'Cancelling deletion of Pod default/patient',
      'Cancelling deletion of Pod default/web',
      'Marking for deletion Pod default/bare',
    ]);
  });
});
