import type { NetworkInterfaceInfo } from 'node:os';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRegistry, Registry } from '../api/registry.js';
import { STANDARD_VERBS, type ResourceDef } from '../api/resource-def.js';
import type { Endpoints, Service } from '../api/types.js';
import { nameColumn } from '../api/kinds/columns.js';
import { MemoryStore } from '../store/memory-store.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import {
  desiredKubernetesEndpoints,
  ensureKubernetesService,
  pickAdvertiseAddress,
} from './kubernetes-service.js';
import { ResourceService } from './resource-service.js';
import { startApiServer, type RunningApiServer } from './server.js';

const SERVICES = { group: '', version: 'v1', resource: 'services' };
const ENDPOINTS = { group: '', version: 'v1', resource: 'endpoints' };

/** Until the Endpoints kind is registered by default, the tests serve a minimal one of their own. */
const minimalEndpointsDef: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'endpoints',
  kind: 'Endpoints',
  listKind: 'EndpointsList',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  statusSubresource: false,
  columns: [nameColumn()],
  row: (o) => [o.metadata.name ?? ''],
};

function registryWithEndpoints(): Registry {
  const registry = defaultRegistry();
  if (registry.get('', 'v1', 'endpoints')) return registry;
  return new Registry([...registry.all(), minimalEndpointsDef]);
}

function nic(address: string, family: 'IPv4' | 'IPv6', internal: boolean): NetworkInterfaceInfo {
  return { address, family, internal, netmask: '', mac: '', cidr: null } as NetworkInterfaceInfo;
}

const INTERFACES = {
  lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
  eth0: [nic('fe80::1', 'IPv6', false), nic('172.31.5.9', 'IPv4', false)],
  docker0: [nic('172.17.0.1', 'IPv4', false)],
};

describe('pickAdvertiseAddress', () => {
  it.each([
    ['10.0.0.5', INTERFACES, '10.0.0.5'],
    ['0.0.0.0', INTERFACES, '172.31.5.9'],
    ['127.0.0.1', INTERFACES, '172.31.5.9'],
    ['127.0.1.1', INTERFACES, '172.31.5.9'],
    ['::', INTERFACES, '172.31.5.9'],
    ['localhost', INTERFACES, '172.31.5.9'],
    ['127.0.0.1', { lo: INTERFACES.lo }, '127.0.0.1'],
    ['0.0.0.0', {}, '127.0.0.1'],
  ])('listening on %s → %s', (host, interfaces, want) => {
    expect(pickAdvertiseAddress(host, interfaces)).toBe(want);
  });
});

async function setup(store = new MemoryStore(), serviceCIDR?: string) {
  const service = new ResourceService({
    store,
    registry: registryWithEndpoints(),
    clock: new FakeClock(),
    serviceCIDR,
  });
  await service.ensureSystemNamespaces();
  return { store, service };
}

const getService = async (s: ResourceService) => (await s.get(SERVICES, 'default', 'kubernetes')) as Service;
const getEndpoints = async (s: ResourceService) =>
  (await s.get(ENDPOINTS, 'default', 'kubernetes')) as Endpoints;

