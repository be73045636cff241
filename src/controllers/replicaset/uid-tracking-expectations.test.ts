import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { UidTrackingExpectations } from './uid-tracking-expectations.js';

describe('UidTrackingExpectations', () => {
  it('counts each expected pod once, however often its deletion is seen', () => {
    const e = new UidTrackingExpectations({ clock: new FakeClock() });
    e.expectDeletionsOf('default/rs', ['default/a', 'default/b']);
    e.podDeletionObserved('default/rs', 'default/a'); // deletionTimestamp set
    e.podDeletionObserved('default/rs', 'default/a'); // then really gone
    expect(e.satisfied('default/rs')).toBe(false);
    e.podDeletionObserved('default/rs', 'default/other'); // not ours to count
    expect(e.satisfied('default/rs')).toBe(false);
    e.podDeletionObserved('default/rs', 'default/b');
    expect(e.satisfied('default/rs')).toBe(true);
  });

  it('forgets everything about a deleted controller', () => {
    const e = new UidTrackingExpectations({ clock: new FakeClock() });
    e.expectDeletionsOf('default/rs', ['default/a']);
    e.deleteExpectations('default/rs');
    expect(e.satisfied('default/rs')).toBe(true);
    e.podDeletionObserved('default/rs', 'default/a');
    expect(e.get('default/rs')).toBeUndefined();
  });
});
