import { describe, expect, it } from 'vitest';
import type { PersistentVolumeClaim, Pod } from '../../api/types.js';
import { NODES, PERSISTENTVOLUMECLAIMS, PODS } from '../../client/api-client.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { makeNode, makePod } from '../../../test/fakes/scheduler-fixtures.js';
import { Scheduler } from '../scheduler.js';
import { fitErrorMessage, newCycle, schedule, type ClusterState } from '../framework.js';
import { staticClusterState } from '../cluster-state.js';
import { newNodeInfo } from '../node-info.js';
import { defaultPlugins } from './index.js';
import { VOLUME_NODE_CONFLICT_REASON, volumeBinding } from './volume-binding.js';

function claim(name: string, node?: string, deleting = false): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name,
      namespace: 'default',
      ...(node ? { annotations: { 'volume.kubernetes.io/selected-node': node } } : {}),
      ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: {},
  };
}

function cluster(...claims: PersistentVolumeClaim[]): ClusterState {
  return staticClusterState([], { pvcs: claims });
}

function podWithClaims(...claimNames: string[]): Pod {
  const p = makePod('web-0');
  p.spec.volumes = [
    { name: 'scratch', emptyDir: {} },
    ...claimNames.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })),
  ];
  return p;
}

describe('VolumeBinding', () => {
  it.each<[string, Pod, PersistentVolumeClaim[], string, string[], string[]]>([
    ['a pod without claims fits', makePod('p'), [], 'n1', [], []],
    ['an unbound claim fits any node', podWithClaims('data'), [claim('data')], 'n1', [], []],
    ['a claim bound to this node fits', podWithClaims('data'), [claim('data', 'n1')], 'n1', [], []],
    [
      'a claim bound to another node conflicts',
      podWithClaims('data'),
      [claim('data', 'n2')],
      'n1',
      [],
      [VOLUME_NODE_CONFLICT_REASON],
    ],
    [
      'every claim must fit',
      podWithClaims('a', 'b'),
      [claim('a', 'n1'), claim('b', 'n2')],
      'n1',
      [],
      [VOLUME_NODE_CONFLICT_REASON],
    ],
    [
      'a missing claim rejects the pod before any node',
      podWithClaims('data'),
      [],
      'n1',
      ['persistentvolumeclaim "data" not found'],
      ['persistentvolumeclaim "data" not found'],
    ],
    [
      'a claim being deleted too',
      podWithClaims('data'),
      [claim('data', undefined, true)],
      'n1',
      ['persistentvolumeclaim "data" is being deleted'],
      [],
    ],
  ])('%s', (_name, pod, claims, node, preReasons, filterReasons) => {
    const ni = newNodeInfo(makeNode(node));
    const ctx = newCycle([ni], cluster(...claims));
    expect(volumeBinding.preFilter!(pod, ctx).reasons).toEqual(preReasons);
    const s = volumeBinding.filter(pod, ni, ctx);
    expect(s.reasons).toEqual(filterReasons);
    expect(s.code).toBe(filterReasons.length ? 'UnschedulableAndUnresolvable' : 'Success');
  });

  it('the claim namespace is the pod namespace', () => {
    const pod = podWithClaims('data');
    pod.metadata.namespace = 'other';
    expect(volumeBinding.preFilter!(pod, newCycle([], cluster(claim('data')))).reasons).toEqual([
      'persistentvolumeclaim "data" not found',
    ]);
  });
});

describe('VolumeBinding preFilter', () => {
  it('skips the per-node filter for a pod without claims, as kube-scheduler does', () => {
    expect(volumeBinding.preFilter!(makePod('p'), newCycle([], cluster())).code).toBe('Skip');
    expect(volumeBinding.preFilter!(podWithClaims('data'), newCycle([], cluster(claim('data')))).code).toBe(
      'Success',
    );
  });
});

describe('scheduling pods with claims (default plugins)', () => {
  const nodes = ['n1', 'n2', 'n3'].map((n) => newNodeInfo(makeNode(n)));
  it('places a pod whose claim is bound on that node only', () => {
    const r = schedule(podWithClaims('data'), nodes, defaultPlugins(), {
      cluster: cluster(claim('data', 'n3')),
    });
    expect(r.node).toBe('n3');
    expect(fitErrorMessage(3, r.filtered)).toBe(
      '0/3 nodes are available: 2 node(s) had volume node affinity conflict.',
    );
  });
  it('reports a missing claim once, as kube-scheduler does for a PreFilter rejection', () => {
    const r = schedule(podWithClaims('data'), nodes, defaultPlugins(), { cluster: cluster() });
    expect(r.node).toBeUndefined();
    expect(r.filtered.size).toBe(0);
    expect(fitErrorMessage(3, r.filtered, r.preFilterStatus)).toBe(
      '0/3 nodes are available: persistentvolumeclaim "data" not found.',
    );
  });
  it('a claim bound to a node that left makes the pod unschedulable', () => {
    const r = schedule(podWithClaims('data'), nodes, defaultPlugins(), {
      cluster: cluster(claim('data', 'gone')),
    });
    expect(fitErrorMessage(3, r.filtered, r.preFilterStatus)).toBe(
      '0/3 nodes are available: 3 node(s) had volume node affinity conflict.',
    );
  });
});

describe('the scheduler with claims (PVC informer)', () => {
  it("keeps a pod pending while its claim is missing and places it on the claim's node once bound", async () => {
    const clock = new FakeClock();
    const api = new FakeApiClient({ clock });
    api.seed(NODES, makeNode('n1'), makeNode('n2'));
    api.seed(PODS, podWithClaims('data'));
    const scheduler = new Scheduler({ client: api, clock });
    await scheduler.start();
    await clock.advance(0);
    const pod = () => api.find<Pod>(PODS, 'default', 'web-0')!;
    expect(pod().spec.nodeName).toBeUndefined();
    expect(pod().status?.conditions).toMatchObject([
      {
        type: 'PodScheduled',
        status: 'False',
        message: '0/2 nodes are available: persistentvolumeclaim "data" not found.',
      },
    ]);
    // The claim appears, already bound to n2 (say, by an earlier pod): the waiting pod is retried and goes there.
    api.seed(PERSISTENTVOLUMECLAIMS, claim('data', 'n2'));
    await clock.advance(1000);
    await clock.advance(0);
    expect(pod().spec.nodeName).toBe('n2');
    scheduler.stop();
  });
});
