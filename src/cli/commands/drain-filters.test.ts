import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types.js';
import {
  DAEMONSET_FATAL,
  DAEMONSET_WARNING,
  LOCAL_STORAGE_FATAL,
  planDrain,
  podVerdict,
  UNMANAGED_FATAL,
  UNMANAGED_WARNING,
  type DrainFlags,
} from './drain-filters.js';

function pod(
  name: string,
  opts: { owner?: string; emptyDir?: boolean; phase?: string; mirror?: boolean; namespace?: string } = {},
): Pod {
  const [kind, ownerName] = (opts.owner ?? '').split('/');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: opts.namespace ?? 'default',
      ...(opts.owner
        ? { ownerReferences: [{ apiVersion: 'apps/v1', kind, name: ownerName, uid: 'u', controller: true }] }
        : {}),
      ...(opts.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'x' } } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'busybox' }],
      ...(opts.emptyDir ? { volumes: [{ name: 'tmp', emptyDir: {} }] } : {}),
    },
    status: { phase: (opts.phase ?? 'Running') as any },
  };
}

const NONE: DrainFlags = { force: false, ignoreDaemonSets: false, deleteEmptyDirData: false };
const ALL: DrainFlags = { force: true, ignoreDaemonSets: true, deleteEmptyDirData: true };

describe('podVerdict (kubectl drain filters)', () => {
  it.each<[string, Pod, DrainFlags, ReturnType<typeof podVerdict>]>([
    ['a ReplicaSet pod goes', pod('a', { owner: 'ReplicaSet/rs' }), NONE, { delete: true }],
    [
      'a DaemonSet pod is refused',
      pod('a', { owner: 'DaemonSet/ds' }),
      NONE,
      { delete: false, error: DAEMONSET_FATAL },
    ],
    [
      'a DaemonSet pod is left alone with --ignore-daemonsets',
      pod('a', { owner: 'DaemonSet/ds' }),
      { ...NONE, ignoreDaemonSets: true },
      { delete: false, skip: true, warning: DAEMONSET_WARNING },
    ],
    [
      'a finished DaemonSet pod goes',
      pod('a', { owner: 'DaemonSet/ds', phase: 'Succeeded' }),
      NONE,
      { delete: true },
    ],
    ['a bare pod is refused', pod('a'), NONE, { delete: false, error: UNMANAGED_FATAL }],
    [
      'a bare pod goes with --force',
      pod('a'),
      { ...NONE, force: true },
      { delete: true, warning: UNMANAGED_WARNING },
    ],
    ['a failed bare pod goes', pod('a', { phase: 'Failed' }), NONE, { delete: true }],
    [
      'an emptyDir pod is refused',
      pod('a', { owner: 'ReplicaSet/rs', emptyDir: true }),
      { ...NONE, force: true },
      { delete: false, error: LOCAL_STORAGE_FATAL },
    ],
    // kubectl's own quirk: the local-storage warning is replaced by the next filter's verdict.
    [
      'an emptyDir pod of a ReplicaSet goes with --delete-emptydir-data',
      pod('a', { owner: 'ReplicaSet/rs', emptyDir: true }),
      { ...NONE, deleteEmptyDirData: true },
      { delete: true },
    ],
    [
      'a bare emptyDir pod is refused for its storage first',
      pod('a', { emptyDir: true }),
      NONE,
      { delete: false, error: LOCAL_STORAGE_FATAL },
    ],
    [
      'a bare emptyDir pod with both flags',
      pod('a', { emptyDir: true }),
      ALL,
      { delete: true, warning: UNMANAGED_WARNING },
    ],
    ['a mirror pod is skipped', pod('a', { mirror: true }), ALL, { delete: false, skip: true }],
  ])('%s', (_what, p, flags, expected) => {
    expect(podVerdict(p, flags)).toEqual(expected);
  });

  it('a pod whose DaemonSet is gone goes only with --force', () => {
    const p = pod('a', { owner: 'DaemonSet/gone' });
    const missing = { message: 'daemonsets.apps "gone" not found', notFound: true };
    expect(podVerdict(p, NONE, missing)).toEqual({ delete: false, error: missing.message });
    expect(podVerdict(p, { ...NONE, force: true }, missing)).toEqual({ delete: true });
    const unreadable = { message: 'the server is on fire', notFound: false };
    expect(podVerdict(p, ALL, unreadable)).toEqual({ delete: false, error: unreadable.message });
  });

  it("drops the warnings of filters that are passed, as kubectl does (the last filter's verdict counts)", () => {
    const orphan = pod('a', { owner: 'DaemonSet/gone', emptyDir: true });
    expect(podVerdict(orphan, ALL, { message: 'x', notFound: true })).toEqual({ delete: true });
  });
});

describe('planDrain', () => {
  const pods = [
    pod('web-1', { owner: 'ReplicaSet/web' }),
    pod('ds-1', { owner: 'DaemonSet/ds' }),
    pod('bare'),
    pod('scratch', { emptyDir: true }),
    pod('bare2', { namespace: 'other' }),
    pod('orphan', { owner: 'DaemonSet/gone' }),
  ];
  const problems = new Map([
    ['default/gone', { message: 'daemonsets.apps "gone" not found', notFound: true }],
  ]);

  it('groups refusals by reason in first-seen order, with kubectl\'s "cannot delete" wording', () => {
    expect(planDrain(pods, NONE, problems)).toEqual({
      pods: [pods[0]],
      warnings: '',
      errors: [
        'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/ds-1',
        'cannot delete Pods that declare no controller (use --force to override): default/bare, other/bare2',
        'cannot delete Pods with local storage (use --delete-emptydir-data to override): default/scratch',
        'cannot delete daemonsets.apps "gone" not found: default/orphan',
      ],
    });
  });

  it('with every flag: the pods to evict and the warnings kubectl prints', () => {
    const plan = planDrain(pods, ALL, problems);
    expect(plan.pods.map((p) => p.metadata.name)).toEqual(['web-1', 'bare', 'scratch', 'bare2', 'orphan']);
    expect(plan.errors).toEqual([]);
    expect(plan.warnings).toBe(
      'ignoring DaemonSet-managed Pods: default/ds-1; ' +
        'deleting Pods that declare no controller: default/bare, default/scratch, other/bare2',
    );
  });

  it('an empty node has nothing to do', () => {
    expect(planDrain([], NONE)).toEqual({ pods: [], warnings: '', errors: [] });
  });
});
