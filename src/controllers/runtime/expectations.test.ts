import { describe, expect, it } from 'vitest';
import { ControllerExpectations, EXPECTATIONS_TTL_MS } from './expectations.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';

describe('ControllerExpectations', () => {
  it('is satisfied with no record, unsatisfied while creates are pending, satisfied once all are observed', () => {
    const e = new ControllerExpectations({ clock: new FakeClock() });
    expect(e.satisfied('ns/rs')).toBe(true);
    e.expectCreations('ns/rs', 2);
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('tracks deletions the same way, and raise adds to what is pending', () => {
    const e = new ControllerExpectations({ clock: new FakeClock() });
    e.expectDeletions('k', 1);
    e.raiseExpectations('k', 1, 1);
    expect(e.get('k')).toMatchObject({ add: 1, del: 2 });
    e.deletionObserved('k');
    e.deletionObserved('k');
    expect(e.satisfied('k')).toBe(false);
    e.creationObserved('k');
    expect(e.satisfied('k')).toBe(true);
  });

  it('expires after the TTL (5 minutes) so a lost event cannot wedge the controller', async () => {
    const clock = new FakeClock();
    const e = new ControllerExpectations({ clock });
    e.expectCreations('k', 3);
    await clock.advance(EXPECTATIONS_TTL_MS);
    expect(e.satisfied('k')).toBe(false);
    await clock.advance(1);
    expect(e.satisfied('k')).toBe(true);
  });

  it('observations for unknown keys are ignored; deleteExpectations forgets a key', () => {
    const e = new ControllerExpectations({ clock: new FakeClock() });
    e.creationObserved('nope');
    expect(e.get('nope')).toBeUndefined();
    e.expectCreations('k', 1);
    e.deleteExpectations('k');
    expect(e.satisfied('k')).toBe(true);
    expect(EXPECTATIONS_TTL_MS).toBe(300_000);
  });
});
