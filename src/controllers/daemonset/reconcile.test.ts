import { describe, expect, it } from 'vitest';
import type { DaemonSet, Node, Pod, Taint } from '../../api/types.js';
import { makeNode, type NodeOptions } from '../../../test/fakes/scheduler-fixtures.js';
import { daemonPodTemplate, replaceNodeNameAffinity } from './daemon-pods.js';
import {
  manage,
  reconcileDaemonSet,
  rollingUpdate,
  rollingUpdateCounts,
  scaledValue,
  type DaemonSetView,
} from './reconcile.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const HASH = 'newhash';

function daemonSet(spec: Partial<DaemonSet['spec']> = {}, podSpec: Partial<Pod['spec']> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid', generation: 1 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'a', image: 'img' }], ...podSpec },
      },
      ...spec,
    },
  };
}

interface PodOpts {
  hash?: string;
  ready?: boolean;
  phase?: Pod['status'] extends infer S ? (S extends { phase?: infer P } ? P : never) : never;
  created?: number;
  terminating?: boolean;
  bound?: boolean;
}

/** A daemon pod for `node`, as the controller creates it (affinity pin) and, when bound, with nodeName. */
function daemonPod(name: string, node: string, o: PodOpts = {}): Pod {
  const ds = daemonSet();
  const t = daemonPodTemplate(ds, o.hash ?? HASH);
  const readyAt = '2026-01-01T00:00:00Z';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: t.metadata?.labels,
      creationTimestamp: new Date(Date.parse('2026-01-01T00:00:00Z') + (o.created ?? 0) * 1000).toISOString(),
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true },
      ],
      ...(o.terminating ? { deletionTimestamp: '2026-01-01T00:09:00Z' } : {}),
    },
    spec: {
      ...t.spec,
      affinity: replaceNodeNameAffinity(undefined, node),
      ...(o.bound === false ? {} : { nodeName: node }),
    },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [
        { type: 'Ready', status: (o.ready ?? true) ? 'True' : 'False', lastTransitionTime: readyAt },
      ],
    },
  };
}

function view(ds: DaemonSet, nodes: Node[], pods: Pod[], extra: Partial<DaemonSetView> = {}): DaemonSetView {
  return { ds, nodes, pods, hash: HASH, now: NOW, ...extra };
}

const nodes = (...specs: [string, NodeOptions?][]) => specs.map(([n, o]) => makeNode(n, o));
const noSchedule = (key: string): Taint => ({ key, value: 'x', effect: 'NoSchedule' });
const noExecute = (key: string): Taint => ({ key, value: 'x', effect: 'NoExecute' });

describe('scaledValue (intstr, DaemonSets round up)', () => {
  it.each<[number | string, number, boolean, number]>([
    [2, 10, true, 2],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['10%', 5, true, 1],
    ['30%', 5, true, 2],
    ['100%', 3, true, 3],
    ['0%', 7, true, 0],
  ])('%s of %i (round up %s) = %i', (v, total, up, want) => {
    expect(scaledValue(v, total, up)).toBe(want);
  });

  it('rejects a string that is not a percentage', () => {
    expect(() => scaledValue('5', 10, true)).toThrow('string is not a percentage');
  });

  it('defaults to maxUnavailable 1, maxSurge 0, and accepts 1 unavailable when both are 0', () => {
    expect(rollingUpdateCounts(daemonSet(), 4)).toEqual({ maxUnavailable: 1, maxSurge: 0 });
    const zero = daemonSet({ updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } });
    expect(rollingUpdateCounts(zero, 4)).toEqual({ maxUnavailable: 1, maxSurge: 0 });
    expect(rollingUpdateCounts(daemonSet({ updateStrategy: { type: 'OnDelete' } }), 4)).toEqual({
      maxUnavailable: 0,
      maxSurge: 0,
    });
  });
});