describe('ensureKubernetesService', () => {
  it('creates the Service on the first address of the range, and its Endpoints at the master', async () => {
    const { service } = await setup();
    await ensureKubernetesService(service, {
      clusterIP: '10.96.0.1',
      port: 6443,
      advertiseAddress: '172.31.5.9',
    });
    const svc = await getService(service);
    expect(svc.metadata.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(svc.spec).toMatchObject({
      type: 'ClusterIP',
      clusterIP: '10.96.0.1',
      clusterIPs: ['10.96.0.1'],
      sessionAffinity: 'None',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
    });
    expect(svc.spec.selector).toBeUndefined();
    const ep = await getEndpoints(service);
    expect(ep.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror']).toBeUndefined();
    expect(ep.subsets).toEqual([
      { addresses: [{ ip: '172.31.5.9' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
    ]);
    // Its address is taken: nobody else can ask for it.
    await expect(
      service.create(SERVICES, 'default', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'x' },
        spec: { clusterIP: '10.96.0.1', ports: [{ port: 80 }] },
      }),
    ).rejects.toThrow(/provided IP is already allocated/);
  });

  it('changes nothing when everything is already right', async () => {
    const { service } = await setup();
    const opts = { clusterIP: '10.96.0.1', port: 6443, advertiseAddress: '172.31.5.9' };
    await ensureKubernetesService(service, opts);
    const before = [
      (await getService(service)).metadata.resourceVersion,
      (await getEndpoints(service)).metadata.resourceVersion,
    ];
    await ensureKubernetesService(service, opts);
    const after = [
      (await getService(service)).metadata.resourceVersion,
      (await getEndpoints(service)).metadata.resourceVersion,
    ];
    expect(after).toEqual(before);
  });

  it('follows a new port and address on the next start, keeping the cluster IP', async () => {
    const { store, service } = await setup();
    await ensureKubernetesService(service, {
      clusterIP: '10.96.0.1',
      port: 6443,
      advertiseAddress: '172.31.5.9',
    });
    const restarted = (await setup(store)).service;
    await ensureKubernetesService(restarted, {
      clusterIP: '10.96.0.1',
      port: 7443,
      advertiseAddress: '10.0.0.7',
    });
    const svc = await getService(restarted);
    expect(svc.spec.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: 7443 }]);
    expect(svc.spec.clusterIP).toBe('10.96.0.1');
    expect((await getEndpoints(restarted)).subsets).toEqual(
      desiredKubernetesEndpoints('10.0.0.7', 7443).subsets,
    );
  });

  it('puts back ports a user edited', async () => {
    const { service } = await setup();
    const opts = { clusterIP: '10.96.0.1', port: 6443, advertiseAddress: '172.31.5.9' };
    await ensureKubernetesService(service, opts);
    await service.patch(SERVICES, 'default', 'kubernetes', 'merge', {
      spec: { ports: [{ name: 'web', port: 80, targetPort: 80 }] },
    });
    await ensureKubernetesService(service, opts);
    expect((await getService(service)).spec.ports).toEqual([
      { name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 },
    ]);
  });

  it('writes no Endpoints for a loopback address, and none when the server serves no endpoints', async () => {
    const { service } = await setup();
    await ensureKubernetesService(service, {
      clusterIP: '10.96.0.1',
      port: 6443,
      advertiseAddress: '127.0.0.1',
    });
    await expect(getEndpoints(service)).rejects.toThrow(/not found/);
    const store = new MemoryStore();
    const bare = new ResourceService({
      store,
      registry: new Registry(
        defaultRegistry()
          .all()
          .filter((d) => d.resource !== 'endpoints'),
      ),
    });
    await bare.ensureSystemNamespaces();
    await ensureKubernetesService(bare, {
      clusterIP: '10.96.0.1',
      port: 6443,
      advertiseAddress: '172.31.5.9',
    });
    expect((await getService(bare)).spec.clusterIP).toBe('10.96.0.1');
  });
});

describe('startApiServer and the kubernetes service', () => {
  let api: RunningApiServer | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('creates the Service and Endpoints at start, from the configured range and the real port', async () => {
    const store = new MemoryStore();
    api = await startApiServer({
      listen: '127.0.0.1:0',
      store,
      registry: registryWithEndpoints(),
      serviceCIDR: '10.100.0.0/16',
      advertiseAddress: '192.168.50.10',
    });
    const port = Number(new URL(api.url).port);
    const svc = await request(api.url).get('/api/v1/namespaces/default/services/kubernetes').expect(200);
    expect(svc.body.spec.clusterIP).toBe('10.100.0.1');
    expect(svc.body.spec.ports[0]).toEqual({ name: 'https', port: 443, protocol: 'TCP', targetPort: port });
    const ep = await request(api.url).get('/api/v1/namespaces/default/endpoints/kubernetes').expect(200);
    expect(ep.body.subsets[0]).toEqual({
      addresses: [{ ip: '192.168.50.10' }],
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    });
    const created = await request(api.url)
      .post('/api/v1/namespaces/default/services')
      .send({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } })
      .expect(201);
    expect(created.body.spec.clusterIP).toMatch(/^10\.100\./);
  });

  it('refuses a bad range or advertise address at start', async () => {
    await expect(
      startApiServer({ listen: '127.0.0.1:0', store: new MemoryStore(), serviceCIDR: '10.0.0.0/8' }),
    ).rejects.toThrow(/too large/);
    await expect(
      startApiServer({ listen: '127.0.0.1:0', store: new MemoryStore(), nodePortRange: '32767-30000' }),
    ).rejects.toThrow(/end port cannot be less than start port/);
    await expect(
      startApiServer({ listen: '127.0.0.1:0', store: new MemoryStore(), advertiseAddress: '127.0.0.1' }),
    ).rejects.toThrow(/advertise address/);
  });
});
