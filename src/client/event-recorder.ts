// Writes core/v1 Events the way the kubelet and controllers do (client-go's record.EventRecorder), so
// `kubectl describe` shows them: `<object>.<hex>` names in the object's namespace, involvedObject, source,
// and aggregation — the same object+type+reason+message within 10 minutes bumps `count` and `lastTimestamp`
// of the existing Event instead of creating another. Fire and forget: record() never throws or waits.
import type { Event, KubeObject, ObjectReference } from '../api/types.js';
import { rfc3339, systemClock, type Clock } from '../common/clock.js';
import { isApiError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { EVENTS, type ApiClient } from './api-client.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: ApiClient;
  /** source.component and reportingComponent, e.g. 'kubelet', 'default-scheduler', 'deployment-controller'. */
  component: string;
  /** source.host and reportingInstance, e.g. the node name for the kubelet. */
  host?: string;
  clock?: Clock;
  logger?: Logger;
  /** Events waiting to be written beyond this are dropped (with a warning) rather than piling up. */
  maxPending?: number;
}

export const AGGREGATION_WINDOW_MS = 10 * 60 * 1000;
const MAX_MESSAGE = 1024;
const CACHE_SIZE = 4096;

interface Seen {
  name: string;
  namespace: string;
  count: number;
  lastMs: number;
}

/** `<name>.<16 hex digits>`: Kubernetes uses the time in nanoseconds; the sub-millisecond part makes it unique. */
export function eventName(objName: string, nowMs: number, nanos: number): string {
  const ns = BigInt(Math.floor(nowMs)) * 1_000_000n + BigInt(nanos % 1_000_000);
  return `${objName}.${ns.toString(16).padStart(16, '0')}`;
}

export function involvedObjectOf(obj: KubeObject): ObjectReference {
  const ref: ObjectReference = { kind: obj.kind, name: obj.metadata.name, uid: obj.metadata.uid };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  ref.apiVersion = obj.apiVersion;
  if (obj.metadata.resourceVersion) ref.resourceVersion = obj.metadata.resourceVersion;
  return ref;
}

/** The aggregation key: same object, type, reason and message. */
export function aggregationKey(obj: KubeObject, type: EventType, reason: string, message: string): string {
  const m = obj.metadata;
  return [obj.kind, m.namespace ?? '', m.name ?? '', m.uid ?? '', type, reason, message].join('\u0000');
}

/** A new Event (count 1) about `obj`. Cluster-scoped objects' events live in `default`, as in Kubernetes. */
export function buildEvent(args: {
  obj: KubeObject;
  type: EventType;
  reason: string;
  message: string;
  name: string;
  nowMs: number;
  component: string;
  host?: string;
}): Event {
  const ts = rfc3339(args.nowMs);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: args.name, namespace: args.obj.metadata.namespace || 'default' },
    involvedObject: involvedObjectOf(args.obj),
    reason: args.reason,
    message:
      args.message.length > MAX_MESSAGE ? `${args.message.slice(0, MAX_MESSAGE - 3)}...` : args.message,
    type: args.type,
    count: 1,
    firstTimestamp: ts,
    lastTimestamp: ts,
    eventTime: null,
    source: args.host ? { component: args.component, host: args.host } : { component: args.component },
    reportingComponent: args.component,
    reportingInstance: args.host ?? '',
  };
}

export class EventRecorder {
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly maxPending: number;
  /** Recently written events by aggregation key (insertion order = age, for eviction). */
  private readonly seen = new Map<string, Seen>();
  /** One write chain per aggregation key, so a repeat waits for the create it aggregates onto. */
  private readonly chains = new Map<string, Promise<void>>();
  private pending = 0;
  private nanos = Math.floor(Math.random() * 1_000_000);

  constructor(private readonly opts: EventRecorderOptions) {
    this.client = opts.client;
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.logger ?? silentLogger).child({ eventRecorder: opts.component });
    this.maxPending = opts.maxPending ?? 1000;
  }

  record(obj: KubeObject, type: EventType, reason: string, message: string): void {
    if (!obj?.metadata?.name) {
      this.log.warn({ reason }, 'event about an object without a name dropped');
      return;
    }
    if (this.pending >= this.maxPending) {
      this.log.warn({ reason, object: obj.metadata.name }, 'too many pending events; event dropped');
      return;
    }
    const key = aggregationKey(obj, type, reason, message);
    const nowMs = this.clock.now();
    this.pending++;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev
      .then(() => this.write(key, obj, type, reason, message, nowMs))
      .catch((err: unknown) =>
        this.log.warn({ err, reason, object: obj.metadata.name }, 'could not write event'),
      )
      .finally(() => {
        this.pending--;
        if (this.chains.get(key) === next) this.chains.delete(key);
      });
    this.chains.set(key, next);
  }

  /** Resolves when every event recorded so far is written (or has failed). For tests and shutdown. */
  async flush(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private async write(
    key: string,
    obj: KubeObject,
    type: EventType,
    reason: string,
    message: string,
    nowMs: number,
  ): Promise<void> {
    const prior = this.seen.get(key);
    if (prior && nowMs - prior.lastMs <= AGGREGATION_WINDOW_MS) {
      try {
        await this.client.patch(EVENTS, prior.namespace, prior.name, 'merge', {
          count: prior.count + 1,
          lastTimestamp: rfc3339(nowMs),
        });
        prior.count++;
        prior.lastMs = nowMs;
        return;
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
        // The Event expired on the server meanwhile: start a new one.
      }
    }
    const { component, host } = this.opts;
    const name = eventName(obj.metadata.name!, nowMs, this.nanos++);
    const event = buildEvent({ obj, type, reason, message, name, nowMs, component, host });
    const created = await this.client.create(EVENTS, event.metadata.namespace, event);
    this.remember(key, {
      name: created.metadata.name ?? name,
      namespace: event.metadata.namespace!,
      count: 1,
      lastMs: nowMs,
    });
  }

  private remember(key: string, entry: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, entry);
    if (this.seen.size > CACHE_SIZE) this.seen.delete(this.seen.keys().next().value!);
  }
}
