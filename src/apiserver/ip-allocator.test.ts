import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SERVICE_CIDR,
  kubernetesServiceIP,
  parseServiceCIDR,
  ServiceIPAllocator,
  staticBandSize,
} from './ip-allocator.js';

describe('parseServiceCIDR', () => {
  it('finds the usable addresses: no network, no broadcast', () => {
    expect(parseServiceCIDR('10.96.0.0/12')).toEqual({
      cidr: '10.96.0.0/12',
      first: (10 << 24) + (96 << 16) + 1,
      size: 2 ** 20 - 2,
    });
    expect(parseServiceCIDR('192.168.7.0/30').size).toBe(2);
  });
  it('masks host bits off, as kube-apiserver does', () => {
    expect(parseServiceCIDR('10.96.3.4/16').cidr).toBe('10.96.0.0/16');
  });
  it.each([
    ['10.96.0.0', /IPv4 range like 10.96.0.0\/12/],
    ['10.96.0.0/33', /IPv4 range/],
    ['fd00::/112', /IPv4 range/],
    ['garbage', /IPv4 range/],
    ['10.0.0.0/8', /too large; the mask must be \/12 or longer/],
    ['10.96.0.0/31', /too small/],
  ])('refuses %s', (cidr, message) => {
    expect(() => parseServiceCIDR(cidr)).toThrow(message);
  });
});

describe('kubernetesServiceIP', () => {
  it('is the first usable address of the range', () => {
    expect(kubernetesServiceIP()).toBe('10.96.0.1');
    expect(kubernetesServiceIP(DEFAULT_SERVICE_CIDR)).toBe('10.96.0.1');
    expect(kubernetesServiceIP('172.20.0.0/16')).toBe('172.20.0.1');
  });
});

describe('staticBandSize (calculateRangeOffset)', () => {
  it.each([
    [8, 0],
    [16, 0],
    [32, 16],
    [256, 16],
    [1024, 64],
    [65536, 256],
    [2 ** 20, 256],
  ])('a range of %i addresses keeps %i for static requests', (size, band) => {
    expect(staticBandSize(size)).toBe(band);
  });
});

describe('ServiceIPAllocator', () => {
  it('takes a requested address once, with Kubernetes messages for the rest', () => {
    const a = new ServiceIPAllocator();
    expect(a.allocate('10.96.0.10')).toBeUndefined();
    expect(a.has('10.96.0.10')).toBe(true);
    expect(a.allocate('10.96.0.10')).toBe('provided IP is already allocated');
    expect(a.allocate('1.2.3.4')).toBe(
      'the provided IP (1.2.3.4) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
  });

  it.each(['10.96.0.0', '10.111.255.255', '10.112.0.0', '10.95.255.255', '10.96.0.010', 'fd00::1', ''])(
    'never hands out %s',
    (ip) => {
      const a = new ServiceIPAllocator();
      expect(a.contains(ip)).toBe(false);
      expect(a.allocate(ip)).toMatch(/not in the valid range/);
    },
  );

  it('accepts the first and last usable addresses', () => {
    const a = new ServiceIPAllocator();
    expect(a.allocate('10.96.0.1')).toBeUndefined();
    expect(a.allocate('10.111.255.254')).toBeUndefined();
  });

  it('hands out random addresses above the static band (10.96.0.1-10.96.1.0)', () => {
    const a = new ServiceIPAllocator();
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const ip = a.allocateNext()!;
      expect(a.contains(ip)).toBe(true);
      const d = Number(ip.split('.')[3]);
      expect(ip.startsWith('10.96.0.') || (ip.startsWith('10.96.1.') && d === 0)).toBe(false);
      seen.add(ip);
    }
    expect(seen.size).toBe(300);
    expect(a.used).toBe(300);
  });

  it('fills a small range completely, then reports it full; a release makes room again', () => {
    const a = new ServiceIPAllocator('10.0.0.0/28');
    expect(a.size).toBe(14);
    const got = Array.from({ length: 14 }, () => a.allocateNext());
    expect(new Set(got).size).toBe(14);
    expect(got).not.toContain('10.0.0.0');
    expect(got).not.toContain('10.0.0.15');
    expect(a.allocateNext()).toBeUndefined();
    expect(a.release('10.0.0.7')).toBe(true);
    expect(a.release('10.0.0.7')).toBe(false);
    expect(a.allocateNext()).toBe('10.0.0.7');
  });

  it('uses the low band for dynamic addresses only when the rest is full', () => {
    const a = new ServiceIPAllocator('10.0.0.0/27'); // 30 usable, low band 16
    const got = Array.from({ length: 14 }, () => a.allocateNext()!);
    const last = (ip: string) => Number(ip.split('.')[3]);
    expect(got.every((ip) => last(ip) > 16)).toBe(true);
    expect(last(a.allocateNext()!)).toBeLessThanOrEqual(16);
  });
});
