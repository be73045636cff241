import { describe, expect, it } from 'vitest';
import type { PersistentVolumeClaim, Pod, PodTemplateSpec, StatefulSet } from '../../api/types.js';
import { reconcileStatefulSet, type StatefulSetAction, type StatefulSetView } from './reconcile.js';
import { newStatefulSetPod } from './stateful-pods.js';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const V1: PodTemplateSpec = {
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [{ name: 'nginx', image: 'web:v1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    volumes: [
      { name: 'data', emptyDir: {} },
      { name: 'scratch', emptyDir: {} },
    ],
  },
};
const V2: PodTemplateSpec = {
  ...V1,
  spec: { ...V1.spec, containers: [{ ...V1.spec.containers[0], image: 'web:v2' }] },
};

function statefulSet(spec: Partial<StatefulSet['spec']> = {}, status?: StatefulSet['status']): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'sts-uid', generation: 2 },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      serviceName: 'nginx',
      template: V1,
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data', labels: { tier: 'storage' } },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

type Health = 'ready' | 'pending' | 'running' | 'failed' | 'terminating';

/** A pod of the set as the API holds it: created from the revision, with a uid and the given health. */
function pod(set: StatefulSet, ordinal: number, health: Health = 'ready', rev = 'web-1'): Pod {
  const p = newStatefulSetPod(set, rev === 'web-2' ? V2 : V1, rev, ordinal);
  p.metadata.uid = `uid-${p.metadata.name}-${rev}`;
  const phase = health === 'pending' ? 'Pending' : health === 'failed' ? 'Failed' : 'Running';
  p.status = {
    phase,
    conditions: [
      {
        type: 'Ready',
        status: health === 'ready' || health === 'terminating' ? 'True' : 'False',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ],
  };
  if (health === 'terminating') p.metadata.deletionTimestamp = '2026-01-01T00:59:00Z';
  return p;
}

function claim(name: string, extra: Partial<PersistentVolumeClaim['metadata']> = {}): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default', ...extra },
    spec: {},
  };
}

function view(
  set: StatefulSet,
  pods: Pod[],
  claims: PersistentVolumeClaim[] = [],
  updateRev = 'web-1',
): StatefulSetView {
  return {
    set,
    pods,
    claims: new Map(claims.map((c) => [c.metadata.name!, c])),
    currentRevision: { name: set.status?.currentRevision ?? 'web-1', template: V1 },
    updateRevision: { name: updateRev, template: updateRev === 'web-2' ? V2 : V1 },
    collisionCount: 0,
    now: NOW,
  };
}

/** Actions as short strings: `+claim data-web-0`, `+pod web-0@web-1`, `-pod web-2 (condemned)`. */
function summary(actions: StatefulSetAction[]): string[] {
  return actions.map((a) => {
    switch (a.type) {
      case 'createClaim':
        return `+claim ${a.claim.metadata.name}`;
      case 'createPod':
        return `+pod ${a.pod.metadata.name}@${a.pod.metadata.labels!['controller-revision-hash']}`;
      case 'deletePod':
        return `-pod ${a.pod} (${a.reason})`;
      case 'updatePodLabels':
        return `~pod ${a.pod}`;
      case 'updateClaimOwners':
        return `~claim ${a.claim} owners=${a.ownerReferences.map((r) => `${r.kind}/${r.name}`).join(',')}`;
    }
  });
}

const claims3 = ['data-web-0', 'data-web-1', 'data-web-2'].map((n) => claim(n));

