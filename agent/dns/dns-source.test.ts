import dnsPacket, { type Packet } from 'dns-packet';
import { describe, expect, it, vi } from 'vitest';
import type { Endpoints, Service } from '../../src/api/types.js';
import { ENDPOINTS, SERVICES } from '../../src/client/api-client.js';
import { createInformer } from '../../src/client/informer.js';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { FakeForwarder } from '../../test/fakes/fake-dns-upstream.js';
import { InformerDnsSource, StaticDnsSource } from './dns-source.js';
import { QueryHandler } from './query-handler.js';

const web: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { clusterIP: '10.96.0.10' },
};
const headless: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'db', namespace: 'default' },
  spec: { clusterIP: 'None' },
};
const dbEndpoints = (ip: string): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'db', namespace: 'default' },
  subsets: [{ addresses: [{ ip, hostname: 'db-0' }] }],
});

async function lookup(handler: QueryHandler, name: string): Promise<{ rcode?: string; ips: unknown[] }> {
  const msg = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name, type: 'A' }] } as Packet);
  const reply = await handler.handle(msg, 'udp');
  const p = dnsPacket.decode(reply!) as ReturnType<typeof dnsPacket.decode> & { rcode?: string };
  return { rcode: p.rcode, ips: (p.answers ?? []).map((a) => ('data' in a ? a.data : undefined)) };
}

describe('StaticDnsSource', () => {
  it('bumps its version on set()', () => {
    const s = new StaticDnsSource();
    expect([s.version(), s.hasSynced(), s.services()]).toEqual([0, true, []]);
    s.set([web], []);
    expect([s.version(), s.services()]).toEqual([1, [web]]);
  });
});

describe('InformerDnsSource', () => {
  it('serves DNS from services and endpoints watched through the API, following changes', async () => {
    const client = new FakeApiClient();
    client.seed(SERVICES, web);
    const source = InformerDnsSource.create(client);
    const handler = new QueryHandler({ source, forwarder: new FakeForwarder() });
    expect(source.hasSynced()).toBe(false);
    expect((await lookup(handler, 'web.default.svc.cluster.local')).rcode).toBe('SERVFAIL');

    await source.start();
    expect(source.hasSynced()).toBe(true);
    expect(await lookup(handler, 'web.default.svc.cluster.local')).toEqual({
      rcode: 'NOERROR',
      ips: ['10.96.0.10'],
    });

    await client.create(SERVICES, 'default', headless);
    await client.create(ENDPOINTS, 'default', dbEndpoints('10.244.1.10'));
    await vi.waitFor(async () =>
      expect(await lookup(handler, 'db-0.db.default.svc.cluster.local')).toEqual({
        rcode: 'NOERROR',
        ips: ['10.244.1.10'],
      }),
    );

    const stored = client.find<Endpoints>(ENDPOINTS, 'default', 'db')!;
    await client.update(ENDPOINTS, 'default', { ...stored, subsets: dbEndpoints('10.244.1.11').subsets });
    await vi.waitFor(async () =>
      expect((await lookup(handler, 'db.default.svc.cluster.local')).ips).toEqual(['10.244.1.11']),
    );

    await client.delete(SERVICES, 'default', 'web');
    await vi.waitFor(async () =>
      expect((await lookup(handler, 'web.default.svc.cluster.local')).rcode).toBe('NXDOMAIN'),
    );
    source.stop();
    expect(client.activeWatches()).toBe(0);
  });

  it('ignores resync deliveries of unchanged objects and leaves shared informers running', async () => {
    const client = new FakeApiClient();
    client.seed(SERVICES, web);
    const services = createInformer<Service>({ client, ref: SERVICES });
    const endpoints = createInformer<Endpoints>({ client, ref: ENDPOINTS });
    const updates: (() => void)[] = [];
    const originalOn = services.on.bind(services);
    services.on = ((event: 'add' | 'update' | 'delete', fn: (...a: any[]) => void) => {
      if (event === 'update') updates.push(() => fn(web, web));
      return originalOn(event as 'add', fn);
    }) as typeof services.on;
    const source = new InformerDnsSource({ services, endpoints });
    await source.start();
    const v = source.version();
    for (const resync of updates) resync();
    expect(source.version()).toBe(v);
    source.stop();
    expect(services.hasSynced() && client.activeWatches()).toBe(2);
    services.stop();
    endpoints.stop();
  });
});
