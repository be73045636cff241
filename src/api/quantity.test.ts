import { describe, expect, it } from 'vitest';
import { cpuMillis, formatQuantity, isValidQuantity, parseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['100m', 0.1],
    ['0.5', 0.5],
    ['1', 1],
    ['.5', 0.5],
    ['2.', 2],
    ['+3', 3],
    ['-1', -1],
    ['128Mi', 128 * 1024 * 1024],
    ['2Ki', 2048],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['1k', 1000],
    ['1M', 1e6],
    ['1T', 1e12],
    ['1E', 1e18],
    ['1e3', 1000],
    ['1E3', 1000],
    ['5e-1', 0.5],
    ['250u', 0.00025],
    ['10n', 1e-8],
    [1.5, 1.5],
  ])('%s → %d', (q, want) => {
    expect(parseQuantity(q)).toBeCloseTo(want, 12);
  });

  it.each(['', 'abc', '1KiB', '1 Mi', 'Mi', '1.2.3', '1e', '--1', '1mi', '0x10'])(
    '%j is invalid → NaN',
    (q) => {
      expect(parseQuantity(q)).toBeNaN();
      expect(isValidQuantity(q)).toBe(false);
    },
  );

  it('accepts only strings and finite numbers', () => {
    expect(isValidQuantity('1Gi')).toBe(true);
    expect(isValidQuantity(2)).toBe(true);
    expect(isValidQuantity(Infinity)).toBe(false);
    expect(isValidQuantity(null)).toBe(false);
    expect(isValidQuantity({})).toBe(false);
  });
});

describe('cpuMillis', () => {
  it.each([
    ['100m', 100],
    ['0.1', 100],
    ['0.5', 500],
    ['1', 1000],
    ['2', 2000],
    ['1.0001', 1001], // rounded up like Quantity.MilliValue
    ['250u', 1],
  ])('%s → %d', (q, want) => {
    expect(cpuMillis(q)).toBe(want);
  });
  it('is NaN for invalid input', () => {
    expect(cpuMillis('fast')).toBeNaN();
  });
});

describe('formatQuantity', () => {
  it.each([
    [0, 'DecimalSI', '0'],
    [0.1, 'DecimalSI', '100m'],
    [1.5, 'DecimalSI', '1500m'],
    [2, 'DecimalSI', '2'],
    [2000, 'DecimalSI', '2k'],
    [1500, 'DecimalSI', '1500'],
    [4e9, 'DecimalSI', '4G'],
    [134217728, 'BinarySI', '128Mi'],
    [8036428 * 1024, 'BinarySI', '8036428Ki'],
    [1000, 'BinarySI', '1000'],
    [0.00025, 'DecimalSI', '250u'],
  ] as const)('%d %s → %s', (v, format, want) => {
    expect(formatQuantity(v, format)).toBe(want);
  });
  it('round-trips through parseQuantity', () => {
    for (const v of [0.25, 3, 1024, 5 * 2 ** 30, 7e6]) {
      expect(parseQuantity(formatQuantity(v, 'BinarySI'))).toBeCloseTo(v, 9);
      expect(parseQuantity(formatQuantity(v))).toBeCloseTo(v, 9);
    }
  });
});