describe('reconcileStatefulSet: OrderedReady', () => {
  const set = statefulSet();
  it.each<[string, Pod[], PersistentVolumeClaim[], string[]]>([
    [
      'an empty set creates web-0 (after its claim) and stops',
      [],
      [],
      ['+claim data-web-0', '+pod web-0@web-1'],
    ],
    ['the claim is created only once', [], claims3, ['+pod web-0@web-1']],
    ['web-1 waits while web-0 is Pending', [pod(set, 0, 'pending')], claims3, []],
    ['web-1 waits while web-0 runs but is not Ready', [pod(set, 0, 'running')], claims3, []],
    ['web-1 comes once web-0 is Running and Ready', [pod(set, 0)], claims3, ['+pod web-1@web-1']],
    ['a gap is filled in order', [pod(set, 0), pod(set, 2)], claims3, ['+pod web-1@web-1']],
    [
      'a failed pod is deleted and nothing else happens',
      [pod(set, 0, 'failed'), pod(set, 1)],
      claims3,
      ['-pod web-0 (failed)'],
    ],
    ['a deleted (terminating) pod is waited for', [pod(set, 0, 'terminating'), pod(set, 1)], claims3, []],
    [
      'a pending pod whose claim went missing gets it back',
      [pod(set, 0, 'pending')],
      [],
      ['+claim data-web-0'],
    ],
    ['all healthy: nothing to do', [pod(set, 0), pod(set, 1), pod(set, 2)], claims3, []],
  ])('%s', (_name, pods, claims, want) => {
    expect(summary(reconcileStatefulSet(view(set, pods, claims)).actions)).toEqual(want);
  });

  it('creates 0, 1, 2 in order, each only after the previous one is Running and Ready', () => {
    const created: string[] = [];
    let pods: Pod[] = [];
    let claims: PersistentVolumeClaim[] = [];
    for (let round = 0; round < 12 && pods.length < 3; round++) {
      const plan = reconcileStatefulSet(view(set, pods, claims));
      for (const a of plan.actions) {
        if (a.type === 'createClaim') claims = [...claims, a.claim];
        if (a.type === 'createPod') {
          const ord = Number(a.pod.metadata.name!.split('-')[1]);
          // Every lower ordinal exists and is Running and Ready at this moment.
          for (let i = 0; i < ord; i++) {
            expect(pods.find((p) => p.metadata.name === `web-${i}`)?.status?.conditions?.[0].status).toBe(
              'True',
            );
          }
          created.push(a.pod.metadata.name!);
          pods = [...pods, pod(set, ord, 'pending')];
        }
      }
      expect(plan.actions.filter((a) => a.type === 'createPod').length).toBeLessThanOrEqual(1);
      // The kubelet starts pending pods only every other round: readiness flips later than creation.
      if (round % 2 === 1)
        pods = pods.map((p) =>
          p.status?.phase === 'Pending' ? pod(set, Number(p.metadata.name!.slice(4))) : p,
        );
    }
    expect(created).toEqual(['web-0', 'web-1', 'web-2']);
    expect(claims.map((c) => c.metadata.name)).toEqual(['data-web-0', 'data-web-1', 'data-web-2']);
  });

  it('scales down from the highest ordinal, one at a time, waiting for each to be gone', () => {
    const one = statefulSet({ replicas: 1 });
    const all = [pod(one, 0), pod(one, 1), pod(one, 2)];
    expect(summary(reconcileStatefulSet(view(one, all, claims3)).actions)).toEqual([
      '-pod web-2 (condemned)',
    ]);
    const terminating = [pod(one, 0), pod(one, 1), pod(one, 2, 'terminating')];
    expect(reconcileStatefulSet(view(one, terminating, claims3)).actions).toEqual([]);
    expect(summary(reconcileStatefulSet(view(one, all.slice(0, 2), claims3)).actions)).toEqual([
      '-pod web-1 (condemned)',
    ]);
  });

  it('does not scale down while a replica in range is unhealthy', () => {
    const two = statefulSet({ replicas: 2 });
    const pods = [pod(two, 0, 'running'), pod(two, 1), pod(two, 2)];
    expect(reconcileStatefulSet(view(two, pods, claims3)).actions).toEqual([]);
  });

  it('deletes an unhealthy condemned pod only when it is the first unhealthy pod', () => {
    const one = statefulSet({ replicas: 1 });
    // web-1 is the first unhealthy pod, so the unhealthy web-2 waits (Kubernetes' processCondemned).
    const blocked = [pod(one, 0), pod(one, 1, 'running'), pod(one, 2, 'running')];
    expect(reconcileStatefulSet(view(one, blocked, claims3)).actions).toEqual([]);
    // A healthy condemned pod goes even while a lower condemned one is unhealthy.
    const healthyTop = [pod(one, 0), pod(one, 1, 'running'), pod(one, 2)];
    expect(summary(reconcileStatefulSet(view(one, healthyTop, claims3)).actions)).toEqual([
      '-pod web-2 (condemned)',
    ]);
    const unhealthyTop = [pod(one, 0), pod(one, 1), pod(one, 2, 'running')];
    expect(summary(reconcileStatefulSet(view(one, unhealthyTop, claims3)).actions)).toEqual([
      '-pod web-2 (condemned)',
    ]);
  });

  it('honours ordinals.start', () => {
    const shifted = statefulSet({ replicas: 2, ordinals: { start: 5 } });
    expect(summary(reconcileStatefulSet(view(shifted, [], [])).actions)).toEqual([
      '+claim data-web-5',
      '+pod web-5@web-1',
    ]);
    const plan = reconcileStatefulSet(
      view(shifted, [pod(shifted, 5), pod(shifted, 0)], [claim('data-web-6')]),
    );
    expect(summary(plan.actions)).toEqual(['+pod web-6@web-1']);
  });

  it('stops with an error when a claim is being deleted', () => {
    const plan = reconcileStatefulSet(
      view(set, [], [claim('data-web-0', { deletionTimestamp: '2026-01-01T00:00:00Z' })]),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.error).toEqual({ pod: 'web-0', message: 'pvc data-web-0 is being deleted' });
  });
});

