import { describe, expect, it } from 'vitest';
import { podTopologySpread, SPREAD_MISSING_LABEL_REASON, SPREAD_REASON } from './pod-topology-spread.js';
import { defaultSelector, spreadConstraints } from './spread-constraints.js';
import { newCycle, type NodeInfo } from '../framework.js';
import { staticClusterState, type ClusterObjects } from '../cluster-state.js';
import { newNodeInfo } from '../node-info.js';
import {
  makeNode,
  makePod,
  type NodeOptions,
  type PodOptions,
} from '../../../test/fakes/scheduler-fixtures.js';
import type { Pod, ReplicaSet, Service, StatefulSet, TopologySpreadConstraint } from '../../api/types.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

interface NodeSpec extends NodeOptions {
  /** Label sets of the pods already on the node (namespace default unless `ns` is set). */
  running?: (Record<string, string> & { ns?: string; deleting?: string })[];
}

function cluster(nodes: Record<string, NodeSpec>, objects: ClusterObjects = {}) {
  const infos: NodeInfo[] = Object.entries(nodes).map(([name, spec]) =>
    newNodeInfo(
      makeNode(name, spec),
      (spec.running ?? []).map(({ ns, deleting, ...labels }, i) => {
        const p = makePod(`${name}-${i}`, { labels, nodeName: name, namespace: ns });
        if (deleting) p.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
        return p;
      }),
    ),
  );
  return newCycle(infos, staticClusterState(infos, objects));
}

const constraint = (o: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({
  maxSkew: 1,
  topologyKey: HOST,
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app: 'web' } },
  ...o,
});

const web = (o: PodOptions = {}) => makePod('new', { labels: { app: 'web' }, ...o });

type Verdict = 'ok' | 'skew' | 'missing';

function verdicts(pod: Pod, ctx: ReturnType<typeof cluster>): Record<string, Verdict> | 'skip' {
  if (podTopologySpread.preFilter!(pod, ctx).code === 'Skip') return 'skip';
  const out: Record<string, Verdict> = {};
  for (const ni of ctx.nodes) {
    const s = podTopologySpread.filter(pod, ni, ctx);
    if (s.code === 'Success') out[ni.name] = 'ok';
    else if (s.code === 'UnschedulableAndUnresolvable' && s.reasons[0] === SPREAD_MISSING_LABEL_REASON)
      out[ni.name] = 'missing';
    else if (s.code === 'Unschedulable' && s.reasons[0] === SPREAD_REASON) out[ni.name] = 'skew';
    else throw new Error(`unexpected status ${JSON.stringify(s)}`);
  }
  return out;
}

const w = { app: 'web' };
const z = (zone: string, o: NodeSpec = {}): NodeSpec => ({ ...o, labels: { [ZONE]: zone, ...o.labels } });

