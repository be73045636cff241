import { describe, expect, it } from 'vitest';
import { formatPortRange, NodePortAllocator, parsePortRange, staticPortBandSize } from './port-allocator.js';

describe('parsePortRange', () => {
  it.each([
    ['30000-32767', { base: 30000, size: 2768 }],
    [' 30000-32767 ', { base: 30000, size: 2768 }],
    ['30000+2767', { base: 30000, size: 2768 }],
    ['30000', { base: 30000, size: 1 }],
    ['1-65535', { base: 1, size: 65535 }],
  ])('%s', (text, want) => {
    expect(parsePortRange(text)).toEqual(want);
    expect(formatPortRange(want)).toBe(formatPortRange(parsePortRange(text)));
  });
  it.each([
    ['', /must look like/],
    ['a-b', /must look like/],
    ['30000-', /must look like/],
    ['0-10', /within 1-65535/],
    ['65000-70000', /within 1-65535/],
    ['32767-30000', /end port cannot be less than start port: 32767-30000/],
  ])('refuses %j', (text, message) => {
    expect(() => parsePortRange(text)).toThrow(message);
  });
});

describe('staticPortBandSize', () => {
  it.each([
    [10, 0],
    [100, 16],
    [2768, 86],
    [65535, 128],
  ])('%i ports keep %i for static requests', (size, band) => {
    expect(staticPortBandSize(size)).toBe(band);
  });
});

describe('NodePortAllocator', () => {
  it('takes requested ports once, with Kubernetes messages for the rest', () => {
    const a = new NodePortAllocator();
    expect(a.allocate(30080)).toBeUndefined();
    expect(a.has(30080)).toBe(true);
    expect(a.allocate(30080)).toBe('provided port is already allocated');
    expect(a.allocate(8080)).toBe(
      'provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    expect(a.allocate(32768)).toMatch(/not in the valid range/);
    expect(a.allocate(30000)).toBeUndefined();
    expect(a.allocate(32767)).toBeUndefined();
  });

  it('hands out random ports above the static band (30000-30085) without repeats', () => {
    const a = new NodePortAllocator();
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const port = a.allocateNext()!;
      expect(port).toBeGreaterThanOrEqual(30086);
      expect(port).toBeLessThanOrEqual(32767);
      seen.add(port);
    }
    expect(seen.size).toBe(500);
  });

  it('fills a custom range, reports it full, and reuses a released port', () => {
    const a = new NodePortAllocator('40000-40004');
    const got = Array.from({ length: 5 }, () => a.allocateNext());
    expect([...got].sort()).toEqual([40000, 40001, 40002, 40003, 40004]);
    expect(a.allocateNext()).toBeUndefined();
    expect(a.release(40002)).toBe(true);
    expect(a.release(40002)).toBe(false);
    expect(a.release(8080)).toBe(false);
    expect(a.allocateNext()).toBe(40002);
  });
});
