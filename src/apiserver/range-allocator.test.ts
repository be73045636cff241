import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RangeAllocator } from './range-allocator.js';

/** A "random" source that always answers `at` (clamped into range). */
const fixed =
  (at: number) =>
  (n: number): number =>
    Math.min(at, n - 1);

describe('RangeAllocator', () => {
  it('takes, reports and frees single slots', () => {
    const r = new RangeAllocator(10);
    expect(r.allocate(3)).toBe(true);
    expect(r.allocate(3)).toBe(false);
    expect(r.has(3)).toBe(true);
    expect(r.used).toBe(1);
    expect(r.release(3)).toBe(true);
    expect(r.release(3)).toBe(false);
    expect(r.has(3)).toBe(false);
    expect(r.used).toBe(0);
  });

  it.each([-1, 10, 2.5, Number.NaN])('refuses slot %s outside the range', (slot) => {
    const r = new RangeAllocator(10);
    expect(r.allocate(slot)).toBe(false);
    expect(r.has(slot)).toBe(false);
    expect(r.release(slot)).toBe(false);
  });

  it('hands out upper slots first, scanning on from a random start, and keeps the low band for requests', () => {
    const r = new RangeAllocator(10, { reservedLow: 4, random: fixed(4) });
    // Upper band is slots 4..9 (6 of them); a start of 4 means slot 8, then 9, then wrap to 4.
    expect([r.allocateNext(), r.allocateNext(), r.allocateNext()]).toEqual([8, 9, 4]);
    expect([r.allocateNext(), r.allocateNext(), r.allocateNext()]).toEqual([5, 6, 7]);
    // Upper band full: the low band is used only now.
    expect(r.allocateNext()).toBe(3);
    expect(r.used).toBe(7);
  });

  it('returns undefined once full and allocates again after a release', () => {
    const r = new RangeAllocator(3, { reservedLow: 1 });
    const got = [r.allocateNext(), r.allocateNext(), r.allocateNext()];
    expect(got.sort()).toEqual([0, 1, 2]);
    expect(r.allocateNext()).toBeUndefined();
    r.release(1);
    expect(r.allocateNext()).toBe(1);
  });

  it('works across 32-bit word boundaries', () => {
    const r = new RangeAllocator(100);
    for (const slot of [0, 31, 32, 63, 64, 99]) expect(r.allocate(slot)).toBe(true);
    expect([0, 31, 32, 63, 64, 99].every((s) => r.has(s))).toBe(true);
    expect([1, 30, 33, 62, 65, 98].some((s) => r.has(s))).toBe(false);
  });

  it('never hands out a slot twice and counts exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 79 })), { maxLength: 200 }),
        (size, reservedLow, ops) => {
          const r = new RangeAllocator(size, { reservedLow });
          const held = new Set<number>();
          for (const op of ops) {
            if (op === -1) {
              const slot = r.allocateNext();
              if (held.size === size) expect(slot).toBeUndefined();
              else {
                expect(slot).toBeDefined();
                expect(held.has(slot!)).toBe(false);
                held.add(slot!);
              }
            } else if (held.has(op)) {
              expect(r.release(op)).toBe(true);
              held.delete(op);
            } else {
              expect(r.allocate(op)).toBe(op < size);
              if (op < size) held.add(op);
            }
            expect(r.used).toBe(held.size);
          }
        },
      ),
    );
  });
});
