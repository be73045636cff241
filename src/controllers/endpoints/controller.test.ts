import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoints, Event } from '../../api/types.js';
import { ENDPOINTS, EVENTS, PODS, SERVICES } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { ApiError, isApiError } from '../../common/errors.js';
import { EndpointsController } from './controller.js';
import { HEADLESS_LABEL, LAST_CHANGE_TRIGGER_TIME, LEADER_ANNOTATION } from './reconcile.js';
import { testCluster, type TestCluster } from './test-cluster.js';

interface Env {
  cluster: TestCluster;
  ctrl: EndpointsController;
  recorder: EventRecorder;
}

let envs: Env[] = [];
afterEach(async () => {
  for (const e of envs) {
    await e.ctrl.stop();
    e.cluster.informers.stop();
  }
  envs = [];
});

/** A cluster with the controller running (informers synced, workers started), as the manager wires it. */
async function setup(before?: (cluster: TestCluster) => Promise<void>): Promise<Env> {
  const cluster = await testCluster();
  if (before) await before(cluster);
  const { client, clock, informers } = cluster;
  const recorder = new EventRecorder({ client, component: 'endpoint-controller', clock });
  const ctrl = new EndpointsController({ client, informers, clock, recorder });
  await informers.start();
  ctrl.start();
  await cluster.settle();
  const env = { cluster, ctrl, recorder };
  envs.push(env);
  return env;
}

