import { afterEach, describe, expect, it } from 'vitest';
import type { EndpointSlice } from '../../api/types.js';
import { ENDPOINTSLICES, PODS, SERVICES } from '../../client/api-client.js';
import { testCluster, type TestCluster } from '../endpoints/test-cluster.js';
import { EndpointSliceController } from './controller.js';
import { CONTROLLER_NAME, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './reconcile.js';

interface Env {
  cluster: TestCluster;
  ctrl: EndpointSliceController;
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
  const ctrl = new EndpointSliceController({ client, informers, clock });
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

const addressesOf = (slices: EndpointSlice[]) =>
  slices.flatMap((s) => s.endpoints.map((e) => [e.addresses[0], e.conditions?.ready]));

describe('EndpointSliceController', () => {
  it('mirrors a service and its pods into one slice owned by the service', async () => {
    const env = await setup();
    const { cluster } = env;
    const svc = await cluster.createService('web', { labels: { tier: 'front' } });
    const web1 = await cluster.runPod('web-1', { ip: '10.244.1.5' });
    await cluster.runPod('web-2', { ip: '10.244.1.6', ready: false });
    await cluster.settle();

    const [slice, ...more] = await slicesOf(env, 'web');
    expect(more).toEqual([]);
    expect(slice.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice.metadata.labels).toEqual({
      tier: 'front',
      [SERVICE_NAME_LABEL]: 'web',
      [MANAGED_BY_LABEL]: CONTROLLER_NAME,
    });
    expect(slice.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Service',
        name: 'web',
        uid: svc.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(slice.endpoints[0]).toEqual({
      addresses: ['10.244.1.5'],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'node-1',
      targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: web1.metadata.uid },
    });
    expect(addressesOf([slice])).toEqual([
      ['10.244.1.5', true],
      ['10.244.1.6', false],
    ]);
  });

  it('updates the same slice in place as pods change, and writes nothing when nothing changed', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('web');
    await cluster.runPod('web-1', { ip: '10.244.1.5', ready: false });
    await cluster.settle();
    const [before] = await slicesOf(env, 'web');

    await cluster.setReady('web-1', true);
    await cluster.settle();
    const [after] = await slicesOf(env, 'web');
    expect(after.metadata.name).toBe(before.metadata.name);
    expect(addressesOf([after])).toEqual([['10.244.1.5', true]]);

    cluster.clearCalls();
    await cluster.client.patch(PODS, 'default', 'web-1', 'merge', { metadata: { annotations: { a: 'b' } } });
    await cluster.clock.advance(31_000); // a full resync
    await cluster.settle();
    expect(cluster.writesTo('endpointslices')).toEqual([]);
  });

  it('never creates twice while its cache has not seen the slice it created', async () => {
    const env = await setup();
    const { cluster } = env;
    cluster.pauseWatch('endpointslices');
    await cluster.createService('web');
    await cluster.runPod('web-1', { ip: '10.244.1.5' });
    await cluster.settle();
    env.ctrl.controller.enqueue('default/web');
    await cluster.settle();
    expect(cluster.writesTo('endpointslices').map((c) => c.verb)).toEqual(['create']);

    cluster.resumeWatch('endpointslices');
    await cluster.settle();
    const slices = await slicesOf(env, 'web');
    expect(slices).toHaveLength(1);
    expect(addressesOf(slices)).toEqual([['10.244.1.5', true]]);
  });

  it('keeps an empty placeholder slice while no pod matches', async () => {
    const env = await setup();
    await env.cluster.createService('web');
    await env.cluster.settle();
    const slices = await slicesOf(env, 'web');
    expect(slices.map((s) => [s.addressType, s.endpoints, s.ports])).toEqual([['IPv4', [], []]]);
  });

  it('deletes the slices of a deleted service and ignores selector-less ones', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('web');
    await cluster.createService('manual', { selector: null });
    await cluster.runPod('web-1', { ip: '10.244.1.5' });
    await cluster.settle();
    expect(await slicesOf(env, 'web')).toHaveLength(1);
    expect(await slicesOf(env, 'manual')).toEqual([]);

    await cluster.client.delete(SERVICES, 'default', 'web');
    await cluster.settle();
    expect(await slicesOf(env, 'web')).toEqual([]);
  });

  it('recreates a slice someone deleted', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('web');
    await cluster.runPod('web-1', { ip: '10.244.1.5' });
    await cluster.settle();
    const [slice] = await slicesOf(env, 'web');
    await cluster.client.delete(ENDPOINTSLICES, 'default', slice.metadata.name!);
    await cluster.settle();
    const again = await slicesOf(env, 'web');
    expect(again).toHaveLength(1);
    expect(again[0].metadata.name).not.toBe(slice.metadata.name);
    expect(addressesOf(again)).toEqual([['10.244.1.5', true]]);
  });

  it('keeps a terminating pod, marked terminating and not ready', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('web');
    await cluster.runPod('web-1', { ip: '10.244.1.5' });
    await cluster.settle();
    await cluster.client.delete(PODS, 'default', 'web-1'); // bound: graceful
    await cluster.settle();
    const [slice] = await slicesOf(env, 'web');
    expect(slice.endpoints.map((e) => e.conditions)).toEqual([
      { ready: false, serving: true, terminating: true },
    ]);
  });
});
