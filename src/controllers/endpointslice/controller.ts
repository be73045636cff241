// The EndpointSlice controller (kube-controller-manager's endpointslice controller, pkg/controller/endpointslice):
// for every Service with a selector, discovery.k8s.io/v1 EndpointSlices `<service>-<suffix>` (labelled
// kubernetes.io/service-name, owned by the Service) listing the matching pods with ready/serving/terminating
// conditions. Same shape as the Endpoints controller: handlers enqueue service keys, sync(key) re-reads the caches
// and writes only differences (reconcile.ts) through a SliceWriter (slice-writer.ts), whose expectations keep a
// lagging cache from creating a slice twice.
import type { EndpointSlice, Pod, Service } from '../../api/types.js';
import { ENDPOINTSLICES, PODS, SERVICES, type ApiClient } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/key.js';
import { rfc3339, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import {
  hasManagedEndpoints,
  podEndpointsChanged,
  selectsPod,
  servicesSelectingPod,
} from '../endpoints/pod-endpoints.js';
import { TriggerTimeTracker } from '../endpoints/trigger-time.js';
import { Controller } from '../runtime/controller.js';
import { CONTROLLER_NAME, desiredSlices, reconcileSlices } from './reconcile.js';
import { SliceWriter } from './slice-writer.js';
import { controllerBasics } from '../runtime/controller-basics.js';

const MAX_RETRIES = 15;

export interface EndpointSliceControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  recorder?: EventRecorder;
  workers?: number;
  /** Every service is re-synced this often (level-triggered safety net); default 30 s. */
  resyncPeriodMs?: number;
}

export class EndpointSliceController {
  /** The key queue and workers (tests drive it with processNext()). */
  readonly controller: Controller;
  readonly writer: SliceWriter;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;

  constructor(deps: EndpointSliceControllerDeps) {
    const basics = controllerBasics(deps, 'endpointslice-controller', 'endpoint-slice-controller');
    const clock = basics.clock;
    const log = basics.log;
    const recorder = basics.recorder;
    this.services = deps.informers.get<Service>(SERVICES);
    this.pods = deps.informers.get<Pod>(PODS);
    this.controller = new Controller({
      name: 'endpointslice',
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
    this.writer = new SliceWriter({
      client: deps.client,
      clock,
      log,
      recorder,
      slices: deps.informers.get<EndpointSlice>(ENDPOINTSLICES),
      managedBy: CONTROLLER_NAME,
      onSliceChange: (key) => this.controller.enqueue(key),
    });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  /** One level-triggered pass over the Service `ns/name`. */
  async sync(key: string): Promise<void> {
    const service = this.services.getByKey(key);
    if (!service) {
      // The garbage collector would remove them too (they are owned by the Service); do not wait for it.
      this.triggerTimes.delete(key);
      this.writer.forget(key);
      await this.writer.apply(key, undefined, { create: [], update: [], delete: this.writer.slicesOf(key) });
      return;
    }
    if (!hasManagedEndpoints(service)) return;
    if (!this.writer.synced(key)) return; // the informer has not seen our last writes yet

    const pods = this.pods.list().filter((pod) => selectsPod(service, pod));
    const triggerTime = this.triggerTimes.compute(key, service, pods);
    const plan = reconcileSlices({
      service,
      desired: desiredSlices(service, pods),
      existing: this.writer.slicesOf(key),
      triggerTime: triggerTime === undefined ? undefined : rfc3339(triggerTime),
    });
    await this.writer.apply(key, service, plan);
  }

  private enqueueServicesOf(pods: Pod[]): void {
    const services = this.services.list();
    const keys = new Set<string>();
    for (const pod of pods) for (const svc of servicesSelectingPod(services, pod)) keys.add(objectKey(svc));
    for (const key of keys) this.controller.enqueue(key);
  }
}
