// TriggerTimeTracker (k8s.io/endpointslice/util/trigger_time_tracker.go): the time of the change that made an
// Endpoints (or EndpointSlice) object change, for the `endpoints.kubernetes.io/last-change-trigger-time`
// annotation that network-programming-latency measurements read. A pod's trigger time is the last transition of
// its Ready condition, a service's its creation time; a sync reports the earliest trigger time among the objects
// that changed since the previous sync of that service (the service's creation time on its first sync).
// In-memory state per service key; no clock is read.
import { getPodCondition } from '../../api/object-meta.js';
import type { Pod, Service } from '../../api/types.js';

interface ServiceState {
  serviceTime: number | undefined;
  podTimes: Map<string, number>;
}

const parse = (timestamp: string | undefined): number | undefined => {
  const ms = Date.parse(timestamp ?? '');
  return Number.isNaN(ms) ? undefined : ms;
};

const earlier = (a: number | undefined, b: number): number => (a === undefined || b < a ? b : a);

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /**
   * The trigger time (ms) of this sync of `key`, or undefined when nothing the tracker follows changed. Call on
   * every sync, even one that writes nothing, so the remembered state stays current.
   */
  compute(key: string, service: Service, pods: Pod[]): number | undefined {
    const previous = this.states.get(key);
    let min: number | undefined;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const time = parse(getPodCondition(pod.status, 'Ready')?.lastTransitionTime);
      if (time === undefined) continue;
      const name = pod.metadata.name ?? '';
      podTimes.set(name, time);
      const before = previous?.podTimes.get(name);
      if (before === undefined || time > before) min = earlier(min, time);
    }
    const serviceTime = parse(service.metadata.creationTimestamp);
    if (
      serviceTime !== undefined &&
      (previous?.serviceTime === undefined || serviceTime > previous.serviceTime)
    ) {
      min = earlier(min, serviceTime);
    }
    this.states.set(key, { serviceTime, podTimes });
    return previous ? min : serviceTime;
  }

  /** Forget a deleted service. */
  delete(key: string): void {
    this.states.delete(key);
  }
}
