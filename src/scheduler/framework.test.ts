import { describe, expect, it } from 'vitest';
import {
  CycleState,
  defaultNormalizeScore,
  fitErrorMessage,
  numFeasibleNodesToFind,
  schedule,
  SKIP,
  SUCCESS,
  unresolvable,
  unschedulable,
  type FilterPlugin,
  type Plugins,
  type ScorePlugin,
  type Status,
} from './framework.js';
import { defaultPlugins } from './plugins/index.js';
import { newNodeInfo } from './node-info.js';
import { staticClusterState } from './cluster-state.js';
import type { ReplicaSet } from '../api/types.js';
import { makeNode, makePod } from '../../test/fakes/scheduler-fixtures.js';

const infos = (...names: string[]) => names.map((n) => newNodeInfo(makeNode(n)));

/** A filter rejecting the named nodes, and a score plugin with fixed scores per node. */
const rejects = (names: string[], reason = 'nope'): FilterPlugin => ({
  name: 'Rejects',
  filter: (_p, ni) => (names.includes(ni.name) ? unschedulable(reason) : SUCCESS),
});
const fixed = (scores: Record<string, number>, name = 'Fixed'): ScorePlugin => ({
  name,
  score: (_p, ni) => scores[ni.name] ?? 0,
});

describe('schedule', () => {
  it('filters, scores with weights and picks the highest', () => {
    const plugins: Plugins = {
      filters: [rejects(['a'])],
      scores: [
        { plugin: fixed({ a: 100, b: 10, c: 50 }), weight: 1 },
        { plugin: fixed({ b: 30, c: 0 }, 'Other'), weight: 2 },
      ],
    };
    const r = schedule(makePod('p'), infos('a', 'b', 'c'), plugins);
    expect(r.node).toBe('b'); // b: 10 + 2·30 = 70 beats c: 50
    expect(Object.fromEntries(r.scores)).toEqual({ b: 70, c: 50 });
    expect([...r.filtered.keys()]).toEqual(['a']);
  });

  it('breaks ties by node name', () => {
    const plugins: Plugins = { filters: [], scores: [{ plugin: fixed({ a: 5, b: 7, c: 7 }), weight: 1 }] };
    expect(schedule(makePod('p'), infos('c', 'a', 'b'), plugins).node).toBe('b');
  });

  it('the first failing filter decides a node’s status', () => {
    const plugins: Plugins = {
      filters: [rejects(['a'], 'first'), rejects(['a', 'b'], 'second')],
      scores: [],
    };
    const r = schedule(makePod('p'), infos('a', 'b'), plugins);
    expect(r.node).toBeUndefined();
    expect(Object.fromEntries(r.filtered)).toEqual({
      a: unschedulable('first'),
      b: unschedulable('second'),
    });
  });

  it('runs normalize before weighting', () => {
    const plugin: ScorePlugin = {
      name: 'Inverted',
      score: (_p, ni) => (ni.name === 'a' ? 3 : 1),
      normalize: (scores) => {
        for (let i = 0; i < scores.length; i++) scores[i] = 100 - scores[i] * 10;
      },
    };
    const r = schedule(makePod('p'), infos('a', 'b'), { filters: [], scores: [{ plugin, weight: 1 }] });
    expect(r.node).toBe('b');
  });

  it('stops after numFeasibleNodesToFind feasible nodes, starting at startIndex', () => {
    const nodes = infos('a', 'b', 'c', 'd', 'e');
    const plugins: Plugins = {
      filters: [rejects(['c'])],
      scores: [{ plugin: fixed({ a: 9, e: 1 }), weight: 1 }],
    };
    const r = schedule(makePod('p'), nodes, plugins, { numFeasibleNodesToFind: 2, startIndex: 1 });
    expect([...r.scores.keys()]).toEqual(['b', 'd']); // c was evaluated and filtered
    expect(r.nextStartIndex).toBe(4);
    const wrapped = schedule(makePod('p'), nodes, plugins, { numFeasibleNodesToFind: 2, startIndex: 4 });
    expect([...wrapped.scores.keys()]).toEqual(['e', 'a']);
    expect(wrapped.node).toBe('a');
  });

  it('with no nodes returns no node', () => {
    const r = schedule(makePod('p'), [], defaultPlugins());
    expect(r.node).toBeUndefined();
    expect(r.nextStartIndex).toBe(0);
    expect(r.filtered.size).toBe(0);
  });

  it('with the default plugins, PreferNoSchedule taints and default spreading steer the choice', () => {
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'web' } } },
    };
    const sibling = (n: string) => makePod(`s-${n}`, { labels: { app: 'web' }, owner: 'rs', nodeName: n });
    const nodes = [
      newNodeInfo(makeNode('a'), [sibling('a')]),
      newNodeInfo(makeNode('b', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] })),
      newNodeInfo(makeNode('c')),
    ];
    const pod = makePod('p', { labels: { app: 'web' }, owner: 'rs' });
    const r = schedule(pod, nodes, defaultPlugins(), {
      cluster: staticClusterState(nodes, { replicaSets: [rs] }),
    });
    expect(r.node).toBe('c');
    // Weighted sums: TaintToleration 3·100 except b, PodTopologySpread 2·(50 | 100 | 100), LeastAllocated 95 | 97.
    const s = Object.fromEntries(r.scores);
    expect(s.c - s.a).toBe(2 * 50 + 2);
    expect(s.c - s.b).toBe(3 * 100);
    // The same pod without its ReplicaSet in the cluster has no siblings to spread from.
    const bare = schedule(pod, nodes, defaultPlugins());
    expect(Object.fromEntries(bare.scores).c - Object.fromEntries(bare.scores).a).toBe(2);
  });

  it('with the default plugins picks the least loaded fitting node', () => {
    const nodes = [
      newNodeInfo(makeNode('busy', { cpu: '4' }), [makePod('x', { cpu: '3', nodeName: 'busy' })]),
      newNodeInfo(makeNode('idle', { cpu: '4' })),
      newNodeInfo(makeNode('tainted', { taints: [{ key: 'k', effect: 'NoSchedule' }] })),
    ];
    const r = schedule(makePod('p', { cpu: '500m' }), nodes, defaultPlugins());
    expect(r.node).toBe('idle');
    expect(r.filtered.get('tainted')?.reasons).toEqual(['node(s) had untolerated taint {k: }']);
  });
});

