// A test cluster for the Endpoints and EndpointSlice controller tests (not used by the controllers): the real API
// logic in-process (ResourceService over a MemoryStore, FakeClock) with the endpoints kinds registered, behind a
// client that logs every call and can fail the next one — so tests count writes and see real validation.
import { ALL_KINDS, Registry } from '../../api/registry.js';
import { endpointSliceDef } from '../../api/kinds/endpointslice.js';
import { endpointsDef } from '../../api/kinds/endpoints.js';
import { setPodCondition } from '../../api/object-meta.js';
import type { ContainerPort, KubeObject, Pod, Service, ServicePort } from '../../api/types.js';
import { createInProcessClient } from '../../apiserver/in-process-client.js';
import { ResourceService } from '../../apiserver/resource-service.js';
import {
  PODS,
  SERVICES,
  type ApiClient,
  type ResourceRef,
  type WatchEvent,
  type WatchOptions,
} from '../../client/api-client.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { rfc3339 } from '../../common/clock.js';
import { MemoryStore } from '../../store/memory-store.js';
import { FakeClock, flushMicrotasks } from '../../../test/fakes/fake-clock.js';
import { T0 } from './test-fixtures.js';

export interface Call {
  verb: keyof ApiClient;
  resource: string;
  name?: string;
}

const WRITES = new Set(['create', 'update', 'updateStatus', 'patch', 'delete']);

export class TestCluster {
  readonly clock = new FakeClock(T0);
  readonly calls: Call[] = [];
  readonly api: ResourceService;
  readonly client: ApiClient;
  readonly informers: InformerFactory;
  private failures: { verb: keyof ApiClient; resource: string; error: unknown }[] = [];
  private readonly paused = new Set<string>();
  private held: (() => void)[] = [];

  constructor() {
    const own = new Set(['endpoints', 'endpointslices']);
    const registry = new Registry([
      ...ALL_KINDS.filter((d) => !own.has(d.resource)),
      endpointsDef,
      endpointSliceDef,
    ]);
    this.api = new ResourceService({ store: new MemoryStore(), registry, clock: this.clock });
    this.client = this.recording(createInProcessClient(this.api));
    this.informers = new InformerFactory({ client: this.client, clock: this.clock });
  }

  async init(): Promise<this> {
    await this.api.ensureSystemNamespaces();
    return this;
  }

  /** The next `verb` call on `resource` throws `error`. */
  failNext(verb: keyof ApiClient, resource: string, error: unknown): void {
    this.failures.push({ verb, resource, error });
  }

  /** Holds back watch events of `resource` (a lagging informer cache) until resumeWatch(). */
  pauseWatch(resource: string): void {
    this.paused.add(resource);
  }

  /** Delivers the held events, in order. */
  resumeWatch(resource: string): void {
    this.paused.delete(resource);
    for (const deliver of this.held.splice(0)) deliver();
  }

