// ClusterIP and NodePort allocation on create and delete, through the ResourceService and over HTTP: ranges,
// requests, Kubernetes' error texts, no duplicates (also under concurrency), release and reuse, dry runs, failed
// writes that must not leak, and the rebuild a restarted master does from the store.
import ipaddr from 'ipaddr.js';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Service } from '../api/types.js';
import { isApiError } from '../common/errors.js';
import {
  createService,
  FlakyStore,
  nodePortService,
  service,
  serviceHarness,
  SERVICES,
  SERVICES_URL,
} from './service-test-support.js';

const RANGE = ipaddr.parseCIDR('10.96.0.0/12');
const inRange = (ip: string) => ipaddr.IPv4.isValidFourPartDecimal(ip) && ipaddr.parse(ip).match(RANGE);

describe('ClusterIP allocation on create', () => {
  it('gives a new Service a free address of the range, mirrored in clusterIPs, single-stack IPv4', async () => {
    const { service: svc } = await serviceHarness();
    const created = await createService(svc, service('web'));
    expect(inRange(created.spec.clusterIP!)).toBe(true);
    expect(created.spec.clusterIP).not.toMatch(/^10\.96\.0\.(0|1)$/);
    expect(created.spec.clusterIPs).toEqual([created.spec.clusterIP]);
    expect(created.spec.ipFamilies).toEqual(['IPv4']);
    expect(created.spec.ipFamilyPolicy).toBe('SingleStack');
  });

  it('hands out 500 different addresses to 500 Services', async () => {
    const { service: svc, used } = await serviceHarness();
    const ips = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const created = await createService(svc, service(`s${i}`));
      expect(inRange(created.spec.clusterIP!)).toBe(true);
      ips.add(created.spec.clusterIP!);
    }
    expect(ips.size).toBe(500);
    expect(used().ips).toBe(500);
  });

  it('never gives two concurrent creates the same address, even in a nearly full range', async () => {
    const { service: svc, used } = await serviceHarness({ serviceCIDR: '10.0.0.0/24' }); // 254 usable
    const results = await Promise.allSettled(
      Array.from({ length: 260 }, (_, i) => createService(svc, service(`c${i}`))),
    );
    const ips = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.spec.clusterIP!] : []));
    expect(ips).toHaveLength(254);
    expect(new Set(ips).size).toBe(254);
    const failures = results.filter((r) => r.status === 'rejected');
    expect(failures).toHaveLength(6);
    for (const f of failures) {
      expect((f as PromiseRejectedResult).reason).toMatchObject({
        code: 500,
        message: 'Internal error occurred: failed to allocate a serviceIP: range is full',
      });
    }
    expect(used().ips).toBe(254);
  });

  it('lets exactly one of two concurrent requests for the same address win', async () => {
    const { service: svc } = await serviceHarness();
    const results = await Promise.allSettled([
      createService(svc, service('a', { clusterIP: '10.96.0.50' })),
      createService(svc, service('b', { clusterIP: '10.96.0.50' })),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('accepts a requested address in the range, and refuses a taken or outside one as Kubernetes does', async () => {
    const { app } = await serviceHarness();
    const ok = await request(app)
      .post(SERVICES_URL)
      .send(service('dns', { clusterIP: '10.96.0.10' }))
      .expect(201);
    expect(ok.body.spec.clusterIPs).toEqual(['10.96.0.10']);

    const taken = await request(app)
      .post(SERVICES_URL)
      .send(service('dns2', { clusterIP: '10.96.0.10' }))
      .expect(422);
    expect(taken.body.message).toBe(
      'Service "dns2" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
    );
    expect(taken.body.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.clusterIPs',
        message:
          'Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
      },
    ]);

    const outside = await request(app)
      .post(SERVICES_URL)
      .send(service('far', { clusterIP: '1.2.3.4' }))
      .expect(422);
    expect(outside.body.message).toBe(
      'Service "far" is invalid: spec.clusterIPs: Invalid value: []string{"1.2.3.4"}: failed to allocate IP 1.2.3.4: the provided IP (1.2.3.4) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
  });

  it('honours a configured range', async () => {
    const { service: svc } = await serviceHarness({ serviceCIDR: '172.30.0.0/16' });
    const created = await createService(svc, service('web'));
    expect(created.spec.clusterIP).toMatch(/^172\.30\./);
    await expect(createService(svc, service('x', { clusterIP: '10.96.0.10' }))).rejects.toThrow(
      /The range of valid IPs is 172\.30\.0\.0\/16/,
    );
  });

  it('allocates nothing for headless and ExternalName Services', async () => {
    const { service: svc, used } = await serviceHarness();
    const headless = await createService(svc, service('db', { clusterIP: 'None' }));
    expect(headless.spec.clusterIPs).toEqual(['None']);
    const external = await createService(
      svc,
      service('ext', { type: 'ExternalName', externalName: 'db.example.com', ports: [] }),
    );
    expect(external.spec.clusterIP).toBeUndefined();
    expect(used()).toEqual({ ips: 0, ports: 0 });
  });
});

describe('NodePort allocation on create', () => {
  it('gives each port of a NodePort Service a node port from the range', async () => {
    const { service: svc, used } = await serviceHarness();
    const created = await createService(
      svc,
      nodePortService('web', [
        { name: 'http', port: 80 },
        { name: 'https', port: 443 },
      ]),
    );
    const nodePorts = created.spec.ports!.map((p) => p.nodePort!);
    for (const np of nodePorts) expect(np >= 30000 && np <= 32767).toBe(true);
    expect(new Set(nodePorts).size).toBe(2);
    expect(used()).toEqual({ ips: 1, ports: 2 });
  });

  it('gives the TCP and UDP entries of one port number one node port', async () => {
    const { service: svc, used } = await serviceHarness();
    const created = await createService(
      svc,
      nodePortService('dns', [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ]),
    );
    const [udp, tcp] = created.spec.ports!.map((p) => p.nodePort);
    expect(udp).toBe(tcp);
    expect(used().ports).toBe(1);
  });

  it('takes a requested node port, and refuses a taken or outside one with the port path', async () => {
    const { app, used } = await serviceHarness();
    await request(app)
      .post(SERVICES_URL)
      .send(nodePortService('a', [{ port: 80, nodePort: 30080 }]))
      .expect(201);
    const taken = await request(app)
      .post(SERVICES_URL)
      .send(
        nodePortService('b', [
          { name: 'x', port: 81 },
          { name: 'y', port: 82, nodePort: 30080 },
        ]),
      )
      .expect(422);
    expect(taken.body.message).toBe(
      'Service "b" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    const outside = await request(app)
      .post(SERVICES_URL)
      .send(nodePortService('c', [{ port: 80, nodePort: 8080 }]))
      .expect(422);
    expect(outside.body.message).toBe(
      'Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    // The refused Services hold nothing: neither their address nor the port allocated before the clash.
    expect(used()).toEqual({ ips: 1, ports: 1 });
  });

  it('allocates node ports for a LoadBalancer, which stays pending, unless it opts out', async () => {
    const { app, service: svc, used } = await serviceHarness();
    const lb = await createService(svc, service('lb', { type: 'LoadBalancer' }));
    expect(lb.spec.ports![0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(lb.status).toEqual({ loadBalancer: {} });
    const table = await request(app)
      .get(`${SERVICES_URL}/lb`)
      .set('Accept', 'application/json;as=Table;v=v1;g=meta.k8s.io')
      .expect(200);
    expect(table.body.rows[0].cells.slice(0, 5)).toEqual([
      'lb',
      'LoadBalancer',
      lb.spec.clusterIP,
      '<pending>',
      `80:${lb.spec.ports![0].nodePort}/TCP`,
    ]);
    const bare = await createService(
      svc,
      service('bare', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false } as Partial<
        Service['spec']
      >),
    );
    expect(bare.spec.ports![0].nodePort).toBeUndefined();
    expect(used()).toEqual({ ips: 2, ports: 1 });
  });
});

describe('release on delete', () => {
  it('frees the address and node ports for the next Service', async () => {
    const { service: svc, used } = await serviceHarness();
    await createService(
      svc,
      service('a', { type: 'NodePort', clusterIP: '10.96.0.77', ports: [{ port: 80, nodePort: 30077 }] }),
    );
    await expect(createService(svc, nodePortService('b', [{ port: 80, nodePort: 30077 }]))).rejects.toThrow(
      /already allocated/,
    );
    await svc.delete(SERVICES, 'default', 'a');
    expect(used()).toEqual({ ips: 0, ports: 0 });
    const again = await createService(
      svc,
      service('b', { type: 'NodePort', clusterIP: '10.96.0.77', ports: [{ port: 80, nodePort: 30077 }] }),
    );
    expect(again.spec.clusterIP).toBe('10.96.0.77');
  });

  it('keeps everything while a finalizer holds the Service, and frees it when the last one goes', async () => {
    const { service: svc, used } = await serviceHarness();
    const body = service('held', { clusterIP: '10.96.0.88' });
    body.metadata.finalizers = ['example.com/wait'];
    await createService(svc, body);
    const marked = await svc.delete(SERVICES, 'default', 'held');
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(used().ips).toBe(1);
    await svc.patch(SERVICES, 'default', 'held', 'merge', { metadata: { finalizers: null } });
    expect(used().ips).toBe(0);
    await createService(svc, service('next', { clusterIP: '10.96.0.88' }));
  });

  it('keeps everything on a dry-run delete and on deletecollection of nothing', async () => {
    const { service: svc, used } = await serviceHarness();
    await createService(svc, service('a'));
    await svc.delete(SERVICES, 'default', 'a', { dryRun: ['All'] });
    expect(used().ips).toBe(1);
    await svc.deleteCollection(SERVICES, 'default', {});
    expect(used().ips).toBe(0);
  });
});

describe('dry run', () => {
  it('answers with a would-be address and node port but keeps neither', async () => {
    const { app, used } = await serviceHarness();
    const res = await request(app)
      .post(`${SERVICES_URL}?dryRun=All`)
      .send(
        service('try', { type: 'NodePort', clusterIP: '10.96.0.99', ports: [{ port: 80, nodePort: 30099 }] }),
      )
      .expect(201);
    expect(res.body.spec.clusterIP).toBe('10.96.0.99');
    const dynamic = await request(app)
      .post(`${SERVICES_URL}?dryRun=All`)
      .send(nodePortService('dyn'))
      .expect(201);
    expect(inRange(dynamic.body.spec.clusterIP)).toBe(true);
    expect(dynamic.body.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(used()).toEqual({ ips: 0, ports: 0 });
    await request(app)
      .post(SERVICES_URL)
      .send(
        service('try', { type: 'NodePort', clusterIP: '10.96.0.99', ports: [{ port: 80, nodePort: 30099 }] }),
      )
      .expect(201);
  });

  it('still reports a taken address', async () => {
    const { app } = await serviceHarness();
    await request(app)
      .post(SERVICES_URL)
      .send(service('a', { clusterIP: '10.96.0.5' }))
      .expect(201);
    await request(app)
      .post(`${SERVICES_URL}?dryRun=All`)
      .send(service('b', { clusterIP: '10.96.0.5' }))
      .expect(422);
  });
});

describe('bad requests allocate nothing', () => {
  it.each<[string, Service, number]>([
    ['an invalid port', service('bad', { clusterIP: '10.96.0.20', ports: [{ port: 0 }] }), 422],
    ['a headless NodePort', service('bad', { type: 'NodePort', clusterIP: 'None' }), 422],
    ['a nodePort on a ClusterIP Service', service('bad', { ports: [{ port: 80, nodePort: 30020 }] }), 422],
    ['a missing namespace', { ...service('bad'), metadata: { name: 'bad', namespace: 'nope' } }, 404],
  ])('%s', async (_name, body, code) => {
    const { app, used } = await serviceHarness();
    const ns = body.metadata.namespace ?? 'default';
    await request(app).post(`/api/v1/namespaces/${ns}/services`).send(body).expect(code);
    expect(used()).toEqual({ ips: 0, ports: 0 });
  });

  it('an existing name: the would-be allocation is given back', async () => {
    const { service: svc, used } = await serviceHarness();
    await createService(svc, nodePortService('dup'));
    const err = await createService(svc, nodePortService('dup')).catch((e: unknown) => e);
    expect(isApiError(err, 'AlreadyExists')).toBe(true);
    expect(used()).toEqual({ ips: 1, ports: 1 });
  });

  it('a store write that fails: the allocation is rolled back', async () => {
    const { store, service: svc, used } = await serviceHarness();
    store.failNextWriteOf = 'services';
    await expect(createService(svc, nodePortService('x', [{ port: 80, nodePort: 30500 }]))).rejects.toThrow(
      'disk full',
    );
    expect(used()).toEqual({ ips: 0, ports: 0 });
    await createService(svc, nodePortService('x', [{ port: 80, nodePort: 30500 }]));
  });

  it('generateName clashes retry without leaking', async () => {
    const suffixes = ['aaaaa', 'aaaaa', 'bbbbb'];
    const { service: svc, used } = await serviceHarness();
    Object.assign(svc, { nameSuffix: () => suffixes.shift()! });
    const body = (): Service => ({ ...service(''), metadata: { generateName: 'gen-' } });
    await createService(svc, body());
    const second = await createService(svc, body());
    expect(second.metadata.name).toBe('gen-bbbbb');
    expect(used().ips).toBe(2);
  });
});

describe('after a restart', () => {
  it('rebuilds what the stored Services hold, so nothing is handed out twice', async () => {
    const store = new FlakyStore();
    const first = await serviceHarness({ store });
    await createService(first.service, service('dns', { clusterIP: '10.96.0.10' }));
    await createService(first.service, nodePortService('web', [{ port: 80, nodePort: 30080 }]));
    const earlier = new Set<string>();
    for (let i = 0; i < 50; i++)
      earlier.add((await createService(first.service, service(`s${i}`))).spec.clusterIP!);

    const second = await serviceHarness({ store }); // a new master on the same store
    await expect(createService(second.service, service('dns2', { clusterIP: '10.96.0.10' }))).rejects.toThrow(
      /provided IP is already allocated/,
    );
    await expect(
      createService(second.service, nodePortService('web2', [{ port: 80, nodePort: 30080 }])),
    ).rejects.toThrow(/provided port is already allocated/);
    expect(second.used()).toEqual({ ips: 52, ports: 1 });
    for (let i = 0; i < 50; i++) {
      const ip = (await createService(second.service, service(`t${i}`))).spec.clusterIP!;
      expect(earlier.has(ip)).toBe(false);
    }
    // Deleting a Service the new master never allocated for still frees what it held.
    await second.service.delete(SERVICES, 'default', 'dns');
    await createService(second.service, service('dns2', { clusterIP: '10.96.0.10' }));
  });
});
