import { describe, expect, it } from 'vitest';
import {
  formatAge,
  formatEventSource,
  formatLabels,
  layoutContainerCells,
  translateTimestampSince,
} from './format.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('formatAge (duration.HumanDuration)', () => {
  // The cases of apimachinery's duration_test.go (TestHumanDuration and TestHumanDurationBoundaries).
  it.each([
    [s, '1s'],
    [70 * s, '70s'],
    [190 * s, '3m10s'],
    [70 * m, '70m'],
    [47 * h, '47h'],
    [49 * h, '2d1h'],
    [(8 * 24 + 2) * h, '8d'],
    [367 * d, '367d'],
    [2 * y + 25 * h, '2y1d'],
    [8 * y + 2 * h, '8y'],
    [-2 * s, '<invalid>'],
    [-1999, '0s'],
    [0, '0s'],
    [s - 1, '0s'],
    [2 * m - 1, '119s'],
    [2 * m, '2m'],
    [2 * m + s, '2m1s'],
    [10 * m - 1, '9m59s'],
    [10 * m, '10m'],
    [10 * m + s, '10m'],
    [3 * h - 1, '179m'],
    [3 * h, '3h'],
    [3 * h + m, '3h1m'],
    [8 * h - 1, '7h59m'],
    [8 * h, '8h'],
    [8 * h + 59 * m, '8h'],
    [2 * d - 1, '47h'],
    [2 * d, '2d'],
    [2 * d + h, '2d1h'],
    [8 * d - 1, '7d23h'],
    [8 * d, '8d'],
    [8 * d + 23 * h, '8d'],
    [2 * y - 1, '729d'],
    [2 * y, '2y'],
    [2 * y + 23 * h + 59 * m, '2y'],
    [2 * y + d, '2y1d'],
    [3 * y, '3y'],
    [8 * y - 1, '7y364d'],
    [8 * y, '8y'],
    [8 * y + 364 * d, '8y'],
    [9 * y, '9y'],
  ])('%d ms → %s', (ms, want) => {
    expect(formatAge(ms)).toBe(want);
  });
});

describe('translateTimestampSince', () => {
  const now = Date.parse('2026-11-30T05:00:00Z');
  it.each([
    ['2026-11-30T04:59:55Z', '5s'],
    ['2026-11-30T04:56:40Z', '3m20s'],
    ['2026-11-28T05:00:00Z', '2d'],
    [undefined, '<unknown>'],
    ['', '<unknown>'],
    ['not a time', '<unknown>'],
  ])('%s → %s', (ts, want) => {
    expect(translateTimestampSince(ts, now)).toBe(want);
  });
});

describe('small printers', () => {
  it('formats labels sorted, <none> when empty', () => {
    expect(formatLabels({ tier: 'fe', app: 'web' })).toBe('app=web,tier=fe');
    expect(formatLabels({})).toBe('<none>');
    expect(formatLabels(undefined)).toBe('<none>');
  });
  it('lays out container names and images', () => {
    expect(
      layoutContainerCells([
        { name: 'a', image: 'nginx' },
        { name: 'b', image: 'busybox:1' },
      ]),
    ).toEqual({
      names: 'a,b',
      images: 'nginx,busybox:1',
    });
    expect(layoutContainerCells(undefined)).toEqual({ names: '', images: '' });
  });
  it('formats an event source', () => {
    expect(formatEventSource('kubelet', 'node-1')).toBe('kubelet, node-1');
    expect(formatEventSource('default-scheduler', '')).toBe('default-scheduler');
  });
});