describe('manage: one daemon pod per eligible node', () => {
  const cases: {
    name: string;
    ds?: DaemonSet;
    nodes: Node[];
    pods?: Pod[];
    create: string[];
    del?: [string, string][];
  }[] = [
    {
      name: 'every node of an empty cluster gets a pod',
      nodes: nodes(['a'], ['b'], ['c']),
      create: ['a', 'b', 'c'],
    },
    {
      name: 'nodes that already run one are left alone',
      nodes: nodes(['a'], ['b']),
      pods: [daemonPod('agent-1', 'a')],
      create: ['b'],
    },
    {
      name: 'an unbound pod pinned by affinity counts for its node',
      nodes: nodes(['a']),
      pods: [daemonPod('agent-1', 'a', { bound: false })],
      create: [],
    },
    {
      name: 'nodeSelector picks the labelled nodes',
      ds: daemonSet({}, { nodeSelector: { disk: 'ssd' } }),
      nodes: nodes(['a', { labels: { disk: 'ssd' } }], ['b'], ['c', { labels: { disk: 'hdd' } }]),
      create: ['a'],
    },
    {
      name: 'required node affinity (matchExpressions and matchFields)',
      ds: daemonSet(
        {},
        {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1', 'z2'] }] },
                  { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['d'] }] },
                ],
              },
            },
          },
        },
      ),
      nodes: nodes(['a', { labels: { zone: 'z1' } }], ['b', { labels: { zone: 'z3' } }], ['c'], ['d']),
      create: ['a', 'd'],
    },
    {
      name: 'a NoSchedule taint keeps new pods off unless tolerated',
      nodes: nodes(['a', { taints: [noSchedule('gpu')] }], ['b']),
      create: ['b'],
    },
    {
      name: 'a tolerated taint does not',
      ds: daemonSet({}, { tolerations: [{ key: 'gpu', operator: 'Exists' }] }),
      nodes: nodes(['a', { taints: [noSchedule('gpu')] }], ['b']),
      create: ['a', 'b'],
    },
    {
      name: 'a NoSchedule taint added later leaves the running pod in place',
      nodes: nodes(['a', { taints: [noSchedule('gpu')] }]),
      pods: [daemonPod('agent-1', 'a')],
      create: [],
    },
    {
      name: 'an untolerated NoExecute taint evicts the daemon pod (misscheduled)',
      nodes: nodes(['a', { taints: [noExecute('dedicated')] }]),
      pods: [daemonPod('agent-1', 'a')],
      create: [],
      del: [['agent-1', 'misscheduled']],
    },
    {
      name: 'a node that no longer matches the selector loses its pod',
      ds: daemonSet({}, { nodeSelector: { disk: 'ssd' } }),
      nodes: nodes(['a'], ['b', { labels: { disk: 'ssd' } }]),
      pods: [daemonPod('agent-1', 'a'), daemonPod('agent-2', 'b')],
      create: [],
      del: [['agent-1', 'misscheduled']],
    },
    {
      name: 'not-ready and unreachable nodes get no new pod (Kubernetes: not-ready:NoSchedule is not tolerated)',
      nodes: nodes(['a', { ready: 'False' }], ['b', { ready: 'Unknown' }], ['c', { ready: 'absent' }], ['d']),
      create: ['d'],
    },
    {
      name: 'a node that goes NotReady keeps its daemon pod (the NoExecute taint is tolerated)',
      nodes: nodes(['a', { ready: 'False' }], ['b', { ready: 'Unknown' }]),
      pods: [daemonPod('agent-1', 'a'), daemonPod('agent-2', 'b')],
      create: [],
    },
    {
      name: 'cordoned nodes and nodes under memory pressure still get daemon pods',
      nodes: [
        makeNode('a', { unschedulable: true }),
        (() => {
          const n = makeNode('b');
          n.status!.conditions!.push({ type: 'MemoryPressure', status: 'True' });
          return n;
        })(),
      ],
      create: ['a', 'b'],
    },
    {
      name: 'network-unavailable nodes only get hostNetwork daemon pods',
      ds: daemonSet({}, { hostNetwork: true }),
      nodes: [
        (() => {
          const n = makeNode('a');
          n.status!.conditions!.push({ type: 'NetworkUnavailable', status: 'True' });
          return n;
        })(),
      ],
      create: ['a'],
    },
    {
      name: 'without hostNetwork, network-unavailable keeps the pod off',
      nodes: [
        (() => {
          const n = makeNode('a');
          n.status!.conditions!.push({ type: 'NetworkUnavailable', status: 'True' });
          return n;
        })(),
      ],
      create: [],
    },
    {
      name: 'a template nodeName restricts the DaemonSet to that node',
      ds: daemonSet({}, { nodeName: 'b' }),
      nodes: nodes(['a'], ['b']),
      create: ['b'],
    },
    {
      name: 'two pods on one node: the newer goes',
      nodes: nodes(['a']),
      pods: [daemonPod('agent-new', 'a', { created: 60 }), daemonPod('agent-old', 'a', { created: 0 })],
      create: [],
      del: [['agent-new', 'excess']],
    },
    {
      name: 'a terminating pod is waited for, not replaced yet',
      nodes: nodes(['a']),
      pods: [daemonPod('agent-1', 'a', { terminating: true })],
      create: [],
    },
    {
      name: 'a succeeded pod is deleted (and recreated on the next sync)',
      nodes: nodes(['a']),
      pods: [daemonPod('agent-1', 'a', { phase: 'Succeeded' })],
      create: [],
      del: [['agent-1', 'succeeded']],
    },
    {
      name: 'a node that left: its bound pod is force-deleted, an unbound one deleted',
      nodes: nodes(['a']),
      pods: [
        daemonPod('agent-1', 'a'),
        daemonPod('agent-2', 'gone'),
        daemonPod('agent-3', 'gone2', { bound: false }),
      ],
      create: [],
      del: [
        ['agent-2', 'orphaned'],
        ['agent-3', 'orphaned'],
      ],
    },
  ];
  it.each(cases)('$name', (c) => {
    const plan = manage(view(c.ds ?? daemonSet(), c.nodes, c.pods ?? []));
    expect(plan.create).toEqual(c.create);
    expect(plan.delete.map((d) => [d.name, d.reason])).toEqual(c.del ?? []);
  });

  it('force-deletes only pods bound to a vanished node', () => {
    const plan = manage(
      view(daemonSet(), [], [daemonPod('bound', 'gone'), daemonPod('unbound', 'gone', { bound: false })]),
    );
    expect(plan.delete).toEqual([
      { name: 'bound', node: 'gone', reason: 'orphaned', force: true },
      { name: 'unbound', node: 'gone', reason: 'orphaned' },
    ]);
  });

  it('deletes a failed pod with a FailedDaemonPod event, or waits out the backoff', () => {
    const pods = [daemonPod('agent-1', 'a', { phase: 'Failed' })];
    const plan = manage(view(daemonSet(), nodes(['a']), pods));
    expect(plan.delete).toEqual([{ name: 'agent-1', node: 'a', reason: 'failed' }]);
    expect(plan.failedOn).toEqual(['a']);
    expect(plan.events).toEqual([
      {
        type: 'Warning',
        reason: 'FailedDaemonPod',
        message: 'Found failed daemon pod default/agent-1 on node a, will try to kill it',
      },
    ]);
    const waiting = manage(view(daemonSet(), nodes(['a']), pods, { backoffRemaining: () => 4000 }));
    expect(waiting.delete).toEqual([]);
    expect(waiting.failedOn).toEqual([]);
    expect(waiting.requeueAfterMs).toBe(4000);
  });
});

