import { describe, expect, it } from 'vitest';
import { TriggerTimeTracker } from './trigger-time.js';
import { T0, pod, service } from './test-fixtures.js';

const s = (seconds: number) => T0 + seconds * 1000;

describe('TriggerTimeTracker', () => {
  it("reports the service's creation time on its first sync", () => {
    const t = new TriggerTimeTracker();
    expect(t.compute('default/web', service('web'), [pod('a', { readySince: 5 })])).toBe(s(0));
  });

  it('reports nothing when nothing changed since the last sync', () => {
    const t = new TriggerTimeTracker();
    const pods = [pod('a', { readySince: 5 })];
    t.compute('default/web', service('web'), pods);
    expect(t.compute('default/web', service('web'), pods)).toBeUndefined();
  });

  it('reports the earliest trigger time among the pods that changed or appeared', () => {
    const t = new TriggerTimeTracker();
    t.compute('default/web', service('web'), [pod('a', { readySince: 5 }), pod('b', { readySince: 6 })]);
    const next = [
      pod('a', { readySince: 5 }), // unchanged
      pod('b', { readySince: 20 }), // readiness flipped at 20 s
      pod('c', { readySince: 12 }), // new
    ];
    expect(t.compute('default/web', service('web'), next)).toBe(s(12));
  });

  it('starts over for a recreated service', () => {
    const t = new TriggerTimeTracker();
    t.compute('default/web', service('web'), []);
    t.delete('default/web');
    expect(t.compute('default/web', service('web'), [])).toBe(s(0));
  });
});