  /** Writes (create/update/patch/delete) to `resource` since the last clearCalls(). */
  writesTo(resource: string): Call[] {
    return this.calls.filter((c) => c.resource === resource && WRITES.has(c.verb));
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  /** Lets watch events, handlers and workers run to quiescence (no clock time passes). */
  async settle(): Promise<void> {
    for (let i = 0; i < 6; i++) await flushMicrotasks();
  }

  async createService(
    name: string,
    opts: {
      selector?: Record<string, string> | null;
      ports?: ServicePort[];
      clusterIP?: string;
      labels?: Record<string, string>;
      publishNotReadyAddresses?: boolean;
    } = {},
  ): Promise<Service> {
    const spec: Service['spec'] = {
      ports: opts.ports ?? [{ name: 'http', port: 80, targetPort: 8080 }],
    };
    if (opts.clusterIP) spec.clusterIP = opts.clusterIP; // else whatever the API server allocates
    if (opts.selector !== null) spec.selector = opts.selector ?? { app: 'web' };
    if (opts.publishNotReadyAddresses) spec.publishNotReadyAddresses = true;
    const svc: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, ...(opts.labels ? { labels: opts.labels } : {}) },
      spec,
    };
    return (await this.client.create(SERVICES, 'default', svc)) as Service;
  }

  /** A pod bound to node-1 and, like a kubelet would report it, running with an IP and a Ready condition. */
  async runPod(
    name: string,
    opts: {
      ip: string;
      ready?: boolean;
      labels?: Record<string, string>;
      ports?: ContainerPort[];
      hostname?: string;
      subdomain?: string;
    },
  ): Promise<Pod> {
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: opts.labels ?? { app: 'web' } },
      spec: {
        nodeName: 'node-1',
        containers: [{ name: 'app', image: 'nginx', ports: opts.ports ?? [] }],
        ...(opts.hostname ? { hostname: opts.hostname } : {}),
        ...(opts.subdomain ? { subdomain: opts.subdomain } : {}),
      },
    };
    const created = (await this.client.create(PODS, 'default', pod)) as Pod;
    const status = { phase: 'Running' as const, podIP: opts.ip, podIPs: [{ ip: opts.ip }] };
    setPodCondition(
      status,
      { type: 'Ready', status: opts.ready === false ? 'False' : 'True' },
      rfc3339(this.clock.now()),
    );
    return (await this.client.updateStatus(PODS, 'default', { ...created, status })) as Pod;
  }

  async setReady(name: string, ready: boolean): Promise<void> {
    const pod = (await this.client.get(PODS, 'default', name)) as Pod;
    const status = structuredClone(pod.status ?? {});
    setPodCondition(status, { type: 'Ready', status: ready ? 'True' : 'False' }, rfc3339(this.clock.now()));
    await this.client.updateStatus(PODS, 'default', { ...pod, status });
  }

  private recording(inner: ApiClient): ApiClient {
    const record = (verb: keyof ApiClient, resource: string, name?: string) => {
      this.calls.push({ verb, resource, name });
      const i = this.failures.findIndex((f) => f.verb === verb && f.resource === resource);
      if (i >= 0) throw this.failures.splice(i, 1)[0].error;
    };
    const nameOf = (obj: KubeObject) => obj.metadata?.name;
    return {
      get: async (ref, ns, name) => (record('get', ref.resource, name), inner.get(ref, ns, name)),
      list: async (ref, ns, opts) => (record('list', ref.resource), inner.list(ref, ns, opts)),
      create: async (ref, ns, obj, opts) => (
        record('create', ref.resource, nameOf(obj)),
        inner.create(ref, ns, obj, opts)
      ),
      update: async (ref, ns, obj) => (
        record('update', ref.resource, nameOf(obj)),
        inner.update(ref, ns, obj)
      ),
      updateStatus: async (ref, ns, obj) => (
        record('updateStatus', ref.resource, nameOf(obj)),
        inner.updateStatus(ref, ns, obj)
      ),
      patch: async (ref, ns, name, type, patch, opts) => (
        record('patch', ref.resource, name),
        inner.patch(ref, ns, name, type, patch, opts)
      ),
      delete: async (ref, ns, name, opts) => (
        record('delete', ref.resource, name),
        inner.delete(ref, ns, name, opts)
      ),
      createSubresource: async (ref, ns, name, sub, body) => (
        record('createSubresource', ref.resource, name),
        inner.createSubresource(ref, ns, name, sub, body)
      ),
      watch: <T extends KubeObject>(
        ref: ResourceRef,
        ns: string | undefined,
        opts: WatchOptions,
        onEvent: (event: WatchEvent<T>) => void,
      ) =>
        inner.watch<T>(ref, ns, opts, (event) => {
          if (this.paused.has(ref.resource)) this.held.push(() => onEvent(event));
          else onEvent(event);
        }),
    } as ApiClient;
  }
}

export async function testCluster(): Promise<TestCluster> {
  return new TestCluster().init();
}