describe('PreFilter, PreScore and the cycle state', () => {
  it('a PreFilter SKIP leaves the plugin out of filtering; state written in PreFilter reaches Filter', () => {
    const calls: string[] = [];
    const skipped: FilterPlugin = {
      name: 'Skipped',
      preFilter: () => SKIP,
      filter: () => {
        calls.push('skipped.filter');
        return unschedulable('never');
      },
    };
    const stateful: FilterPlugin = {
      name: 'Stateful',
      preFilter: (_p, ctx) => {
        ctx.state.write('Stateful', new Set(['b']));
        return SUCCESS;
      },
      filter: (_p, ni, ctx) =>
        ctx.state.read<Set<string>>('Stateful')!.has(ni.name) ? unschedulable('no b') : SUCCESS,
    };
    const r = schedule(makePod('p'), infos('a', 'b'), { filters: [skipped, stateful], scores: [] });
    expect(calls).toEqual([]);
    expect(r.node).toBe('a');
    expect(r.filtered.get('b')?.reasons).toEqual(['no b']);
  });

  it('a PreScore SKIP scores every node 0 without calling score or normalize', () => {
    const skipped: ScorePlugin = {
      name: 'Skipped',
      preScore: () => SKIP,
      score: () => {
        throw new Error('not called');
      },
    };
    const seen: string[][] = [];
    const counting: ScorePlugin = {
      name: 'Counting',
      preScore: (_p, ctx) => {
        seen.push(ctx.feasible.map((n) => n.name));
        ctx.state.write('Counting', 7);
        return SUCCESS;
      },
      score: (_p, ni, ctx) => (ni.name === 'c' ? ctx.state.read<number>('Counting')! : 0),
    };
    const r = schedule(makePod('p'), infos('a', 'b', 'c'), {
      filters: [rejects(['a'])],
      scores: [
        { plugin: skipped, weight: 5 },
        { plugin: counting, weight: 2 },
      ],
    });
    expect(seen).toEqual([['b', 'c']]);
    expect(Object.fromEntries(r.scores)).toEqual({ b: 0, c: 14 });
  });

  it('CycleState reads what was written, undefined otherwise', () => {
    const s = new CycleState();
    s.write('k', { n: 1 });
    expect(s.read('k')).toEqual({ n: 1 });
    expect(s.read('other')).toBeUndefined();
  });

  it.each<[number[], boolean, number[]]>([
    [[0, 5, 10], false, [0, 50, 100]],
    [[1, 2, 3], false, [33, 66, 100]],
    [[0, 0], false, [0, 0]],
    [[0, 1, 2], true, [100, 50, 0]],
    [[0, 0], true, [100, 100]],
  ])('defaultNormalizeScore(%j, reverse %s) → %j', (scores, reverse, expected) => {
    defaultNormalizeScore(scores, reverse);
    expect(scores).toEqual(expected);
  });
});

describe('fitErrorMessage', () => {
  const m = (entries: [string, Status][]) => new Map(entries);

  it('counts reasons across nodes and sorts the "<count> <reason>" strings', () => {
    const msg = fitErrorMessage(
      3,
      m([
        ['a', unschedulable('Insufficient memory')],
        ['b', unresolvable("node(s) didn't match Pod's node affinity/selector")],
        ['c', unresolvable("node(s) didn't match Pod's node affinity/selector")],
      ]),
    );
    expect(msg).toBe(
      "0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector.",
    );
  });

  it('counts every reason of a node (cpu and memory both short)', () => {
    const msg = fitErrorMessage(
      2,
      m([
        ['a', unschedulable('Insufficient cpu', 'Insufficient memory')],
        ['b', unschedulable('Insufficient cpu')],
      ]),
    );
    expect(msg).toBe('0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu.');
  });

  it('sorts as Go does, by the whole string including the count', () => {
    const msg = fitErrorMessage(
      12,
      m([
        ...Array.from(
          { length: 10 },
          (_, i) => [`t${i}`, unresolvable('node(s) had untolerated taint {a: }')] as [string, Status],
        ),
        ['x', unschedulable('Too many pods')],
        ['y', unschedulable('Too many pods')],
      ]),
    );
    expect(msg).toBe('0/12 nodes are available: 10 node(s) had untolerated taint {a: }, 2 Too many pods.');
  });

  it('says so when there are no nodes', () => {
    expect(fitErrorMessage(0, new Map())).toBe('no nodes available to schedule pods');
  });
});

describe('numFeasibleNodesToFind', () => {
  it.each([
    [5, 5],
    [99, 99],
    [100, 100],
    [200, 100], // 49% of 200 = 98 → at least 100
    [1000, 420], // 50 - 8 = 42%
    [5000, 500], // 50 - 40 = 10%
    [10000, 500], // 5% floor
  ])('%i nodes → %i', (n, want) => {
    expect(numFeasibleNodesToFind(n)).toBe(want);
  });
});
