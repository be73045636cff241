// The kubelet's probe manager (pkg/kubelet/prober/prober_manager.go + results/): workers keyed by pod uid,
// container and probe type, their results, and change notifications. Every pod sync calls sync() with what runs,
// which starts a worker for each probe of each running app container, replaces workers whose container was
// restarted (results belong to one container instance, so a new container starts over: not ready, not started)
// and stops workers whose container stopped. The kubelet reads the results through isStarted / isReady (the
// status) and failedProbe (the kill decision in computePodActions); when a result flips, onChange re-syncs the
// pod at once. Nothing survives the agent: a restarted agent probes afresh, as the kubelet does.
import type { Container, Pod } from '../../../src/api/types.js';
import type { Clock } from '../../../src/common/clock.js';
import { silentLogger, type Logger } from '../../../src/common/logger.js';
import type { RuntimeContainer } from '../../runtime/container-runtime.js';
import type { EventSink } from '../event-sink.js';
import { containersNamed, type ObservedPod } from '../labels.js';
import { PROBE_TYPES, probeOf, probeTimings, type ProbeType } from './probe-runner.js';
import { ProbeWorker, type ProbeWorkerHost } from './probe-worker.js';
import type { Prober } from './prober.js';

export interface ProbeManagerOptions {
  prober: Prober;
  clock: Clock;
  events: EventSink;
  logger?: Logger;
  /** A probe result of this pod changed: sync it now. */
  onChange: (podUid: string) => void;
}

interface PodProbes {
  pod: Pod;
  podIP?: string;
  /** By `<container>/<type>`. */
  workers: Map<string, ProbeWorker>;
}

const keyOf = (container: string, type: ProbeType) => `${container}/${type}`;

export class ProbeManager {
  private readonly pods = new Map<string, PodProbes>();
  private readonly log: Logger;
  private stopped = false;

  constructor(private readonly opts: ProbeManagerOptions) {
    this.log = (opts.logger ?? silentLogger).child({ component: 'agent:prober' });
  }

  /** Brings the pod's workers in line with its running containers (called by every pod sync). */
  sync(pod: Pod, observed: ObservedPod, podIP: string | undefined): void {
    const uid = pod.metadata.uid;
    if (!uid || this.stopped) return;
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed') {
      this.removePod(uid);
      return;
    }
    const entry = this.pods.get(uid) ?? { pod, workers: new Map<string, ProbeWorker>() };
    entry.pod = pod;
    entry.podIP = podIP;
    const wanted = new Set<string>();
    const fresh: ProbeWorker[] = [];
    // Init containers are not probed (only restartable sidecars are, which the kubelet here does not run).
    for (const c of pod.spec.containers) {
      const current = containersNamed(observed, c.name)[0];
      if (current?.state !== 'running') continue;
      for (const type of PROBE_TYPES) {
        const probe = probeOf(c, type);
        if (!probe) continue;
        const key = keyOf(c.name, type);
        wanted.add(key);
        const existing = entry.workers.get(key);
        if (existing?.containerId === current.id) continue;
        existing?.stop();
        const worker = new ProbeWorker(
          {
            type,
            containerName: c.name,
            containerId: current.id,
            containerStartedAt: current.startedAt ?? current.createdAt,
            timings: probeTimings(probe, type),
          },
          this.hostFor(uid, c.name, current.id),
        );
        entry.workers.set(key, worker);
        fresh.push(worker);
      }
    }
    for (const [key, w] of entry.workers) {
      if (wanted.has(key)) continue;
      w.stop();
      entry.workers.delete(key);
    }
    if (entry.workers.size === 0) {
      this.pods.delete(uid);
      return;
    }
    this.pods.set(uid, entry);
    // Started only once all of a container's workers exist, so the startup gate sees its startup worker.
    for (const w of fresh) w.start();
  }

  /** The pod is gone or being deleted: stop its workers and drop its results. */
  removePod(uid: string): void {
    const entry = this.pods.get(uid);
    if (!entry) return;
    for (const w of entry.workers.values()) w.stop();
    this.pods.delete(uid);
  }

  stop(): void {
    this.stopped = true;
    for (const uid of [...this.pods.keys()]) this.removePod(uid);
  }

  /** status.containerStatuses[].started: running, and its startup probe (if any) succeeded. */
  isStarted(pod: Pod, containerName: string, c: RuntimeContainer): boolean {
    if (c.state !== 'running') return false;
    const spec = this.specOf(pod, containerName);
    if (!spec?.startupProbe) return true;
    return this.resultOf(pod, containerName, 'startup', c.id) === 'success';
  }

  /** status.containerStatuses[].ready: started, and its readiness probe (if any) succeeded. */
  isReady(pod: Pod, containerName: string, c: RuntimeContainer): boolean {
    if (!this.isStarted(pod, containerName, c)) return false;
    const spec = this.specOf(pod, containerName);
    if (!spec?.readinessProbe) return true;
    return this.resultOf(pod, containerName, 'readiness', c.id) === 'success';
  }

  /** The probe this running container failed (it must be killed and restarted), if any. */
  failedProbe(pod: Pod, containerName: string, c: RuntimeContainer): 'liveness' | 'startup' | undefined {
    if (c.state !== 'running') return undefined;
    if (this.resultOf(pod, containerName, 'liveness', c.id) === 'failure') return 'liveness';
    if (this.resultOf(pod, containerName, 'startup', c.id) === 'failure') return 'startup';
    return undefined;
  }

  /** Workers that still hold a timer or an attempt (for leak checks in tests). */
  activeWorkers(): number {
    let n = 0;
    for (const entry of this.pods.values()) for (const w of entry.workers.values()) if (w.active) n++;
    return n;
  }

  private specOf(pod: Pod, containerName: string): Container | undefined {
    return pod.spec.containers.find((c) => c.name === containerName);
  }

  private worker(uid: string, containerName: string, type: ProbeType): ProbeWorker | undefined {
    return this.pods.get(uid)?.workers.get(keyOf(containerName, type));
  }

  /** A worker's result, only when it probes this very container instance. */
  private resultOf(pod: Pod, containerName: string, type: ProbeType, containerId: string) {
    const w = this.worker(pod.metadata.uid ?? '', containerName, type);
    return w?.containerId === containerId ? w.result : undefined;
  }

  private hostFor(uid: string, containerName: string, containerId: string): ProbeWorkerHost {
    const { clock, prober, events } = this.opts;
    return {
      clock,
      prober,
      events,
      log: this.log,
      target: () => {
        const entry = this.pods.get(uid);
        const container = entry && this.specOf(entry.pod, containerName);
        return entry && container ? { pod: entry.pod, container, podIP: entry.podIP } : undefined;
      },
      started: () => {
        const entry = this.pods.get(uid);
        const spec = entry && this.specOf(entry.pod, containerName);
        if (!spec?.startupProbe) return true;
        const startup = this.worker(uid, containerName, 'startup');
        return startup?.containerId === containerId && startup.result === 'success';
      },
      changed: (w) => {
        if (w.type === 'startup' && w.result === 'success') {
          // The startup gate opened: liveness and readiness begin now (or after their initial delay).
          this.worker(uid, containerName, 'liveness')?.kick();
          this.worker(uid, containerName, 'readiness')?.kick();
        }
        this.opts.onChange(uid);
      },
    };
  }
}
