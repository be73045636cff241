// The Endpoints controller (kube-controller-manager's endpoint controller, pkg/controller/endpoint): for every
// Service with a selector, an Endpoints object of the same name listing the matching pods' addresses — ready ones
// apart from not-ready ones — and the ports their containers resolve. Informer handlers only enqueue service keys
// (`ns/name`; a pod change enqueues every service that selected it before or selects it now, at once, so
// endpoints follow a pod within one sync); sync(key) re-reads the caches, computes the subsets (compute-endpoints.ts)
// and writes only when they differ (reconcile.ts). Services without a selector are left to their users. When a
// Service goes, the controller deletes its Endpoints itself (they have no ownerReference, as upstream).
import type { Endpoints, Pod, Service } from '../../api/types.js';
import { ENDPOINTS, PODS, SERVICES, type ApiClient } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { Informer } from '../../client/informer.js';
import { objectKey, splitKey } from '../../client/key.js';
import { rfc3339, type Clock } from '../../common/clock.js';
import { isApiError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { Controller } from '../runtime/controller.js';
import { computeEndpoints } from './compute-endpoints.js';
import {
  hasManagedEndpoints,
  podEndpointsChanged,
  selectsPod,
  servicesSelectingPod,
} from './pod-endpoints.js';
import { LEADER_ANNOTATION, reconcileEndpoints } from './reconcile.js';
import { TriggerTimeTracker } from './trigger-time.js';
import { controllerBasics } from '../runtime/controller-basics.js';

/** After this many consecutive failures a service is dropped until its next event or resync (upstream: 15). */
const MAX_RETRIES = 15;

export interface EndpointsControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  recorder?: EventRecorder;
  workers?: number;
  /** Every service is re-synced this often (level-triggered safety net); default 30 s. */
  resyncPeriodMs?: number;
  /**
   * Pod changes are enqueued after this delay so bursts coalesce (EndpointUpdatesBatchPeriod); default 0 —
   * the work queue already merges changes that arrive while a service waits.
   */
  batchPeriodMs?: number;
}

export class EndpointsController {
  /** The key queue and workers (tests drive it with processNext()). */
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly batchPeriodMs: number;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;

  constructor(deps: EndpointsControllerDeps) {
    this.client = deps.client;
    const basics = controllerBasics(deps, 'endpoint-controller');
    const clock = basics.clock;
    this.log = basics.log;
    this.recorder = basics.recorder;
    this.batchPeriodMs = deps.batchPeriodMs ?? 0;
    this.services = deps.informers.get<Service>(SERVICES);
    this.pods = deps.informers.get<Pod>(PODS);
    this.endpoints = deps.informers.get<Endpoints>(ENDPOINTS);
    this.controller = new Controller({
      name: 'endpoint',
      sync: (key) => this.sync(key),
      workers: deps.workers,
      clock,
      logger: deps.logger,
      maxRetries: MAX_RETRIES,
      resyncPeriodMs: deps.resyncPeriodMs ?? 30_000,
      resyncKeys: () => this.services.list().map(objectKey),
    });

    this.services.on('add', (svc) => this.controller.enqueue(objectKey(svc)));
    this.services.on('update', (_old, cur) => this.controller.enqueue(objectKey(cur)));
    this.services.on('delete', (svc) => this.controller.enqueue(objectKey(svc)));
    this.pods.on('add', (pod) => this.enqueueServicesOf([pod]));
    this.pods.on('update', (old, cur) => {
      if (podEndpointsChanged(old, cur)) this.enqueueServicesOf([old, cur]);
    });
    this.pods.on('delete', (pod) => this.enqueueServicesOf([pod]));
    // Someone else changed or deleted an Endpoints object this controller manages: put it right.
    this.endpoints.on('add', (ep) => this.enqueueIfManaged(ep));
    this.endpoints.on('update', (_old, cur) => this.enqueueIfManaged(cur));
    this.endpoints.on('delete', (ep) => this.enqueueIfManaged(ep));
  }

  /** Starts the workers, then queues every existing Endpoints once so those whose Service is gone are deleted. */
  start(): void {
    this.controller.start();
    this.checkLeftoverEndpoints();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  /** One level-triggered pass over the Service `ns/name`. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const service = this.services.getByKey(key);
    if (!service) {
      // The Service is gone: so are its Endpoints (a no-op when there were none).
      this.triggerTimes.delete(key);
      try {
        await this.client.delete(ENDPOINTS, namespace, name);
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
      }
      return;
    }
    if (!hasManagedEndpoints(service)) return;

    const pods = this.pods.list().filter((pod) => selectsPod(service, pod));
    const triggerTime = this.triggerTimes.compute(key, service, pods);
    const action = reconcileEndpoints({
      service,
      subsets: computeEndpoints(service, pods),
      current: this.endpoints.getByKey(key),
      triggerTime: triggerTime === undefined ? undefined : rfc3339(triggerTime),
    });
    if (action.type === 'none') return;
    try {
      if (action.type === 'create') await this.client.create(ENDPOINTS, namespace, action.endpoints);
      else await this.client.update(ENDPOINTS, namespace, action.endpoints);
      this.log.debug({ key, action: action.type }, 'endpoints written');
    } catch (err) {
      if (action.type === 'create' && isApiError(err, 'Forbidden')) {
        // The namespace is being terminated: creates keep failing until it is gone. Drop the key.
        this.log.debug({ key, err }, 'forbidden from creating endpoints');
        return;
      }
      // A stale cache (Conflict, AlreadyExists) is fixed by the retry; anything else is worth an event.
      if (!isApiError(err, 'Conflict') && !isApiError(err, 'AlreadyExists')) {
        const why = err instanceof Error ? err.message : String(err);
        if (action.type === 'create') {
          this.recorder.record(
            action.endpoints,
            'Warning',
            'FailedToCreateEndpoint',
            `Failed to create endpoint for service ${key}: ${why}`,
          );
        } else {
          this.recorder.record(
            action.endpoints,
            'Warning',
            'FailedToUpdateEndpoint',
            `Failed to update endpoint ${key}: ${why}`,
          );
        }
      }
      throw err;
    }
  }

  /** checkLeftoverEndpoints: Endpoints that outlived their Service while the controller was down get deleted. */
  private checkLeftoverEndpoints(): void {
    for (const ep of this.endpoints.list()) {
      if (ep.metadata.annotations?.[LEADER_ANNOTATION] !== undefined) continue;
      this.controller.enqueue(objectKey(ep));
    }
  }

  private enqueueServicesOf(pods: Pod[]): void {
    const services = this.services.list();
    const keys = new Set<string>();
    for (const pod of pods) for (const svc of servicesSelectingPod(services, pod)) keys.add(objectKey(svc));
    for (const key of keys) this.controller.enqueueAfter(key, this.batchPeriodMs);
  }

  private enqueueIfManaged(ep: Endpoints): void {
    const key = objectKey(ep);
    const service = this.services.getByKey(key);
    if (service && hasManagedEndpoints(service)) this.controller.enqueue(key);
  }
}
