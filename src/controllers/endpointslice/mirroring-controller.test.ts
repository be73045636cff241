import { afterEach, describe, expect, it } from 'vitest';
import type { EndpointSlice, Endpoints } from '../../api/types.js';
import { ENDPOINTS, ENDPOINTSLICES, SERVICES } from '../../client/api-client.js';
import { testCluster, type TestCluster } from '../endpoints/test-cluster.js';
import { MIRRORING_CONTROLLER_NAME, SKIP_MIRROR_LABEL } from './mirror.js';
import { EndpointSliceMirroringController } from './mirroring-controller.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './reconcile.js';

interface Env {
  cluster: TestCluster;
  ctrl: EndpointSliceMirroringController;
}

let envs: Env[] = [];
afterEach(async () => {
  for (const e of envs) {
    await e.ctrl.stop();
    e.cluster.informers.stop();
  }
  envs = [];
});

async function setup(): Promise<Env> {
  const cluster = await testCluster();
  const { client, clock, informers } = cluster;
  const ctrl = new EndpointSliceMirroringController({ client, informers, clock });
  await informers.start();
  ctrl.start();
  await cluster.settle();
  const env = { cluster, ctrl };
  envs.push(env);
  return env;
}

const slicesOf = async (env: Env, service: string) =>
  ((await env.cluster.client.list(ENDPOINTSLICES, 'default')).items as EndpointSlice[]).filter(
    (s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === service,
  );

function manualEndpoints(ips: string[], labels?: Record<string, string>): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'db', ...(labels ? { labels } : {}) },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'pg', port: 5432 }] }],
  };
}

describe('EndpointSliceMirroringController', () => {
  it('mirrors the Endpoints of a selector-less service and follows their changes', async () => {
    const env = await setup();
    const { cluster } = env;
    const svc = await cluster.createService('db', { selector: null, ports: [{ name: 'pg', port: 5432 }] });
    await cluster.client.create(ENDPOINTS, 'default', manualEndpoints(['192.168.1.20']));
    await cluster.settle();
    const [slice, ...more] = await slicesOf(env, 'db');
    expect(more).toEqual([]);
    expect(slice.metadata.labels?.[MANAGED_BY_LABEL]).toBe(MIRRORING_CONTROLLER_NAME);
    expect(slice.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Service', uid: svc.metadata.uid });
    expect(slice.ports).toEqual([{ name: 'pg', port: 5432, protocol: 'TCP' }]);
    expect(slice.endpoints).toEqual([{ addresses: ['192.168.1.20'], conditions: { ready: true } }]);

    const current = (await cluster.client.get(ENDPOINTS, 'default', 'db')) as Endpoints;
    await cluster.client.update(ENDPOINTS, 'default', {
      ...current,
      subsets: manualEndpoints(['192.168.1.20', '192.168.1.21']).subsets,
    });
    await cluster.settle();
    const [after] = await slicesOf(env, 'db');
    expect(after.metadata.name).toBe(slice.metadata.name);
    expect(after.endpoints.map((e) => e.addresses[0])).toEqual(['192.168.1.20', '192.168.1.21']);

    cluster.clearCalls();
    await cluster.clock.advance(31_000); // resync: nothing to write
    await cluster.settle();
    expect(cluster.writesTo('endpointslices')).toEqual([]);
  });

  it('removes the mirror when the Endpoints go, opt out, or the service gains a selector', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('db', { selector: null, ports: [{ name: 'pg', port: 5432 }] });
    await cluster.client.create(ENDPOINTS, 'default', manualEndpoints(['192.168.1.20']));
    await cluster.settle();
    expect(await slicesOf(env, 'db')).toHaveLength(1);

    const current = (await cluster.client.get(ENDPOINTS, 'default', 'db')) as Endpoints;
    await cluster.client.update(ENDPOINTS, 'default', {
      ...current,
      metadata: { ...current.metadata, labels: { [SKIP_MIRROR_LABEL]: 'true' } },
    });
    await cluster.settle();
    expect(await slicesOf(env, 'db')).toEqual([]);

    await cluster.client.patch(ENDPOINTS, 'default', 'db', 'merge', { metadata: { labels: null } });
    await cluster.settle();
    expect(await slicesOf(env, 'db')).toHaveLength(1);

    await cluster.client.patch(SERVICES, 'default', 'db', 'merge', { spec: { selector: { app: 'db' } } });
    await cluster.settle();
    expect(await slicesOf(env, 'db')).toEqual([]);
  });

  it('deletes the mirror with the service', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('db', { selector: null, ports: [{ name: 'pg', port: 5432 }] });
    await cluster.client.create(ENDPOINTS, 'default', manualEndpoints(['192.168.1.20']));
    await cluster.settle();
    await cluster.client.delete(SERVICES, 'default', 'db');
    await cluster.settle();
    expect(await slicesOf(env, 'db')).toEqual([]);
  });
});