async function endpoints(env: Env, name: string): Promise<Endpoints | undefined> {
  try {
    return (await env.cluster.client.get(ENDPOINTS, 'default', name)) as Endpoints;
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

const ips = (ep: Endpoints | undefined, field: 'addresses' | 'notReadyAddresses') =>
  (ep?.subsets ?? []).flatMap((s) => (s[field] ?? []).map((a) => a.ip));

describe('EndpointsController', () => {
  it('creates the Endpoints of a new service from the matching pods, with node and pod reference', async () => {
    const env = await setup();
    const { cluster } = env;
    const web1 = await cluster.runPod('web-1', { ip: '10.244.1.5' });
    await cluster.runPod('web-2', { ip: '10.244.2.3', ready: false });
    await cluster.runPod('api-1', { ip: '10.244.1.9', labels: { app: 'api' } });
    await cluster.createService('web', { labels: { app: 'web' } });
    await cluster.settle();

    const ep = await endpoints(env, 'web');
    expect(ep?.metadata.labels).toEqual({ app: 'web' });
    expect(ep?.metadata.annotations?.[LAST_CHANGE_TRIGGER_TIME]).toBe('2026-01-01T00:00:00Z');
    expect(ep?.subsets).toEqual([
      {
        addresses: [
          {
            ip: '10.244.1.5',
            nodeName: 'node-1',
            targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: web1.metadata.uid },
          },
        ],
        notReadyAddresses: [expect.objectContaining({ ip: '10.244.2.3' })],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('follows pods without waiting for any timer: ready, not ready, relabelled, deleted', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('web');
    await cluster.runPod('web-1', { ip: '10.244.1.5', ready: false });
    await cluster.settle();
    expect(ips(await endpoints(env, 'web'), 'notReadyAddresses')).toEqual(['10.244.1.5']);

    await cluster.setReady('web-1', true);
    await cluster.settle(); // no clock time passes: the update lands at once
    expect(ips(await endpoints(env, 'web'), 'addresses')).toEqual(['10.244.1.5']);
    expect(ips(await endpoints(env, 'web'), 'notReadyAddresses')).toEqual([]);

    await cluster.runPod('web-2', { ip: '10.244.1.6' });
    await cluster.client.patch(PODS, 'default', 'web-1', 'merge', { metadata: { labels: { app: 'debug' } } });
    await cluster.settle();
    expect(ips(await endpoints(env, 'web'), 'addresses')).toEqual(['10.244.1.6']);

    await cluster.client.delete(PODS, 'default', 'web-2', { gracePeriodSeconds: 0 });
    await cluster.settle();
    expect((await endpoints(env, 'web'))?.subsets).toBeUndefined();
  });

  it('drops a pod as soon as its graceful deletion starts', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('web');
    await cluster.runPod('web-1', { ip: '10.244.1.5' });
    await cluster.runPod('web-2', { ip: '10.244.1.6' });
    await cluster.settle();
    await cluster.client.delete(PODS, 'default', 'web-1'); // bound: stays, with a deletionTimestamp
    await cluster.settle();
    expect((await cluster.client.get(PODS, 'default', 'web-1')).metadata.deletionTimestamp).toBeDefined();
    expect(ips(await endpoints(env, 'web'), 'addresses')).toEqual(['10.244.1.6']);
  });

  it('writes nothing when nothing that endpoints show has changed', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('web');
    await cluster.runPod('web-1', { ip: '10.244.1.5' });
    await cluster.settle();
    expect(cluster.writesTo('endpoints').map((c) => c.verb)).toEqual(['create', 'update']);
    cluster.clearCalls();

    await cluster.client.patch(PODS, 'default', 'web-1', 'merge', {
      metadata: { annotations: { note: 'x' } },
    });
    await cluster.client.patch(SERVICES, 'default', 'web', 'merge', {
      metadata: { annotations: { a: 'b' } },
    });
    env.ctrl.controller.enqueue('default/web');
    await cluster.settle();
    await cluster.clock.advance(31_000); // a full resync
    await cluster.settle();
    expect(cluster.writesTo('endpoints')).toEqual([]);
  });

  it('deletes the Endpoints when the service is deleted', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('web');
    await cluster.runPod('web-1', { ip: '10.244.1.5' });
    await cluster.settle();
    expect(await endpoints(env, 'web')).toBeDefined();
    await cluster.client.delete(SERVICES, 'default', 'web');
    await cluster.settle();
    expect(await endpoints(env, 'web')).toBeUndefined();
  });

  it('leaves selector-less services and their user-written Endpoints alone', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('external-db', { selector: null });
    const manual: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'external-db' },
      subsets: [{ addresses: [{ ip: '192.168.10.20' }], ports: [{ name: 'http', port: 5432 }] }],
    };
    const created = (await cluster.client.create(ENDPOINTS, 'default', manual)) as Endpoints;
    await cluster.runPod('web-1', { ip: '10.244.1.5' });
    await cluster.settle();
    await cluster.clock.advance(31_000);
    await cluster.settle();
    expect(cluster.writesTo('endpoints').map((c) => c.verb)).toEqual(['create']); // the user's own
    expect(await endpoints(env, 'external-db')).toEqual(created);
  });

  it('recreates managed Endpoints that someone deleted and repairs edited ones', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('web');
    await cluster.runPod('web-1', { ip: '10.244.1.5' });
    await cluster.settle();
    await cluster.client.delete(ENDPOINTS, 'default', 'web');
    await cluster.settle();
    expect(ips(await endpoints(env, 'web'), 'addresses')).toEqual(['10.244.1.5']);

    const ep = (await endpoints(env, 'web'))!;
    await cluster.client.update(ENDPOINTS, 'default', {
      ...ep,
      subsets: [{ addresses: [{ ip: '10.9.9.9' }] }],
    });
    await cluster.settle();
    expect(ips(await endpoints(env, 'web'), 'addresses')).toEqual(['10.244.1.5']);
  });

  it('labels the Endpoints of a headless service and lists pod hostnames for its subdomain', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('db', { clusterIP: 'None', selector: { app: 'db' } });
    await cluster.runPod('db-0', {
      ip: '10.244.1.5',
      labels: { app: 'db' },
      hostname: 'db-0',
      subdomain: 'db',
    });
    await cluster.settle();
    const ep = await endpoints(env, 'db');
    expect(ep?.metadata.labels).toEqual({ [HEADLESS_LABEL]: '' });
    expect(ep?.subsets?.[0].addresses?.[0].hostname).toBe('db-0');
  });

  it('resolves a named targetPort per pod into separate subsets', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.createService('web', { ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
    await cluster.runPod('v1', { ip: '10.244.1.5', ports: [{ name: 'http', containerPort: 8080 }] });
    await cluster.runPod('v2', { ip: '10.244.1.6', ports: [{ name: 'http', containerPort: 9090 }] });
    await cluster.settle();
    const ep = await endpoints(env, 'web');
    expect(ep?.subsets?.map((s) => [s.addresses?.map((a) => a.ip), s.ports?.map((p) => p.port)])).toEqual([
      [['10.244.1.5'], [8080]],
      [['10.244.1.6'], [9090]],
    ]);
  });

  it('deletes leftover Endpoints whose service is gone when it starts, but not leader-election ones', async () => {
    const env = await setup(async (cluster) => {
      for (const [name, annotations] of [
        ['gone', undefined],
        ['leader', { [LEADER_ANNOTATION]: '{}' }],
      ] as const) {
        await cluster.client.create(ENDPOINTS, 'default', {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name, ...(annotations ? { annotations } : {}) },
        });
      }
    });
    expect(await endpoints(env, 'gone')).toBeUndefined();
    expect(await endpoints(env, 'leader')).toBeDefined();
  });

  it('retries a failed write with backoff and records a warning event', async () => {
    const env = await setup();
    const { cluster } = env;
    cluster.failNext('create', 'endpoints', new ApiError(500, 'InternalError', 'etcd is on fire'));
    await cluster.createService('web');
    await cluster.settle();
    expect(await endpoints(env, 'web')).toBeUndefined();
    await cluster.clock.advance(10); // the first retry comes after 5 ms
    await cluster.settle();
    expect(await endpoints(env, 'web')).toBeDefined();
    await env.recorder.flush();
    const events = (await cluster.client.list(EVENTS, 'default')).items as Event[];
    expect(events.map((e) => [e.type, e.reason, e.message])).toEqual([
      [
        'Warning',
        'FailedToCreateEndpoint',
        'Failed to create endpoint for service default/web: etcd is on fire',
      ],
    ]);
  });

  it('recovers from a lagging Endpoints cache with a retry, never a wrong write or a warning', async () => {
    const env = await setup();
    const { cluster } = env;
    cluster.pauseWatch('endpoints');
    await cluster.createService('web');
    await cluster.settle();
    await cluster.runPod('web-1', { ip: '10.244.1.5' });
    await cluster.settle();
    // Later syncs still see no Endpoints in their cache: their creates fail with AlreadyExists and are retried.
    const verbs = cluster.writesTo('endpoints').map((c) => c.verb);
    expect(verbs.length).toBeGreaterThan(1);
    expect(new Set(verbs)).toEqual(new Set(['create']));
    cluster.resumeWatch('endpoints');
    await cluster.settle();
    await cluster.clock.advance(100);
    await cluster.settle();
    expect(ips(await endpoints(env, 'web'), 'addresses')).toEqual(['10.244.1.5']);
    await env.recorder.flush();
    expect((await cluster.client.list(EVENTS, 'default')).items).toEqual([]);
  });

  it('gives ExternalName services no endpoints', async () => {
    const env = await setup();
    const { cluster } = env;
    await cluster.client.create(SERVICES, 'default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ext' },
      spec: { type: 'ExternalName', externalName: 'example.com', selector: { app: 'web' } },
    });
    await cluster.runPod('web-1', { ip: '10.244.1.5' });
    await cluster.settle();
    expect(await endpoints(env, 'ext')).toBeUndefined();
  });
});
