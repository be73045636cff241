// Fixtures for the Service allocation tests (not used by the server): a ResourceService and app over a
// MemoryStore with configurable ranges, a store whose next write can be made to fail, and Service bodies.
import type { Application } from 'express';
import { defaultRegistry } from '../api/registry.js';
import type { KubeObject, Service, ServiceSpec } from '../api/types.js';
import type { ResourceRef } from '../client/api-client.js';
import type { StoreKey, WriteOptions } from '../store/store.js';
import { MemoryStore } from '../store/memory-store.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { createApp } from './app.js';
import { ResourceService } from './resource-service.js';

export const SERVICES: ResourceRef = { group: '', version: 'v1', resource: 'services' };
export const SERVICES_URL = '/api/v1/namespaces/default/services';

/** A MemoryStore whose next create or update of one resource fails, as a full disk would. */
export class FlakyStore extends MemoryStore {
  /** The resource ('services') whose next write fails. */
  failNextWriteOf?: string;

  override async create(key: StoreKey, obj: KubeObject): Promise<KubeObject> {
    this.maybeFail(key);
    return super.create(key, obj);
  }

  override async update(key: StoreKey, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject> {
    this.maybeFail(key);
    return super.update(key, obj, opts);
  }

  private maybeFail(key: StoreKey): void {
    if (this.failNextWriteOf !== key.resource) return;
    this.failNextWriteOf = undefined;
    throw new Error('disk full');
  }
}

export interface ServiceHarness {
  store: FlakyStore;
  service: ResourceService;
  app: Application;
  /** Addresses and node ports currently taken. */
  used(): { ips: number; ports: number };
}

export async function serviceHarness(
  opts: { store?: FlakyStore; serviceCIDR?: string; nodePortRange?: string } = {},
): Promise<ServiceHarness> {
  const store = opts.store ?? new FlakyStore();
  const registry = defaultRegistry();
  const clock = new FakeClock();
  const service = new ResourceService({
    store,
    registry,
    clock,
    serviceCIDR: opts.serviceCIDR,
    nodePortRange: opts.nodePortRange,
  });
  await service.ensureSystemNamespaces();
  const app = createApp({ store, registry, clock, service });
  const used = () => ({
    ips: service.serviceAllocator.ips.used,
    ports: service.serviceAllocator.nodePorts.used,
  });
  return { store, service, app, used };
}

export function service(name: string, spec: Partial<ServiceSpec> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
  };
}

export const nodePortService = (name: string, ports: ServiceSpec['ports'] = [{ port: 80 }]): Service =>
  service(name, { type: 'NodePort', ports });

/** Creates a Service through the ResourceService and returns it typed. */
export async function createService(svc: ResourceService, body: Service): Promise<Service> {
  return (await svc.create(SERVICES, 'default', body)) as Service;
}
