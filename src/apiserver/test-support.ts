// Shared fixtures for the API server's *.test.ts files (not used by the server itself): an app over a
// MemoryStore with the default registry and a FakeClock, and small valid objects.
import type { Application } from 'express';
import { defaultRegistry, type Registry } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import type { ResourceRef } from '../client/api-client.js';
import { MemoryStore } from '../store/memory-store.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { createApp } from './app.js';
import type { NodeProxy } from './node-proxy.js';
import { ResourceService } from './resource-service.js';

export const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods' };
export const NODES: ResourceRef = { group: '', version: 'v1', resource: 'nodes' };
export const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces' };
export const EVENTS: ResourceRef = { group: '', version: 'v1', resource: 'events' };
export const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', resource: 'configmaps' };
export const SERVICES: ResourceRef = { group: '', version: 'v1', resource: 'services' };

export interface Harness {
  store: MemoryStore;
  registry: Registry;
  clock: FakeClock;
  service: ResourceService;
  app: Application;
}

export async function harness(
  opts: { nodeProxy?: NodeProxy; historySize?: number; nameSuffix?: () => string } = {},
): Promise<Harness> {
  const store = new MemoryStore({ historySize: opts.historySize });
  const registry = defaultRegistry();
  const clock = new FakeClock();
  const service = new ResourceService({ store, registry, clock, nameSuffix: opts.nameSuffix });
  await service.ensureSystemNamespaces();
  const app = createApp({ store, registry, clock, service, nodeProxy: opts.nodeProxy });
  return { store, registry, clock, service, app };
}

export function pod(
  name: string,
  extra: { labels?: Record<string, string>; nodeName?: string; containers?: string[] } = {},
): KubeObject {
  const containers = (extra.containers ?? ['app']).map((c) => ({ name: c, image: 'busybox' }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { containers, ...(extra.nodeName ? { nodeName: extra.nodeName } : {}) },
  };
}

export function node(name: string, address = '127.0.0.1', port = 10250): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: {},
    status: {
      addresses: [{ type: 'InternalIP', address }],
      daemonEndpoints: { kubeletEndpoint: { Port: port } },
    },
  };
}

export function configMap(
  name: string,
  data: Record<string, string> = {},
  labels?: Record<string, string>,
): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

/** A node with an address, created then given its status (the status subresource owns it). */
export async function createNode(
  service: ResourceService,
  name: string,
  address?: string,
  port?: number,
): Promise<KubeObject> {
  const n = node(name, address, port);
  await service.create(NODES, undefined, n);
  return service.updateStatus(NODES, undefined, name, n);
}

/** A pod bound to `nodeName` whose containers are running (so logs/exec are allowed). */
export async function runningPod(
  service: ResourceService,
  name: string,
  nodeName: string,
  containers = ['app'],
): Promise<KubeObject> {
  await service.create(PODS, 'default', pod(name, { containers }));
  await service.bind('default', name, { target: { kind: 'Node', name: nodeName } });
  const current = await service.get(PODS, 'default', name);
  current.status = {
    ...current.status,
    phase: 'Running',
    containerStatuses: containers.map((c) => ({
      name: c,
      image: 'busybox',
      imageID: '',
      ready: true,
      restartCount: 0,
      state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
      lastState: {},
    })),
  };
  return service.updateStatus(PODS, 'default', name, current);
}
