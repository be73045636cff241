import { describe, expect, it } from 'vitest';
import type { Lease } from '../types.js';
import { leaseDef } from './lease.js';

const lease = (spec?: Lease['spec']): Lease => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'node-1', namespace: 'kube-node-lease', creationTimestamp: '2026-11-30T04:00:00Z' },
  spec,
});

describe('leases', () => {
  it('validates durations, transitions and times', () => {
    expect(
      leaseDef.validate!(
        lease({
          holderIdentity: 'node-1',
          leaseDurationSeconds: 40,
          renewTime: '2026-11-30T04:59:59.123456Z',
        }),
      ),
    ).toEqual([]);
    expect(leaseDef.validate!(lease({ leaseDurationSeconds: 0 })).map((e) => e.message)).toEqual([
      'Invalid value: 0: must be greater than 0',
    ]);
    expect(
      leaseDef.validate!(lease({ leaseTransitions: -1, renewTime: 'yesterday' })).map((e) => e.field),
    ).toEqual(['spec.leaseTransitions', 'spec.renewTime']);
  });
  it('prints Name, Holder, Age', () => {
    const now = Date.parse('2026-11-30T05:00:00Z');
    expect(leaseDef.row(lease({ holderIdentity: 'node-1' }), { now })).toEqual(['node-1', 'node-1', '60m']);
    const empty = lease();
    leaseDef.defaults!(empty);
    expect(leaseDef.row(empty, { now })).toEqual(['node-1', '', '60m']);
  });
  it('lives in coordination.k8s.io/v1', () => {
    expect(leaseDef).toMatchObject({
      group: 'coordination.k8s.io',
      version: 'v1',
      resource: 'leases',
      kind: 'Lease',
      namespaced: true,
    });
  });
});
