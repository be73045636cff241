import { describe, expect, it } from 'vitest';
import type { OwnerReference, PersistentVolumeClaim, Pod, StatefulSet } from '../../api/types.js';
import { claimIsStale, desiredClaimOwners } from './claim-retention.js';

const setRef: OwnerReference = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  name: 'web',
  uid: 'set-uid',
  controller: true,
  blockOwnerDeletion: true,
};
const podRef: OwnerReference = {
  apiVersion: 'v1',
  kind: 'Pod',
  name: 'web-2',
  uid: 'pod-uid',
  controller: true,
  blockOwnerDeletion: true,
};
const other: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'keep', uid: 'cm-uid' };

function set(whenDeleted?: 'Retain' | 'Delete', whenScaled?: 'Retain' | 'Delete'): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'set-uid' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [] } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled },
    },
  };
}
const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-2', uid: 'pod-uid' },
  spec: { containers: [] },
};
const claim = (refs: OwnerReference[] = []): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data-web-2', ownerReferences: refs },
  spec: {},
});

describe('PVC retention policy', () => {
  it.each<
    [string, 'Retain' | 'Delete' | undefined, 'Retain' | 'Delete' | undefined, boolean, OwnerReference[]]
  >([
    ['default Retain/Retain: no owners', undefined, undefined, false, [other]],
    ['whenDeleted Delete: owned by the set', 'Delete', 'Retain', false, [other, setRef]],
    [
      'whenDeleted Delete, scaled down but whenScaled Retain: still the set',
      'Delete',
      'Retain',
      true,
      [other, setRef],
    ],
    ['whenScaled Delete, in range: no owners', 'Retain', 'Delete', false, [other]],
    ['whenScaled Delete, scaled down: owned by the pod', 'Retain', 'Delete', true, [other, podRef]],
    ['both Delete, scaled down: the pod replaces the set', 'Delete', 'Delete', true, [other, podRef]],
    ['both Delete, in range: the set replaces the pod', 'Delete', 'Delete', false, [other, setRef]],
  ])('%s', (_name, whenDeleted, whenScaled, scaledDown, want) => {
    expect(
      desiredClaimOwners(claim([other, setRef, podRef]), set(whenDeleted, whenScaled), pod, scaledDown),
    ).toEqual(want);
  });

  it('only removes its references when another controller owns the claim', () => {
    const foreign: OwnerReference = {
      apiVersion: 'x/v1',
      kind: 'Thing',
      name: 't',
      uid: 't-uid',
      controller: true,
    };
    expect(desiredClaimOwners(claim([foreign, setRef]), set('Delete'), pod, false)).toEqual([foreign]);
  });

  it('a claim owned by an earlier pod of the same name is stale (whenScaled Delete only)', () => {
    const old = claim([{ ...podRef, uid: 'earlier-pod' }]);
    const fresh: Pod = { ...pod, metadata: { name: 'web-2' } };
    expect(claimIsStale(old, set('Retain', 'Delete'), fresh)).toBe(true);
    expect(claimIsStale(old, set('Retain', 'Retain'), fresh)).toBe(false);
    expect(claimIsStale(claim([podRef]), set('Retain', 'Delete'), pod)).toBe(false);
  });
});