describe('PodTopologySpread filter (DoNotSchedule)', () => {
  it.each<[string, Record<string, NodeSpec>, Pod, Record<string, Verdict> | 'skip']>([
    ['no constraints: skipped', { a: {} }, makePod('p'), 'skip'],
    [
      'only ScheduleAnyway constraints: skipped',
      { a: {} },
      web({ topologySpreadConstraints: [constraint({ whenUnsatisfiable: 'ScheduleAnyway' })] }),
      'skip',
    ],
    [
      'maxSkew 1 on hostname',
      { a: { running: [w] }, b: {}, c: {} },
      web({ topologySpreadConstraints: [constraint()] }),
      { a: 'skew', b: 'ok', c: 'ok' },
    ],
    [
      'maxSkew 2 allows one more',
      { a: { running: [w] }, b: {} },
      web({ topologySpreadConstraints: [constraint({ maxSkew: 2 })] }),
      { a: 'ok', b: 'ok' },
    ],
    [
      'a pod its own selector does not match adds nothing',
      { a: { running: [w] }, b: {} },
      makePod('new', { labels: { app: 'other' }, topologySpreadConstraints: [constraint()] }),
      { a: 'ok', b: 'ok' },
    ],
    [
      'zones: counts add up over the nodes of a zone',
      { a: z('z1', { running: [w] }), b: z('z1'), c: z('z2') },
      web({ topologySpreadConstraints: [constraint({ topologyKey: ZONE })] }),
      { a: 'skew', b: 'skew', c: 'ok' },
    ],
    [
      'a node without the topology key is not a candidate',
      { a: z('z1'), b: {} },
      web({ topologySpreadConstraints: [constraint({ topologyKey: ZONE })] }),
      { a: 'ok', b: 'missing' },
    ],
    [
      'minDomains above the number of domains makes the global minimum 0',
      { a: z('z1', { running: [w] }), b: z('z2', { running: [w] }) },
      web({ topologySpreadConstraints: [constraint({ topologyKey: ZONE, minDomains: 3 })] }),
      { a: 'skew', b: 'skew' },
    ],
    [
      'without minDomains the minimum is 1 there',
      { a: z('z1', { running: [w] }), b: z('z2', { running: [w] }) },
      web({ topologySpreadConstraints: [constraint({ topologyKey: ZONE })] }),
      { a: 'ok', b: 'ok' },
    ],
    [
      'nodeAffinityPolicy Honor (default): nodes outside the nodeSelector are no domain',
      { a: { running: [w], labels: { pool: 'x' } }, b: { running: [w], labels: { pool: 'x' } }, c: {} },
      web({ nodeSelector: { pool: 'x' }, topologySpreadConstraints: [constraint()] }),
      { a: 'ok', b: 'ok', c: 'ok' },
    ],
    [
      'nodeAffinityPolicy Ignore: they count (with 0 pods)',
      { a: { running: [w], labels: { pool: 'x' } }, b: { running: [w], labels: { pool: 'x' } }, c: {} },
      web({
        nodeSelector: { pool: 'x' },
        topologySpreadConstraints: [constraint({ nodeAffinityPolicy: 'Ignore' })],
      }),
      { a: 'skew', b: 'skew', c: 'ok' },
    ],
    [
      'nodeTaintsPolicy Ignore (default): a tainted empty node is the minimum',
      { a: { running: [w] }, b: { running: [w] }, c: { taints: [{ key: 'k', effect: 'NoSchedule' }] } },
      web({ topologySpreadConstraints: [constraint()] }),
      { a: 'skew', b: 'skew', c: 'ok' },
    ],
    [
      'nodeTaintsPolicy Honor: an untolerated tainted node is no domain',
      { a: { running: [w] }, b: { running: [w] }, c: { taints: [{ key: 'k', effect: 'NoSchedule' }] } },
      web({ topologySpreadConstraints: [constraint({ nodeTaintsPolicy: 'Honor' })] }),
      { a: 'ok', b: 'ok', c: 'ok' },
    ],
    [
      'nodeTaintsPolicy Honor with a toleration counts the node',
      { a: { running: [w] }, b: { running: [w] }, c: { taints: [{ key: 'k', effect: 'NoSchedule' }] } },
      web({
        tolerations: [{ key: 'k', operator: 'Exists' }],
        topologySpreadConstraints: [constraint({ nodeTaintsPolicy: 'Honor' })],
      }),
      { a: 'skew', b: 'skew', c: 'ok' },
    ],
    [
      'matchLabelKeys narrows the selector to pods with the same values (e.g. one revision)',
      { a: { running: [{ app: 'web', rev: 'old' }] }, b: {} },
      makePod('new', {
        labels: { app: 'web', rev: 'new' },
        topologySpreadConstraints: [constraint({ matchLabelKeys: ['rev'] })],
      }),
      { a: 'ok', b: 'ok' },
    ],
    [
      'without matchLabelKeys every revision counts',
      { a: { running: [{ app: 'web', rev: 'old' }] }, b: {} },
      makePod('new', { labels: { app: 'web', rev: 'new' }, topologySpreadConstraints: [constraint()] }),
      { a: 'skew', b: 'ok' },
    ],
    [
      'pods of other namespaces and pods being deleted do not count',
      {
        a: {
          running: [
            { ...w, ns: 'other' },
            { ...w, deleting: 'yes' },
          ],
        },
        b: {},
      },
      web({ topologySpreadConstraints: [constraint()] }),
      { a: 'ok', b: 'ok' },
    ],
    [
      'every constraint must hold',
      { a: z('z1'), b: z('z1', { running: [w] }), c: z('z2', { running: [w] }) },
      web({ topologySpreadConstraints: [constraint(), constraint({ topologyKey: ZONE, maxSkew: 1 })] }),
      { a: 'ok', b: 'skew', c: 'skew' },
    ],
    [
      'an absent labelSelector matches no pod: nothing is ever skewed',
      { a: { running: [w, w] }, b: {} },
      web({ topologySpreadConstraints: [constraint({ labelSelector: undefined })] }),
      { a: 'ok', b: 'ok' },
    ],
  ])('%s', (_name, nodes, pod, expected) => {
    expect(verdicts(pod, cluster(nodes))).toEqual(expected);
  });
});

