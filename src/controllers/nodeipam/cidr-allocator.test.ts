import { describe, expect, it } from 'vitest';
import { CidrAllocator } from './cidr-allocator.js';
import { cidrContains, firstHost, ipInCidr, normalizeCidr, parseIpv4Cidr } from './cidr.js';

describe('CidrAllocator', () => {
  it('hands out the lowest free /24, starting at the first subnet as Kubernetes does', () => {
    const a = new CidrAllocator();
    expect(a.clusterCIDR).toBe('10.244.0.0/16');
    expect(a.capacity).toBe(256);
    expect(['n0', 'n1', 'n2'].map((n) => a.allocate(n))).toEqual([
      '10.244.0.0/24',
      '10.244.1.0/24',
      '10.244.2.0/24',
    ]);
  });

  it('gives an owner the subnet it already holds (a retried assignment gets the same answer)', () => {
    const a = new CidrAllocator();
    expect(a.allocate('n1')).toBe('10.244.0.0/24');
    expect(a.allocate('n1')).toBe('10.244.0.0/24');
    expect(a.usedCount()).toBe(1);
  });

  it.each([
    {
      clusterCIDR: '10.244.0.0/16',
      nodeMaskSize: 24,
      want: ['10.244.0.0/24', '10.244.1.0/24'],
      capacity: 256,
    },
    { clusterCIDR: '10.0.0.0/8', nodeMaskSize: 24, want: ['10.0.0.0/24', '10.0.1.0/24'], capacity: 65536 },
    {
      clusterCIDR: '192.168.0.0/22',
      nodeMaskSize: 26,
      want: ['192.168.0.0/26', '192.168.0.64/26'],
      capacity: 16,
    },
    {
      clusterCIDR: '10.244.7.9/16',
      nodeMaskSize: 25,
      want: ['10.244.0.0/25', '10.244.0.128/25'],
      capacity: 512,
    },
    { clusterCIDR: '172.16.5.0/24', nodeMaskSize: 24, want: ['172.16.5.0/24', undefined], capacity: 1 },
  ])('cuts $clusterCIDR into /$nodeMaskSize', ({ clusterCIDR, nodeMaskSize, want, capacity }) => {
    const a = new CidrAllocator({ clusterCIDR, nodeMaskSize });
    expect(a.capacity).toBe(capacity);
    expect([a.allocate('a'), a.allocate('b')]).toEqual(want);
  });

  it('rebuilds from the nodes a restarted master finds and never hands out a duplicate', () => {
    const a = new CidrAllocator();
    for (const [node, cidr] of [
      ['n1', '10.244.0.0/24'],
      ['n2', '10.244.1.0/24'],
      ['n4', '10.244.3.0/24'],
    ]) {
      expect(a.occupy(node, cidr)).toEqual({ ok: true, cidr, sharedWith: [] });
    }
    expect(a.allocate('n5')).toBe('10.244.2.0/24');
    expect(a.allocate('n6')).toBe('10.244.4.0/24');
    expect(a.cidrOf('n4')).toBe('10.244.3.0/24');
  });

  it('releases on deletion and reuses the lowest freed subnet', () => {
    const a = new CidrAllocator();
    a.allocate('n0');
    a.allocate('n1');
    a.allocate('n2');
    expect(a.release('n1')).toBe('10.244.1.0/24');
    expect(a.release('n1')).toBeUndefined();
    expect(a.isFree('10.244.1.0/24')).toBe(true);
    expect(a.allocate('n3')).toBe('10.244.1.0/24');
    expect(a.allocate('n4')).toBe('10.244.3.0/24');
  });

  it('returns undefined once exhausted, and allocates again after a release', () => {
    const a = new CidrAllocator({ clusterCIDR: '10.244.0.0/23', nodeMaskSize: 24 });
    expect(a.allocate('a')).toBe('10.244.0.0/24');
    expect(a.allocate('b')).toBe('10.244.1.0/24');
    expect(a.allocate('c')).toBeUndefined();
    a.release('a');
    expect(a.allocate('c')).toBe('10.244.0.0/24');
  });

  it.each([
    { cidr: '10.245.0.0/24', reason: 'outside' },
    { cidr: '10.0.0.0/8', reason: 'outside' },
    { cidr: '192.168.1.0/24', reason: 'outside' },
    { cidr: 'banana', reason: 'invalid' },
    { cidr: '10.244.1.0', reason: 'invalid' },
    { cidr: '10.244.1.0/33', reason: 'invalid' },
    { cidr: 'fd00::/64', reason: 'invalid' },
  ])('ignores podCIDR $cidr ($reason) and marks nothing used', ({ cidr, reason }) => {
    const a = new CidrAllocator();
    expect(a.occupy('n1', cidr)).toMatchObject({ ok: false, reason });
    expect(a.usedCount()).toBe(0);
    expect(a.cidrOf('n1')).toBeUndefined();
    expect(a.allocate('n2')).toBe('10.244.0.0/24');
  });

  it('normalizes host bits and marks every subnet a larger or smaller podCIDR overlaps', () => {
    const a = new CidrAllocator();
    expect(a.occupy('big', '10.244.2.77/23')).toEqual({ ok: true, cidr: '10.244.2.0/23', sharedWith: [] });
    expect(a.occupy('small', '10.244.0.128/25')).toEqual({
      ok: true,
      cidr: '10.244.0.128/25',
      sharedWith: [],
    });
    expect(a.isFree('10.244.2.0/24') || a.isFree('10.244.3.0/24') || a.isFree('10.244.0.0/24')).toBe(false);
    expect([a.allocate('x'), a.allocate('y')]).toEqual(['10.244.1.0/24', '10.244.4.0/24']);
    a.release('big');
    expect(a.isFree('10.244.2.0/24') && a.isFree('10.244.3.0/24')).toBe(true);
  });

  it('tracks overlapping owners: freeing one keeps the subnet used by the other', () => {
    const a = new CidrAllocator();
    expect(a.occupy('n1', '10.244.5.0/24')).toMatchObject({ ok: true, sharedWith: [] });
    expect(a.occupy('n2', '10.244.5.0/24')).toMatchObject({ ok: true, sharedWith: ['n1'] });
    a.release('n1');
    expect(a.isFree('10.244.5.0/24')).toBe(false);
    a.release('n2');
    expect(a.isFree('10.244.5.0/24')).toBe(true);
  });

  it('an owner that occupies a new CIDR gives up its old one', () => {
    const a = new CidrAllocator();
    expect(a.allocate('n1')).toBe('10.244.0.0/24');
    a.occupy('n1', '10.244.9.0/24');
    expect(a.isFree('10.244.0.0/24')).toBe(true);
    expect(a.cidrOf('n1')).toBe('10.244.9.0/24');
    a.occupy('n1', 'nonsense');
    expect(a.isFree('10.244.9.0/24')).toBe(true);
  });

  it.each([
    { clusterCIDR: 'nope' },
    { clusterCIDR: '10.244.0.0' },
    { clusterCIDR: 'fd00::/48' },
    { clusterCIDR: '10.244.0.0/16', nodeMaskSize: 15 },
    { clusterCIDR: '10.244.0.0/16', nodeMaskSize: 31 },
    { clusterCIDR: '10.244.0.0/16', nodeMaskSize: 24.5 },
    { clusterCIDR: '10.0.0.0/8', nodeMaskSize: 25 },
  ])('rejects configuration $clusterCIDR with mask $nodeMaskSize', (opts) => {
    expect(() => new CidrAllocator(opts)).toThrow();
  });
});

describe('CIDR helpers', () => {
  it('parses, normalizes and compares IPv4 networks', () => {
    expect(normalizeCidr('10.244.1.9/24')).toBe('10.244.1.0/24');
    expect(normalizeCidr('0.0.0.0/0')).toBe('0.0.0.0/0');
    expect(normalizeCidr('255.255.255.255/32')).toBe('255.255.255.255/32');
    expect(normalizeCidr('010.1.1.1/8')).toBeUndefined();
    const cluster = parseIpv4Cidr('10.244.0.0/16')!;
    expect(cidrContains(cluster, parseIpv4Cidr('10.244.255.0/24')!)).toBe(true);
    expect(cidrContains(cluster, parseIpv4Cidr('10.245.0.0/24')!)).toBe(false);
    expect(cidrContains(cluster, parseIpv4Cidr('10.0.0.0/8')!)).toBe(false);
    expect(firstHost(parseIpv4Cidr('10.244.0.0/24')!)).toBe('10.244.0.1');
    expect(ipInCidr('10.244.3.4', cluster)).toBe(true);
    expect(ipInCidr('10.245.0.1', cluster)).toBe(false);
    expect(ipInCidr('10.244.1', cluster)).toBe(false);
  });
});