describe('reconcileStatefulSet: Parallel', () => {
  const set = statefulSet({ podManagementPolicy: 'Parallel' });
  it('creates every missing pod at once, without waiting for readiness', () => {
    expect(summary(reconcileStatefulSet(view(set, [pod(set, 1, 'pending')], [])).actions)).toEqual([
      '+claim data-web-0',
      '+pod web-0@web-1',
      '+claim data-web-1',
      '+claim data-web-2',
      '+pod web-2@web-1',
    ]);
  });
  it('deletes every condemned pod at once', () => {
    const one = statefulSet({ podManagementPolicy: 'Parallel', replicas: 1 });
    const pods = [pod(one, 0, 'running'), pod(one, 1, 'running'), pod(one, 2)];
    expect(summary(reconcileStatefulSet(view(one, pods, claims3)).actions)).toEqual([
      '-pod web-2 (condemned)',
      '-pod web-1 (condemned)',
    ]);
  });
});

describe('reconcileStatefulSet: updates', () => {
  const rolling = (partition?: number) =>
    statefulSet(
      { template: V2, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } } },
      { replicas: 3, currentRevision: 'web-1', updateRevision: 'web-2' },
    );

  it('RollingUpdate deletes the highest-ordinal old pod, then waits for its replacement to be Ready', () => {
    const set = rolling();
    const old = [pod(set, 0), pod(set, 1), pod(set, 2)];
    const first = reconcileStatefulSet(view(set, old, claims3, 'web-2'));
    expect(summary(first.actions)).toEqual(['-pod web-2 (update)']);
    expect(first.status).toMatchObject({ currentReplicas: 2, updatedReplicas: 0, currentRevision: 'web-1' });
    // web-2 gone: recreated at the update revision.
    expect(summary(reconcileStatefulSet(view(set, old.slice(0, 2), claims3, 'web-2')).actions)).toEqual([
      '+pod web-2@web-2',
    ]);
    const waiting = [old[0], old[1], pod(set, 2, 'pending', 'web-2')];
    expect(reconcileStatefulSet(view(set, waiting, claims3, 'web-2')).actions).toEqual([]);
    const next = [old[0], old[1], pod(set, 2, 'ready', 'web-2')];
    expect(summary(reconcileStatefulSet(view(set, next, claims3, 'web-2')).actions)).toEqual([
      '-pod web-1 (update)',
    ]);
  });

  it('completes the rollout: currentRevision becomes the update revision', () => {
    const set = rolling();
    const done = [
      pod(set, 0, 'ready', 'web-2'),
      pod(set, 1, 'ready', 'web-2'),
      pod(set, 2, 'ready', 'web-2'),
    ];
    const plan = reconcileStatefulSet(view(set, done, claims3, 'web-2'));
    expect(plan.actions).toEqual([]);
    expect(plan.status).toEqual({
      observedGeneration: 2,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: 'web-2',
      updateRevision: 'web-2',
      collisionCount: 0,
    });
  });

  it('a partition keeps lower ordinals at the current revision, even when they are recreated', () => {
    const set = rolling(2);
    const pods = [pod(set, 0), pod(set, 1), pod(set, 2, 'ready', 'web-2')];
    expect(reconcileStatefulSet(view(set, pods, claims3, 'web-2')).actions).toEqual([]);
    expect(summary(reconcileStatefulSet(view(set, [pods[0], pods[2]], claims3, 'web-2')).actions)).toEqual([
      '+pod web-1@web-1',
    ]);
    const plan = reconcileStatefulSet(view(set, pods, claims3, 'web-2'));
    expect(plan.status).toMatchObject({ currentReplicas: 2, updatedReplicas: 1, currentRevision: 'web-1' });
  });

  it('OnDelete leaves old pods alone and recreates deleted ones at the update revision', () => {
    const set = statefulSet(
      { template: V2, updateStrategy: { type: 'OnDelete' } },
      { replicas: 3, currentRevision: 'web-1' },
    );
    const old = [pod(set, 0), pod(set, 1), pod(set, 2)];
    expect(reconcileStatefulSet(view(set, old, claims3, 'web-2')).actions).toEqual([]);
    expect(summary(reconcileStatefulSet(view(set, [old[0], old[2]], claims3, 'web-2')).actions)).toEqual([
      '+pod web-1@web-2',
    ]);
  });
});