const rs = (name: string, selector: ReplicaSet['spec']['selector']): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, namespace: 'default' },
  spec: { selector },
});
const sts = (name: string, matchLabels: Record<string, string>): StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: 'default' },
  spec: { selector: { matchLabels }, template: { spec: { containers: [] } } },
});
const svc = (name: string, selector?: Record<string, string>, namespace = 'default'): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { ...(selector ? { selector } : {}) },
});

describe('default spreading selector (helper.DefaultSelector)', () => {
  const labels = { app: 'web', tier: 'fe', hash: 'h1' };
  it.each<[string, PodOptions, ClusterObjects, Record<string, string>[], Record<string, string>[]]>([
    ['no owner, no Service: none', {}, {}, [], [labels]],
    [
      'ReplicaSet owner: its selector',
      { owner: 'rs1' },
      { replicaSets: [rs('rs1', { matchLabels: { hash: 'h1' } })] },
      [{ hash: 'h1' }],
      [{ app: 'web' }],
    ],
    [
      'ReplicaSet selector expressions',
      { owner: 'rs1' },
      {
        replicaSets: [
          rs('rs1', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] }),
        ],
      },
      [{ tier: 'be' }],
      [{ tier: 'db' }],
    ],
    ['an owner the lister does not know: none', { owner: 'gone' }, {}, [], [labels]],
    [
      'StatefulSet owner',
      { owner: 'db', ownerKind: 'StatefulSet' },
      { statefulSets: [sts('db', { app: 'web' })] },
      [{ app: 'web' }],
      [{ app: 'x' }],
    ],
    ['Job owner: not a spreading owner', { owner: 'j', ownerKind: 'Job' }, {}, [], [labels]],
    [
      'Services selecting the pod are merged, others and selector-less ones ignored',
      {},
      {
        services: [
          svc('a', { app: 'web' }),
          svc('b', { tier: 'fe' }),
          svc('c', { app: 'other' }),
          svc('d'),
          svc('e', { app: 'web' }, 'elsewhere'),
        ],
      },
      [{ app: 'web', tier: 'fe' }],
      [{ app: 'web' }, { tier: 'fe' }],
    ],
    [
      'Service and ReplicaSet together are ANDed',
      { owner: 'rs1' },
      { services: [svc('a', { app: 'web' })], replicaSets: [rs('rs1', { matchLabels: { hash: 'h1' } })] },
      [{ app: 'web', hash: 'h1' }],
      [{ hash: 'h1' }, { app: 'web' }],
    ],
  ])('%s', (_name, podOpts, objects, selects, rejects) => {
    const pod = makePod('p', { labels, ...podOpts });
    const c = staticClusterState([], objects);
    const sel = defaultSelector(pod, c);
    const constraints = spreadConstraints(pod, 'ScheduleAnyway', c);
    if (selects.length === 0) {
      expect(sel.everything).toBe(true);
      expect(constraints).toEqual([]);
      return;
    }
    for (const l of selects) expect(sel.matches(l)).toBe(true);
    for (const l of rejects) expect(sel.matches(l)).toBe(false);
    expect(constraints.map((k) => [k.topologyKey, k.maxSkew, k.selector.requirements])).toEqual([
      [HOST, 3, sel.requirements],
      [ZONE, 5, sel.requirements],
    ]);
    expect(spreadConstraints(pod, 'DoNotSchedule', c)).toEqual([]);
  });
});