describe('rollingUpdate (maxSurge 0): at most maxUnavailable nodes without an available pod', () => {
  const five = nodes(['a'], ['b'], ['c'], ['d'], ['e']);
  const oldPods = five.map((n, i) => daemonPod(`agent-${i}`, n.metadata.name!, { hash: 'old' }));
  it.each<[string, number | string | undefined, Pod[], string[]]>([
    ['default maxUnavailable 1', undefined, oldPods, ['agent-0']],
    ['maxUnavailable 2', 2, oldPods, ['agent-0', 'agent-1']],
    ['30% of 5 rounds up to 2', '30%', oldPods, ['agent-0', 'agent-1']],
    ['10% of 5 rounds up to 1', '10%', oldPods, ['agent-0']],
    [
      'an updated pod that is not available yet uses up the budget',
      1,
      [daemonPod('agent-new', 'a', { ready: false }), ...oldPods.slice(1)],
      [],
    ],
    ['an updated available pod does not', 1, [daemonPod('agent-new', 'a'), ...oldPods.slice(1)], ['agent-1']],
    ['a node still missing its pod counts as unavailable', 2, oldPods.slice(1), ['agent-1']],
    [
      'old pods that are unavailable anyway are replaced at once, beyond the budget',
      1,
      [
        daemonPod('agent-0', 'a', { hash: 'old', ready: false }),
        daemonPod('agent-1', 'b', { hash: 'old', ready: false }),
        ...oldPods.slice(2),
      ],
      ['agent-0', 'agent-1'],
    ],
  ])('%s', (_name, maxUnavailable, pods, deleted) => {
    const ds = daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable } } });
    const u = rollingUpdate(view(ds, five, pods));
    expect(u.create).toEqual([]);
    expect(u.delete.map((d) => d.name)).toEqual(deleted);
  });

  it('runs only when manage has nothing to do, and never for OnDelete', () => {
    const ds = daemonSet();
    const missing = reconcileDaemonSet(view(ds, five, oldPods.slice(1)));
    expect(missing.create).toEqual(['a']);
    expect(missing.delete).toEqual([]);
    const onDelete = daemonSet({ updateStrategy: { type: 'OnDelete' } });
    expect(reconcileDaemonSet(view(onDelete, five, oldPods))).toMatchObject({ create: [], delete: [] });
    // OnDelete: a pod the user deleted is recreated (from the new template, by manage).
    expect(reconcileDaemonSet(view(onDelete, five, oldPods.slice(1))).create).toEqual(['a']);
  });

  it('a whole rollout never has more than maxUnavailable desired nodes without an available pod', () => {
    const ds = daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } });
    let pods = [...oldPods];
    let seq = 0;
    let worst = 0;
    for (let round = 0; round < 40; round++) {
      // Pods created last round become ready now (the kubelet started them).
      pods = pods.map((p) =>
        p.status!.conditions![0].status === 'False' ? daemonPod(p.metadata.name!, p.spec.nodeName!) : p,
      );
      const plan = reconcileDaemonSet(view(ds, five, pods));
      const gone = new Set(plan.delete.map((d) => d.name));
      pods = pods.filter((p) => !gone.has(p.metadata.name!));
      for (const node of plan.create) pods.push(daemonPod(`agent-n${seq++}`, node, { ready: false }));
      const availableNodes = new Set(
        pods.filter((p) => p.status!.conditions![0].status === 'True').map((p) => p.spec.nodeName),
      );
      worst = Math.max(worst, five.length - availableNodes.size);
      if (pods.length === 5 && pods.every((p) => p.metadata.labels!['controller-revision-hash'] === HASH))
        break;
    }
    expect(pods.every((p) => p.metadata.labels!['controller-revision-hash'] === HASH)).toBe(true);
    expect(pods).toHaveLength(5);
    expect(worst).toBe(2);
  });
});

