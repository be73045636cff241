// Shared fixtures for the garbage collector's and the namespace controller's tests (not used by either): the real
// API logic in-process (ResourceService over a MemoryStore, FakeClock) with one extra test kind, Widget, that
// stands in for owners such as Deployments and ReplicaSets, so the tests need no workload controller.
import { ALL_KINDS, Registry } from '../../api/registry.js';
import { STANDARD_VERBS, type ResourceDef } from '../../api/resource-def.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { nameColumn } from '../../api/kinds/columns.js';
import { createInProcessClient } from '../../apiserver/in-process-client.js';
import { ResourceService } from '../../apiserver/resource-service.js';
import type { ApiClient, ResourceRef } from '../../client/api-client.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { MemoryStore } from '../../store/memory-store.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';

export const WIDGETS: ResourceRef = { group: 'example.skiff.io', version: 'v1', resource: 'widgets' };

/** A plain namespaced kind with no behaviour of its own. */
export const widgetDef: ResourceDef = {
  group: WIDGETS.group,
  version: WIDGETS.version,
  resource: WIDGETS.resource,
  kind: 'Widget',
  listKind: 'WidgetList',
  singular: 'widget',
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  statusSubresource: false,
  columns: [nameColumn()],
  row: (w) => [w.metadata.name ?? ''],
};

export function testRegistry(): Registry {
  return new Registry([...ALL_KINDS, widgetDef]);
}

export interface TestCluster {
  clock: FakeClock;
  registry: Registry;
  service: ResourceService;
  client: ApiClient;
  informers: InformerFactory;
}

/** The API server's logic behind an in-process client, with the system namespaces created. */
export async function testCluster(): Promise<TestCluster> {
  const clock = new FakeClock();
  const registry = testRegistry();
  const service = new ResourceService({ store: new MemoryStore(), registry, clock });
  await service.ensureSystemNamespaces();
  const client = createInProcessClient(service);
  return { clock, registry, service, client, informers: new InformerFactory({ client, clock }) };
}

/** A reference to `owner` as a controller writes it (controller and blockOwnerDeletion by default). */
export function ownerRef(
  owner: KubeObject,
  opts: { controller?: boolean; block?: boolean } = {},
): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: opts.controller ?? true,
    blockOwnerDeletion: opts.block ?? true,
  };
}

export function widget(name: string, owners: OwnerReference[] = []): KubeObject {
  return {
    apiVersion: 'example.skiff.io/v1',
    kind: 'Widget',
    metadata: { name, ...(owners.length ? { ownerReferences: owners } : {}) },
    spec: {},
  };
}

export function configMap(name: string, owners: OwnerReference[] = []): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...(owners.length ? { ownerReferences: owners } : {}) },
    data: { k: 'v' },
  };
}

export function pod(name: string, owners: OwnerReference[] = []): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(owners.length ? { ownerReferences: owners } : {}) },
    spec: { containers: [{ name: 'app', image: 'busybox' }] },
  };
}

/** A pod bound to a node: deleting it only marks it until its agent deletes it with grace 0. */
export async function boundPod(
  client: ApiClient,
  namespace: string,
  name: string,
  owners: OwnerReference[] = [],
): Promise<KubeObject> {
  await client.create({ group: '', version: 'v1', resource: 'pods' }, namespace, pod(name, owners));
  await client.createSubresource({ group: '', version: 'v1', resource: 'pods' }, namespace, name, 'binding', {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name },
    target: { kind: 'Node', name: 'node-1' },
  });
  return client.get({ group: '', version: 'v1', resource: 'pods' }, namespace, name);
}

/** The object, or undefined once it is gone. */
export async function find(
  client: ApiClient,
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
): Promise<KubeObject | undefined> {
  try {
    return await client.get(ref, namespace, name);
  } catch {
    return undefined;
  }
}

/** Lets time pass in small steps until `done()` holds (fails the test after `maxMs` of fake time). */
export async function eventually(
  clock: FakeClock,
  done: () => Promise<boolean> | boolean,
  { stepMs = 50, maxMs = 120_000 } = {},
): Promise<void> {
  for (let waited = 0; waited <= maxMs; waited += stepMs) {
    if (await done()) return;
    await clock.advance(stepMs);
  }
  throw new Error(`condition not reached within ${maxMs} ms of fake time`);
}