describe('PodTopologySpread score (ScheduleAnyway and the system defaults)', () => {
  const owned = (o: PodOptions = {}) => makePod('new', { labels: { app: 'web' }, owner: 'rs1', ...o });
  const objects = { replicaSets: [rs('rs1', { matchLabels: { app: 'web' } })] };

  function scores(pod: Pod, nodes: Record<string, NodeSpec>, objs: ClusterObjects = objects) {
    const ctx = cluster(nodes, objs);
    if (podTopologySpread.preScore!(pod, ctx).code === 'Skip') return 'skip';
    const raw = ctx.feasible.map((ni) => podTopologySpread.score(pod, ni, ctx));
    podTopologySpread.normalize!(raw, pod, ctx);
    return Object.fromEntries(ctx.feasible.map((ni, i) => [ni.name, raw[i]]));
  }

  it.each<[string, Pod, Record<string, NodeSpec>, Record<string, number> | 'skip']>([
    ['a bare pod: skipped', makePod('new', { labels: w }), { a: {}, b: {} }, 'skip'],
    ['no siblings anywhere: all 100', owned(), { a: {}, b: {}, c: {} }, { a: 100, b: 100, c: 100 }],
    // hostname maxSkew 3: raw = round(count·ln(3+2) + 2) → 4, 2, 2; normalized 100·(max+min−s)/max.
    [
      'siblings on one node: the others win',
      owned(),
      { a: { running: [w] }, b: {}, c: {} },
      { a: 50, b: 100, c: 100 },
    ],
    ['equal counts: all 100', owned(), { a: { running: [w] }, b: { running: [w] } }, { a: 100, b: 100 }],
    // zones add ln(2+2)·count + 4: a 12, b 9, c 6.
    [
      'zones count too',
      owned(),
      { a: z('z1', { running: [w, w] }), b: z('z1'), c: z('z2') },
      { a: 50, b: 75, c: 100 },
    ],
    // Two nodes without zone labels: ln(2+2) → raw 3 and 2.
    [
      'nodes without a zone label still spread by hostname',
      owned(),
      { a: { running: [w] }, b: {} },
      { a: 66, b: 100 },
    ],
    // As upstream: only a node that has the zone label adds the zone constraint's maxSkew − 1 (a 3, b 6).
    [
      'a zone-labelled node pays the zone offset',
      owned(),
      { a: { running: [w] }, b: z('z1') },
      { a: 100, b: 50 },
    ],
    [
      "the pod's own ScheduleAnyway constraint replaces the defaults",
      makePod('new', {
        labels: w,
        owner: 'rs1',
        topologySpreadConstraints: [constraint({ topologyKey: ZONE, whenUnsatisfiable: 'ScheduleAnyway' })],
      }),
      { a: z('z1', { running: [w] }), b: z('z1'), c: z('z2'), d: {} },
      // a,b: round(1·ln(4)) = 1; c: 0; d has no zone label: ignored, 0.
      { a: 0, b: 0, c: 100, d: 0 },
    ],
    [
      'own constraints that are all DoNotSchedule: no scoring, no defaults',
      owned({ topologySpreadConstraints: [constraint()] }),
      { a: { running: [w] }, b: {} },
      'skip',
    ],
  ])('%s', (_name, pod, nodes, expected) => {
    expect(scores(pod, nodes)).toEqual(expected);
  });

  it('counts pods on nodes that did not pass the filters when their domain has a feasible node', () => {
    const ctx = cluster({ a: z('z1', { running: [w, w, w] }), b: z('z1'), c: z('z2') }, objects);
    ctx.feasible = ctx.nodes.filter((ni) => ni.name !== 'a');
    const pod = owned();
    podTopologySpread.preScore!(pod, ctx);
    const raw = ctx.feasible.map((ni) => podTopologySpread.score(pod, ni, ctx));
    // b: hostname 0·ln(4)+2 = 2, zone 3·ln(4)+4 = 8.16 → 10; c: 2 + 4 = 6.
    expect(raw).toEqual([10, 6]);
  });
});
