import { describe, expect, it } from 'vitest';
import {
  initialProbeState,
  mayProbe,
  nextAttemptAt,
  observeAttempt,
  probeTimings,
  type AttemptOutcome,
  type ProbeResult,
  type ProbeState,
  type ProbeType,
} from './probe-runner.js';

/** Feeds outcomes ('S'/'F') through the machine; returns the result after each and where it flipped. */
function run(type: ProbeType, outcomes: string, success: number, failure: number) {
  let state: ProbeState = initialProbeState(type);
  const results: ProbeResult[] = [];
  const flips: number[] = [];
  [...outcomes].forEach((ch, i) => {
    if (state.held) return;
    const outcome: AttemptOutcome = ch === 'S' ? 'success' : 'failure';
    const next = observeAttempt(type, state, outcome, {
      successThreshold: success,
      failureThreshold: failure,
    });
    state = next.state;
    results.push(state.result);
    if (next.flipped) flips.push(i + 1);
  });
  return { results: results.map((r) => r[0]).join(''), flips, held: state.held };
}

describe('probeTimings', () => {
  it('applies the Kubernetes defaults when the API left fields out', () => {
    expect(probeTimings({}, 'readiness')).toEqual({
      initialDelayMs: 0,
      periodMs: 10_000,
      timeoutMs: 1_000,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });

  it('takes the given values and forces successThreshold 1 for liveness and startup', () => {
    const p = {
      initialDelaySeconds: 5,
      periodSeconds: 2,
      timeoutSeconds: 3,
      successThreshold: 4,
      failureThreshold: 6,
    };
    expect(probeTimings(p, 'readiness')).toEqual({
      initialDelayMs: 5000,
      periodMs: 2000,
      timeoutMs: 3000,
      successThreshold: 4,
      failureThreshold: 6,
    });
    expect(probeTimings(p, 'liveness').successThreshold).toBe(1);
    expect(probeTimings(p, 'startup').successThreshold).toBe(1);
  });

  it('treats nonsense (0, negative, NaN) as the default', () => {
    const t = probeTimings(
      { initialDelaySeconds: -3, periodSeconds: 0, timeoutSeconds: NaN, failureThreshold: 0 },
      'liveness',
    );
    expect(t).toMatchObject({ initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1000, failureThreshold: 3 });
  });
});

describe('initialProbeState', () => {
  it.each([
    ['readiness', 'failure'],
    ['liveness', 'success'],
    ['startup', 'unknown'],
  ] as const)('%s starts as %s', (type, result) => {
    expect(initialProbeState(type)).toEqual({ result, run: 0, held: false });
  });
});

describe('observeAttempt (results after each attempt: s=success f=failure u=unknown)', () => {
  it.each([
    // type, outcomes, successThreshold, failureThreshold, results, flips, held
    ['readiness', 'S', 1, 3, 's', [1], false],
    ['readiness', 'FFF', 1, 3, 'fff', [], false],
    ['readiness', 'SFFSFFF', 1, 3, 'ssssssf', [1, 7], false],
    ['readiness', 'SSFFFS', 1, 3, 'ssssfs', [1, 5, 6], false],
    ['readiness', 'SSS', 3, 3, 'ffs', [3], false],
    ['readiness', 'SSFSSS', 3, 1, 'fffffs', [6], false],
    ['readiness', 'SFFFSSS', 2, 3, 'fffffss', [6], false],
    ['liveness', 'SSFFSFFF', 1, 3, 'sssssssf', [8], true],
    ['liveness', 'F', 1, 1, 'f', [1], true],
    ['startup', 'FFS', 1, 3, 'uus', [3], false],
    ['startup', 'FFFS', 1, 3, 'uuf', [3], true],
  ] as const)('%s %s (success %d, failure %d) → %s', (type, outcomes, s, f, results, flips, held) => {
    const r = run(type, outcomes, s, f);
    expect(r.results).toBe(results);
    expect(r.flips).toEqual(flips);
    expect(r.held).toBe(held);
  });
});

describe('mayProbe', () => {
  const fresh = (type: ProbeType) => initialProbeState(type);
  it.each([
    ['startup', 'fresh', false, true],
    ['startup', 'succeeded', true, false],
    ['liveness', 'fresh', false, false],
    ['liveness', 'fresh', true, true],
    ['readiness', 'fresh', false, false],
    ['readiness', 'fresh', true, true],
    ['liveness', 'held', true, false],
  ] as const)('%s (%s, started %s) → %s', (type, which, started, expected) => {
    const state =
      which === 'succeeded'
        ? { ...fresh(type), result: 'success' as const }
        : which === 'held'
          ? { ...fresh(type), held: true }
          : fresh(type);
    expect(mayProbe(type, state, started)).toBe(expected);
  });
});

describe('nextAttemptAt', () => {
  const t = probeTimings({ initialDelaySeconds: 5, periodSeconds: 3 }, 'readiness');
  it.each([
    ['first attempt: the initial delay after the container started', 1000, undefined, 2000, 6000],
    ['first attempt of a container adopted long after it started: now', 1000, undefined, 60_000, 60_000],
    ['later attempts: a period after the previous one began', 1000, 6000, 6500, 9000],
    ['an attempt that overran its period: now', 1000, 6000, 9500, 9500],
  ] as const)('%s', (_what, startedAt, last, now, expected) => {
    expect(nextAttemptAt(t, startedAt, last, now)).toBe(expected);
  });

  it('without an initial delay, the first attempt is when the container started', () => {
    expect(nextAttemptAt(probeTimings({}, 'liveness'), 1000, undefined, 1000)).toBe(1000);
  });
});
