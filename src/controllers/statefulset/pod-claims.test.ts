import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types.js';
import { adoptPatch, claimPods, releasePatch, type SelectingOwner } from './pod-claims.js';

const owner: SelectingOwner = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default', uid: 'set-uid' },
  spec: { selector: { matchLabels: { app: 'web' } } },
};

function pod(
  name: string,
  labels: Record<string, string>,
  ownerUid?: string,
  extra: Partial<Pod['metadata']> = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels,
      ...(ownerUid
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'x', uid: ownerUid, controller: true },
            ],
          }
        : {}),
      ...extra,
    },
    spec: { containers: [] },
  };
}

describe('claimPods', () => {
  const pods = [
    pod('web-0', { app: 'web' }, 'set-uid'),
    pod('web-1', { app: 'other' }, 'set-uid'),
    pod('web-2', { app: 'web' }),
    pod('web-3', { app: 'web' }, 'someone-else'),
    pod('web-4', { app: 'web' }, undefined, { deletionTimestamp: '2026-01-01T00:00:00Z' }),
    pod('db-0', { app: 'web' }),
    pod('web-5', { app: 'web' }, undefined, { namespace: 'other' }),
  ];
  it('keeps, adopts and releases like ClaimPods (with a member filter)', () => {
    const c = claimPods(owner, pods, (p) => p.metadata.name!.startsWith('web-'));
    expect(c.owned.map((p) => p.metadata.name)).toEqual(['web-0']);
    expect(c.adopt.map((p) => p.metadata.name)).toEqual(['web-2']);
    expect(c.release.map((p) => p.metadata.name)).toEqual(['web-1']);
  });
  it('an owner being deleted neither adopts nor releases', () => {
    const deleting = { ...owner, metadata: { ...owner.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    const c = claimPods(deleting, pods);
    expect(c.owned.map((p) => p.metadata.name)).toEqual(['web-0']);
    expect(c.adopt).toEqual([]);
    expect(c.release).toEqual([]);
  });
  it('patches ownerReferences guarded by the pod uid', () => {
    expect(adoptPatch(owner, pods[2])).toEqual({
      metadata: {
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            name: 'web',
            uid: 'set-uid',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        uid: 'uid-web-2',
      },
    });
    expect(releasePatch(owner, pods[1])).toEqual({
      metadata: { ownerReferences: [{ $patch: 'delete', uid: 'set-uid' }], uid: 'uid-web-1' },
    });
  });
});