describe('reconcileStatefulSet: claims and identity', () => {
  it('new claims carry the selector labels, and the set as owner only for whenDeleted: Delete', () => {
    const retain = reconcileStatefulSet(view(statefulSet(), [], [])).actions[0];
    expect(retain).toMatchObject({
      type: 'createClaim',
      claim: {
        metadata: { name: 'data-web-0', namespace: 'default', labels: { tier: 'storage', app: 'web' } },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    expect(retain.type === 'createClaim' && retain.claim.metadata.ownerReferences).toBeFalsy();
    const del = statefulSet({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } });
    const owned = reconcileStatefulSet(view(del, [], [])).actions[0];
    expect(owned.type === 'createClaim' && owned.claim.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: 'web',
        uid: 'sts-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('whenScaled: Delete hands a condemned pod its claims before deleting it', () => {
    const set = statefulSet({ replicas: 2, persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } });
    const plan = reconcileStatefulSet(view(set, [pod(set, 0), pod(set, 1), pod(set, 2)], claims3));
    expect(summary(plan.actions)).toEqual(['~claim data-web-2 owners=Pod/web-2', '-pod web-2 (condemned)']);
  });

  it('does not recreate a pod on a claim still owned by its predecessor (stale claim)', () => {
    const set = statefulSet({ replicas: 3, persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } });
    const stale = claim('data-web-2', {
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Pod', name: 'web-2', uid: 'old-pod-uid', controller: true },
      ],
    });
    const plan = reconcileStatefulSet(view(set, [pod(set, 0), pod(set, 1)], [claims3[0], claims3[1], stale]));
    expect(plan.actions).toEqual([]);
  });

  it('restores a missing pod-name label', () => {
    const set = statefulSet({ replicas: 1 });
    const p = pod(set, 0);
    delete p.metadata.labels!['statefulset.kubernetes.io/pod-name'];
    expect(summary(reconcileStatefulSet(view(set, [p], claims3)).actions)).toEqual(['~pod web-0']);
  });

  it('does nothing but report status while the set is being deleted', () => {
    const set = statefulSet();
    set.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const plan = reconcileStatefulSet(view(set, [pod(set, 0)], claims3));
    expect(plan.actions).toEqual([]);
    expect(plan.status.replicas).toBe(1);
  });
});
