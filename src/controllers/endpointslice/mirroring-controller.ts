// The EndpointSlice mirroring controller (kube-controller-manager's endpointslicemirroring controller): keeps
// EndpointSlices (managed-by endpointslicemirroring-controller.k8s.io, owned by the Service) in step with the
// Endpoints users write for Services without a selector, and removes them when the Service gains a selector, the
// Endpoints go, or they opt out with endpointslice.kubernetes.io/skip-mirror=true. Handlers enqueue `ns/name`
// keys (Service and Endpoints share them); sync(key) re-reads the caches and writes differences (mirror.ts,
// reconcile.ts) through a SliceWriter.
import type { EndpointSlice, Endpoints, Service } from '../../api/types.js';
import { ENDPOINTS, ENDPOINTSLICES, SERVICES, type ApiClient } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/key.js';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { Controller } from '../runtime/controller.js';
import {
  MIRRORING_CONTROLLER_NAME,
  mirroredAnnotations,
  mirroredLabels,
  mirroredSlices,
  shouldMirror,
} from './mirror.js';
import { reconcileSlices } from './reconcile.js';
import { SliceWriter } from './slice-writer.js';
import { controllerBasics } from '../runtime/controller-basics.js';

const MAX_RETRIES = 15;

export interface EndpointSliceMirroringControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  recorder?: EventRecorder;
  workers?: number;
  /** Every Endpoints object is re-synced this often; default 30 s. */
  resyncPeriodMs?: number;
}

export class EndpointSliceMirroringController {
  /** The key queue and workers (tests drive it with processNext()). */
  readonly controller: Controller;
  readonly writer: SliceWriter;
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;

  constructor(deps: EndpointSliceMirroringControllerDeps) {
    const basics = controllerBasics(
      deps,
      'endpointslicemirroring-controller',
      'endpoint-slice-mirroring-controller',
    );
    const clock = basics.clock;
    const log = basics.log;
    const recorder = basics.recorder;
    this.services = deps.informers.get<Service>(SERVICES);
    this.endpoints = deps.informers.get<Endpoints>(ENDPOINTS);
    this.controller = new Controller({
      name: 'endpointslicemirroring',
      sync: (key) => this.sync(key),
      workers: deps.workers,
      clock,
      logger: deps.logger,
      maxRetries: MAX_RETRIES,
      resyncPeriodMs: deps.resyncPeriodMs ?? 30_000,
      resyncKeys: () => this.endpoints.list().map(objectKey),
    });
    const enqueue = (obj: Service | Endpoints) => this.controller.enqueue(objectKey(obj));
    this.services.on('add', enqueue);
    this.services.on('update', (_old, cur) => enqueue(cur));
    this.services.on('delete', enqueue);
    this.endpoints.on('add', enqueue);
    this.endpoints.on('update', (_old, cur) => enqueue(cur));
    this.endpoints.on('delete', enqueue);
    this.writer = new SliceWriter({
      client: deps.client,
      clock,
      log,
      recorder,
      slices: deps.informers.get<EndpointSlice>(ENDPOINTSLICES),
      managedBy: MIRRORING_CONTROLLER_NAME,
      onSliceChange: (key) => this.controller.enqueue(key),
    });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  /** One level-triggered pass over the Service and Endpoints `ns/name`. */
  async sync(key: string): Promise<void> {
    const service = this.services.getByKey(key);
    const endpoints = this.endpoints.getByKey(key);
    if (!service || !endpoints || !shouldMirror(service, endpoints)) {
      if (!service) this.writer.forget(key);
      const stale = this.writer.slicesOf(key);
      await this.writer.apply(key, service, { create: [], update: [], delete: stale });
      return;
    }
    if (!this.writer.synced(key)) return; // the informer has not seen our last writes yet
    const plan = reconcileSlices({
      service,
      desired: mirroredSlices(endpoints),
      existing: this.writer.slicesOf(key),
      labels: mirroredLabels(endpoints),
      annotations: mirroredAnnotations(endpoints),
    });
    await this.writer.apply(key, service, plan);
  }
}