describe('rollingUpdate with maxSurge', () => {
  const two = nodes(['a'], ['b']);
  const ds = daemonSet({
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
  });
  it('creates the new pod next to the old one, one node at a time', () => {
    const pods = [daemonPod('old-a', 'a', { hash: 'old' }), daemonPod('old-b', 'b', { hash: 'old' })];
    expect(rollingUpdate(view(ds, two, pods))).toEqual({ create: ['a'], delete: [] });
  });
  it('deletes the old pod once the new one is available', () => {
    const pods = [
      daemonPod('old-a', 'a', { hash: 'old' }),
      daemonPod('new-a', 'a', { created: 10 }),
      daemonPod('old-b', 'b', { hash: 'old' }),
    ];
    expect(rollingUpdate(view(ds, two, pods)).delete.map((d) => d.name)).toEqual(['old-a']);
  });
  it('waits while the new pod is not available (the surge budget is used)', () => {
    const pods = [
      daemonPod('old-a', 'a', { hash: 'old' }),
      daemonPod('new-a', 'a', { created: 10, ready: false }),
      daemonPod('old-b', 'b', { hash: 'old' }),
    ];
    expect(rollingUpdate(view(ds, two, pods))).toEqual({ create: [], delete: [] });
  });
  it('manage keeps an old and a new pod side by side while surging', () => {
    const pods = [
      daemonPod('old-a', 'a', { hash: 'old' }),
      daemonPod('new-a', 'a', { created: 10, ready: false }),
    ];
    expect(manage(view(ds, nodes(['a']), pods)).delete).toEqual([]);
    const readyNew = [daemonPod('old-a', 'a', { hash: 'old' }), daemonPod('new-a', 'a', { created: 10 })];
    expect(manage(view(ds, nodes(['a']), readyNew)).delete.map((d) => d.name)).toEqual(['old-a']);
  });
});
