import { describe, expect, it } from 'vitest';
import {
  AFFINITY_REASON,
  ANTI_AFFINITY_REASON,
  EXISTING_ANTI_AFFINITY_REASON,
  interPodAffinity,
} from './inter-pod-affinity.js';
import { newCycle, type NodeInfo } from '../framework.js';
import { staticClusterState } from '../cluster-state.js';
import { newNodeInfo } from '../node-info.js';
import { makeNode, makePod, type PodOptions } from '../../../test/fakes/scheduler-fixtures.js';
import type { Affinity, Namespace, Pod, PodAffinityTerm } from '../../api/types.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

/** a, b in zone z1; c in zone z2; d has no zone label. */
const NODE_ZONES: Record<string, string | undefined> = { a: 'z1', b: 'z1', c: 'z2', d: undefined };

function cluster(pods: Record<string, PodOptions[]>, nodes = ['a', 'b', 'c']) {
  const namespaces: Namespace[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other', labels: { team: 'x' } } },
  ];
  const infos: NodeInfo[] = nodes.map((n) => {
    const zone = NODE_ZONES[n];
    return newNodeInfo(
      makeNode(n, zone ? { labels: { [ZONE]: zone } } : {}),
      (pods[n] ?? []).map((o, i) => makePod(`${n}-${i}`, { ...o, nodeName: n })),
    );
  });
  return newCycle(infos, staticClusterState(infos, { namespaces }));
}

const term = (labels: Record<string, string>, topologyKey = HOST, more: Partial<PodAffinityTerm> = {}) => ({
  labelSelector: { matchLabels: labels },
  topologyKey,
  ...more,
});
const affinity = (...terms: PodAffinityTerm[]): Affinity => ({
  podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms },
});
const antiAffinity = (...terms: PodAffinityTerm[]): Affinity => ({
  podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms },
});

const cache = { labels: { app: 'cache' } };
const web = { labels: { app: 'web' } };

type Verdict = 'ok' | 'affinity' | 'anti' | 'existing';
const VERDICTS: Record<string, Verdict> = {
  [AFFINITY_REASON]: 'affinity',
  [ANTI_AFFINITY_REASON]: 'anti',
  [EXISTING_ANTI_AFFINITY_REASON]: 'existing',
};

function verdicts(pod: Pod, ctx: ReturnType<typeof cluster>): Record<string, Verdict> | 'skip' {
  if (interPodAffinity.preFilter!(pod, ctx).code === 'Skip') return 'skip';
  const out: Record<string, Verdict> = {};
  for (const ni of ctx.nodes) {
    const s = interPodAffinity.filter(pod, ni, ctx);
    out[ni.name] = s.code === 'Success' ? 'ok' : VERDICTS[s.reasons[0]];
    if (s.code !== 'Success') {
      expect(s.reasons).toHaveLength(1);
      expect(s.code).toBe(
        s.reasons[0] === AFFINITY_REASON ? 'UnschedulableAndUnresolvable' : 'Unschedulable',
      );
    }
  }
  return out;
}

