// One probe worker (pkg/kubelet/prober/worker.go): one per (pod, container instance, probe type). It probes
// `initialDelay` after the container started and then every period, each attempt bounded by the timeout (on the
// Clock), counts attempts through the pure state machine of probe-runner.ts, records the kubelet's Unhealthy /
// ProbeWarning events, and tells its host when the result flips. A worker belongs to one container instance: a
// restarted container gets a new worker (and so fresh results), and stop() leaves no timer behind.
import type { Container, Pod } from '../../../src/api/types.js';
import type { Clock, TimerHandle } from '../../../src/common/clock.js';
import type { Logger } from '../../../src/common/logger.js';
import type { EventSink } from '../event-sink.js';
import {
  initialProbeState,
  mayProbe,
  nextAttemptAt,
  observeAttempt,
  probeOf,
  probeTitle,
  type ProbeResult,
  type ProbeState,
  type ProbeTimings,
  type ProbeType,
} from './probe-runner.js';
import { probeRequest, timeoutAttempt, type ProbeAttempt, type Prober, type ProbeRequest } from './prober.js';

/** Attempts that errored (could not run at all) are retried at once up to this many times (maxProbeRetries). */
const MAX_TRIES = 3;

export interface ProbeWorkerHost {
  clock: Clock;
  prober: Prober;
  events: EventSink;
  log: Logger;
  /** The pod and the container's spec as of the latest sync, and the pod's IP. */
  target(): { pod: Pod; container: Container; podIP?: string } | undefined;
  /** Whether the container has started (no startup probe, or it succeeded): gates liveness and readiness. */
  started(): boolean;
  /** The worker's result changed. */
  changed(worker: ProbeWorker): void;
}

export interface ProbeWorkerConfig {
  type: ProbeType;
  containerName: string;
  containerId: string;
  /** When the container started (epoch ms): the initial delay counts from here. */
  containerStartedAt: number;
  timings: ProbeTimings;
}

export class ProbeWorker {
  readonly type: ProbeType;
  readonly containerName: string;
  readonly containerId: string;
  private state: ProbeState;
  private timer?: TimerHandle;
  private inFlight?: AbortController;
  private busy = false;
  private lastAttemptAt?: number;
  private stopped = false;

  constructor(
    private readonly config: ProbeWorkerConfig,
    private readonly host: ProbeWorkerHost,
  ) {
    this.type = config.type;
    this.containerName = config.containerName;
    this.containerId = config.containerId;
    this.state = initialProbeState(config.type);
  }

  get result(): ProbeResult {
    return this.state.result;
  }

  /** Whether a timer or an attempt is pending (tests check that stopped workers leave nothing behind). */
  get active(): boolean {
    return this.timer !== undefined || this.busy;
  }

  start(): void {
    this.schedule();
  }

  /** The startup gate may have opened: probe as soon as the attempt is due. */
  kick(): void {
    if (!this.timer && !this.busy) this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight?.abort();
  }

  private schedule(): void {
    const { clock } = this.host;
    clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || !mayProbe(this.type, this.state, this.host.started())) return;
    const now = clock.now();
    const at = nextAttemptAt(this.config.timings, this.config.containerStartedAt, this.lastAttemptAt, now);
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, at - now);
  }

  private async tick(): Promise<void> {
    if (this.stopped || !mayProbe(this.type, this.state, this.host.started())) return;
    const target = this.host.target();
    const probe = target && probeOf(target.container, this.type);
    if (!target || !probe) return;
    this.busy = true;
    this.lastAttemptAt = this.host.clock.now();
    let attempt: ProbeAttempt;
    try {
      attempt = await this.attempt(() =>
        probeRequest(probe, target.container, this.containerId, target.podIP),
      );
    } finally {
      this.busy = false;
    }
    if (this.stopped) return;
    this.report(target.pod, attempt);
    if (attempt.result !== 'error') {
      const outcome = attempt.result === 'failure' ? 'failure' : 'success';
      const { state, flipped } = observeAttempt(this.type, this.state, outcome, this.config.timings);
      this.state = state;
      if (flipped) {
        this.host.log.info(
          { container: this.containerName, probe: this.type, result: state.result },
          'probe result changed',
        );
        this.host.changed(this);
      }
    }
    this.schedule();
  }

  /** One counted attempt: the request, run with the timeout, retried while it errors. */
  private async attempt(request: () => ProbeRequest): Promise<ProbeAttempt> {
    let req: ProbeRequest;
    try {
      req = request();
    } catch (err) {
      return { result: 'error', output: (err as Error).message };
    }
    let last: ProbeAttempt = { result: 'error', output: '' };
    for (let i = 0; i < MAX_TRIES && !this.stopped; i++) {
      last = await this.runOnce(req);
      if (last.result !== 'error') break;
    }
    return last;
  }

  private runOnce(req: ProbeRequest): Promise<ProbeAttempt> {
    const { clock, prober } = this.host;
    const ac = new AbortController();
    this.inFlight = ac;
    return new Promise<ProbeAttempt>((resolve) => {
      const timer = clock.setTimeout(() => {
        ac.abort();
        resolve(timeoutAttempt(req));
      }, this.config.timings.timeoutMs);
      prober
        .run(req, ac.signal)
        .catch((err: unknown): ProbeAttempt => ({ result: 'error', output: (err as Error).message }))
        .then((a) => {
          clock.clearTimeout(timer);
          resolve(a);
        });
    }).finally(() => {
      if (this.inFlight === ac) this.inFlight = undefined;
    });
  }

  /** The kubelet's events for attempts that did not simply succeed (aggregated by the event recorder). */
  private report(pod: Pod, a: ProbeAttempt): void {
    const title = probeTitle(this.type);
    const { events, log } = this.host;
    if (a.result === 'failure')
      events.record(pod, 'Warning', 'Unhealthy', `${title} probe failed: ${a.output}`);
    else if (a.result === 'error')
      events.record(pod, 'Warning', 'Unhealthy', `${title} probe errored: ${a.output}`);
    else if (a.result === 'warning')
      events.record(pod, 'Warning', 'ProbeWarning', `${title} probe warning: ${a.output}`);
    if (a.result !== 'success') {
      log.debug(
        { container: this.containerName, probe: this.type, result: a.result, output: a.output },
        'probe did not succeed',
      );
    }
  }
}
