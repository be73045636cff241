// The pure part of one probe worker (pkg/kubelet/prober/worker.go doProbe): the probe's timings with Kubernetes'
// defaults, when the next attempt is due, whether the worker may probe at all (startup gating), and the threshold
// state machine that turns single attempts into a result. No clock, no I/O: probe-worker.ts drives it.
import type { Container, Probe } from '../../../src/api/types.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';
export const PROBE_TYPES: readonly ProbeType[] = ['startup', 'liveness', 'readiness'];

/** The result a probe reports (results.Result): what readiness, liveness and startup decisions read. */
export type ProbeResult = 'success' | 'failure' | 'unknown';

/** One attempt as the worker counts it (a Warning, e.g. a redirect to another host, counts as a success). */
export type AttemptOutcome = 'success' | 'failure';

export interface ProbeTimings {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

export interface ProbeState {
  result: ProbeResult;
  /** The outcome of the latest attempt and how many attempts in a row had it (lastResult, resultRun). */
  last?: AttemptOutcome;
  run: number;
  /**
   * Liveness and startup stop probing once they failed (the container is about to be killed), until a new
   * container shows up (the kubelet's onHold; avoids exec-ing into a container that is being stopped).
   */
  held: boolean;
}

export function probeOf(c: Container, type: ProbeType): Probe | undefined {
  if (type === 'liveness') return c.livenessProbe;
  if (type === 'readiness') return c.readinessProbe;
  return c.startupProbe;
}

/** Title-case name used in events and messages: "Liveness probe failed: …". */
export function probeTitle(type: ProbeType): string {
  return type[0].toUpperCase() + type.slice(1);
}

const positive = (v: number | undefined, dflt: number) =>
  v !== undefined && Number.isFinite(v) && v >= 1 ? Math.floor(v) : dflt;

/**
 * Timings with Kubernetes' defaults (initialDelaySeconds 0, periodSeconds 10, timeoutSeconds 1, successThreshold 1,
 * failureThreshold 3), not trusting the API to have defaulted them. Liveness and startup always use a success
 * threshold of 1 (the API rejects anything else).
 */
export function probeTimings(probe: Probe, type: ProbeType): ProbeTimings {
  const delay = probe.initialDelaySeconds;
  return {
    initialDelayMs: delay !== undefined && Number.isFinite(delay) && delay > 0 ? Math.floor(delay) * 1000 : 0,
    periodMs: positive(probe.periodSeconds, 10) * 1000,
    timeoutMs: positive(probe.timeoutSeconds, 1) * 1000,
    successThreshold: type === 'readiness' ? positive(probe.successThreshold, 1) : 1,
    failureThreshold: positive(probe.failureThreshold, 3),
  };
}

/** A new container's result before any attempt: not ready, alive, not started (worker.go initialValue). */
export function initialProbeState(type: ProbeType): ProbeState {
  const result: ProbeResult = type === 'readiness' ? 'failure' : type === 'liveness' ? 'success' : 'unknown';
  return { result, run: 0, held: false };
}

/**
 * When the next attempt is due: `initialDelay` after the container started, then every period after the previous
 * attempt began (never in the past).
 */
export function nextAttemptAt(
  timings: ProbeTimings,
  containerStartedAt: number,
  lastAttemptAt: number | undefined,
  now: number,
): number {
  const due =
    lastAttemptAt === undefined
      ? containerStartedAt + timings.initialDelayMs
      : lastAttemptAt + timings.periodMs;
  return Math.max(now, due);
}

/**
 * Whether the worker probes at all right now: a startup probe until it succeeded, the others only once the
 * container has started (no startup probe, or it succeeded); nobody while held.
 */
export function mayProbe(type: ProbeType, state: ProbeState, started: boolean): boolean {
  if (state.held) return false;
  if (type === 'startup') return state.result !== 'success';
  return started;
}

/**
 * Counts one attempt: `successThreshold` successes or `failureThreshold` failures in a row set the result.
 * `flipped` says the result changed (what the kubelet reacts to).
 */
export function observeAttempt(
  type: ProbeType,
  state: ProbeState,
  outcome: AttemptOutcome,
  timings: Pick<ProbeTimings, 'successThreshold' | 'failureThreshold'>,
): { state: ProbeState; flipped: boolean } {
  const run = state.last === outcome ? state.run + 1 : 1;
  const threshold = outcome === 'success' ? timings.successThreshold : timings.failureThreshold;
  if (run < threshold) return { state: { ...state, last: outcome, run }, flipped: false };
  const result: ProbeResult = outcome;
  const flipped = result !== state.result;
  if (outcome === 'failure' && type !== 'readiness') {
    // The container will be killed: stop probing it and start counting afresh.
    return { state: { result, last: outcome, run: 0, held: true }, flipped };
  }
  return { state: { result, last: outcome, run, held: false }, flipped };
}