describe('InterPodAffinity filter', () => {
  it.each<[string, Record<string, PodOptions[]>, PodOptions, Record<string, Verdict> | 'skip', string[]?]>([
    ['no affinity anywhere: skipped', { a: [web] }, web, 'skip'],
    [
      'affinity on hostname',
      { b: [cache] },
      { affinity: affinity(term({ app: 'cache' })) },
      { a: 'affinity', b: 'ok', c: 'affinity' },
    ],
    [
      'affinity on zone',
      { b: [cache] },
      { affinity: affinity(term({ app: 'cache' }, ZONE)) },
      { a: 'ok', b: 'ok', c: 'affinity' },
    ],
    [
      'a node without the topology key never satisfies affinity',
      { b: [cache] },
      { affinity: affinity(term({ app: 'cache' }, ZONE)) },
      { a: 'ok', b: 'ok', c: 'affinity', d: 'affinity' },
      ['a', 'b', 'c', 'd'],
    ],
    [
      'the first pod of a self-affine group may go anywhere',
      { a: [cache] },
      { labels: { app: 'web' }, affinity: affinity(term({ app: 'web' })) },
      { a: 'ok', b: 'ok', c: 'ok' },
    ],
    [
      'no matching pod and not self-affine: nowhere',
      {},
      { labels: { app: 'web' }, affinity: affinity(term({ app: 'cache' })) },
      { a: 'affinity', b: 'affinity', c: 'affinity' },
    ],
    [
      "terms look in the pod's own namespace by default",
      { b: [{ ...cache, namespace: 'other' }] },
      { affinity: affinity(term({ app: 'cache' })) },
      { a: 'affinity', b: 'affinity', c: 'affinity' },
    ],
    [
      'namespaces lists where to look',
      { b: [{ ...cache, namespace: 'other' }] },
      { affinity: affinity(term({ app: 'cache' }, HOST, { namespaces: ['other'] })) },
      { a: 'affinity', b: 'ok', c: 'affinity' },
    ],
    [
      'an empty namespaceSelector means every namespace',
      { b: [{ ...cache, namespace: 'other' }] },
      { affinity: affinity(term({ app: 'cache' }, HOST, { namespaceSelector: {} })) },
      { a: 'affinity', b: 'ok', c: 'affinity' },
    ],
    [
      'namespaceSelector selects namespaces by label',
      { b: [{ ...cache, namespace: 'other' }], c: [cache] },
      {
        affinity: affinity(
          term({ app: 'cache' }, HOST, { namespaceSelector: { matchLabels: { team: 'x' } } }),
        ),
      },
      { a: 'affinity', b: 'ok', c: 'affinity' },
    ],
    [
      'a pod counts only when it matches all affinity terms',
      { a: [{ labels: { app: 'cache' } }], b: [{ labels: { app: 'cache', tier: 'hot' } }] },
      { affinity: affinity(term({ app: 'cache' }), term({ tier: 'hot' })) },
      { a: 'affinity', b: 'ok', c: 'affinity' },
    ],
    [
      'anti-affinity on hostname',
      { a: [web] },
      { ...web, affinity: antiAffinity(term({ app: 'web' })) },
      { a: 'anti', b: 'ok', c: 'ok' },
    ],
    [
      'anti-affinity on zone',
      { a: [web] },
      { ...web, affinity: antiAffinity(term({ app: 'web' }, ZONE)) },
      { a: 'anti', b: 'anti', c: 'ok' },
    ],
    [
      'anti-affinity ignores nodes without the key',
      { a: [web], d: [web] },
      { affinity: antiAffinity(term({ app: 'web' }, ZONE)) },
      { a: 'anti', b: 'anti', c: 'ok', d: 'ok' },
      ['a', 'b', 'c', 'd'],
    ],
    [
      "existing pods' anti-affinity keeps matching pods out of their domain",
      { a: [{ affinity: antiAffinity(term({ app: 'web' }, ZONE)) }] },
      web,
      { a: 'existing', b: 'existing', c: 'ok' },
    ],
    [
      "an existing pod's term looks in its own namespace",
      { a: [{ namespace: 'other', affinity: antiAffinity(term({ app: 'web' })) }] },
      web,
      'skip',
    ],
    [
      'matchLabelKeys: anti-affinity only against the same revision',
      { a: [{ labels: { app: 'web', rev: 'old' } }], b: [{ labels: { app: 'web', rev: 'new' } }] },
      {
        labels: { app: 'web', rev: 'new' },
        affinity: antiAffinity(term({ app: 'web' }, HOST, { matchLabelKeys: ['rev'] })),
      },
      { a: 'ok', b: 'anti', c: 'ok' },
    ],
    [
      'mismatchLabelKeys: anti-affinity against other tenants',
      { a: [{ labels: { app: 'web', tenant: 't1' } }], b: [{ labels: { app: 'web', tenant: 't2' } }] },
      {
        labels: { app: 'web', tenant: 't1' },
        affinity: antiAffinity(term({ app: 'web' }, HOST, { mismatchLabelKeys: ['tenant'] })),
      },
      { a: 'ok', b: 'anti', c: 'ok' },
    ],
    [
      'affinity is checked before anti-affinity',
      { a: [web] },
      { affinity: { ...affinity(term({ app: 'cache' })), ...antiAffinity(term({ app: 'web' })) } },
      { a: 'affinity', b: 'affinity', c: 'affinity' },
    ],
  ])('%s', (_name, pods, incoming, expected, nodes) => {
    expect(verdicts(makePod('new', incoming), cluster(pods, nodes))).toEqual(expected);
  });
});

describe('InterPodAffinity score', () => {
  const preferred = (weight: number, t: PodAffinityTerm) => [{ weight, podAffinityTerm: t }];

  it.each<[string, Record<string, PodOptions[]>, PodOptions, Record<string, number> | 'skip']>([
    ['nothing to weigh: skipped', { a: [web] }, web, 'skip'],
    [
      'preferred affinity pulls to the matching pod',
      { b: [cache] },
      {
        affinity: {
          podAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: preferred(10, term({ app: 'cache' })),
          },
        },
      },
      { a: 0, b: 100, c: 0 },
    ],
    [
      'preferred anti-affinity on zone pushes away from a zone',
      { a: [web] },
      {
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: preferred(10, term({ app: 'web' }, ZONE)),
          },
        },
      },
      { a: 0, b: 0, c: 100 },
    ],
    [
      'weights add up per node; normalized min → 0, max → 100',
      { a: [cache, web], b: [cache] },
      {
        affinity: {
          podAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: preferred(30, term({ app: 'cache' })),
          },
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: preferred(20, term({ app: 'web' })),
          },
        },
      },
      // a: 30 − 20 = 10, b: 30, c: 0 → (s − 0)·100/30.
      { a: 33, b: 100, c: 0 },
    ],
    [
      "an existing pod's required affinity that selects this pod counts 1 (hardPodAffinityWeight)",
      { c: [{ affinity: affinity(term({ app: 'web' })) }] },
      web,
      { a: 0, b: 0, c: 100 },
    ],
    [
      "an existing pod's preferred anti-affinity pushes this pod away",
      {
        a: [
          {
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: preferred(20, term({ app: 'web' })),
              },
            },
          },
        ],
      },
      web,
      { a: 0, b: 100, c: 100 },
    ],
    [
      "an existing pod's preferred affinity that does not select this pod: skipped",
      {
        a: [
          {
            affinity: {
              podAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: preferred(20, term({ app: 'db' })),
              },
            },
          },
        ],
      },
      web,
      'skip',
    ],
  ])('%s', (_name, pods, incoming, expected) => {
    const ctx = cluster(pods);
    const pod = makePod('new', incoming);
    if (interPodAffinity.preScore!(pod, ctx).code === 'Skip') return expect('skip').toEqual(expected);
    const raw = ctx.feasible.map((ni) => interPodAffinity.score(pod, ni, ctx));
    interPodAffinity.normalize!(raw, pod, ctx);
    expect(Object.fromEntries(ctx.feasible.map((ni, i) => [ni.name, raw[i]]))).toEqual(expected);
  });
});
