// Service updates and their allocations: writers that leave the allocated values out keep them (replace,
// client-side and server-side apply), type changes allocate and release, the clusterIP is immutable, and a
// refused or failed update changes nothing.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Service } from '../api/types.js';
import {
  createService,
  nodePortService,
  service,
  serviceHarness,
  SERVICES,
  SERVICES_URL,
} from './service-test-support.js';

const SMP = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

async function withNodePortService() {
  const h = await serviceHarness();
  const created = await createService(h.service, nodePortService('web', [{ port: 80, targetPort: 8080 }]));
  return { ...h, created, ip: created.spec.clusterIP!, nodePort: created.spec.ports![0].nodePort! };
}

describe('writers that leave allocated values out keep them', () => {
  it('kubectl replace of the original file (PUT without clusterIP and nodePort)', async () => {
    const { app, ip, nodePort, used } = await withNodePortService();
    const current = await request(app).get(`${SERVICES_URL}/web`).expect(200);
    const file = nodePortService('web', [{ port: 80, targetPort: 9090 }]);
    file.metadata.resourceVersion = current.body.metadata.resourceVersion;
    const res = await request(app).put(`${SERVICES_URL}/web`).send(file).expect(200);
    expect(res.body.spec.clusterIP).toBe(ip);
    expect(res.body.spec.clusterIPs).toEqual([ip]);
    expect(res.body.spec.ports).toEqual([{ port: 80, targetPort: 9090, protocol: 'TCP', nodePort }]);
    expect(used()).toEqual({ ips: 1, ports: 1 });
  });

  it('kubectl apply whose new file drops the clusterIP and nodePort the last one had', async () => {
    const { app, used } = await serviceHarness();
    const first = service('web', {
      type: 'NodePort',
      clusterIP: '10.96.0.40',
      ports: [{ port: 80, targetPort: 8080, nodePort: 30040 }],
    });
    first.metadata.annotations = { [LAST_APPLIED]: JSON.stringify(first) };
    await request(app).post(SERVICES_URL).send(first).expect(201);
    // What kubectl's three-way merge sends when the file no longer names them.
    const res = await request(app)
      .patch(`${SERVICES_URL}/web?fieldManager=kubectl-client-side-apply`)
      .set('Content-Type', SMP)
      .send({
        metadata: { annotations: { [LAST_APPLIED]: '{"file":"without them"}' } },
        spec: {
          clusterIP: null,
          '$setElementOrder/ports': [{ port: 80 }],
          ports: [{ port: 80, nodePort: null, targetPort: 9090 }],
        },
      })
      .expect(200);
    expect(res.body.spec.clusterIP).toBe('10.96.0.40');
    expect(res.body.spec.clusterIPs).toEqual(['10.96.0.40']);
    expect(res.body.spec.ports[0]).toMatchObject({ nodePort: 30040, targetPort: 9090 });
    expect(used()).toEqual({ ips: 1, ports: 1 });
  });

  it('server-side apply of a file without them', async () => {
    const { app, ip, nodePort } = await withNodePortService();
    const res = await request(app)
      .patch(`${SERVICES_URL}/web?fieldManager=kubectl&force=false`)
      .set('Content-Type', 'application/apply-patch+yaml')
      .send(JSON.stringify(nodePortService('web', [{ port: 80, targetPort: 8081 }])))
      .expect(200);
    expect(res.body.spec.clusterIP).toBe(ip);
    expect(res.body.spec.ports[0]).toMatchObject({ nodePort, targetPort: 8081 });
  });

  it('a headless Service stays headless', async () => {
    const { service: svc } = await serviceHarness();
    const created = await createService(svc, service('db', { clusterIP: 'None' }));
    const body = service('db', { ports: [{ port: 5432 }] });
    body.metadata.resourceVersion = created.metadata.resourceVersion;
    const updated = (await svc.update(SERVICES, 'default', 'db', body)) as Service;
    expect(updated.spec.clusterIPs).toEqual(['None']);
  });
});

describe('the clusterIP is immutable', () => {
  it.each(['10.96.9.9', 'None'])('changing it to %s is refused and changes no allocation', async (to) => {
    const { app, service: svc, used } = await serviceHarness();
    await createService(svc, service('web'));
    const res = await request(app)
      .patch(`${SERVICES_URL}/web`)
      .set('Content-Type', MERGE)
      .send({ spec: { clusterIP: to } })
      .expect(422);
    expect(res.body.message).toBe(
      `Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"${to}"}: may not change once set`,
    );
    expect(used().ips).toBe(1);
  });
});

describe('type changes', () => {
  it('ClusterIP → NodePort allocates node ports; NodePort → ClusterIP frees them', async () => {
    const { app, service: svc, used } = await serviceHarness();
    await createService(svc, service('web'));
    const np = await request(app)
      .patch(`${SERVICES_URL}/web`)
      .set('Content-Type', MERGE)
      .send({ spec: { type: 'NodePort' } })
      .expect(200);
    const nodePort = np.body.spec.ports[0].nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(np.body.spec.externalTrafficPolicy).toBe('Cluster');
    expect(used()).toEqual({ ips: 1, ports: 1 });

    const back = await request(app)
      .patch(`${SERVICES_URL}/web`)
      .set('Content-Type', MERGE)
      .send({ spec: { type: 'ClusterIP' } })
      .expect(200);
    expect(back.body.spec.ports[0].nodePort).toBeUndefined();
    expect(back.body.spec.externalTrafficPolicy).toBeUndefined();
    expect(used()).toEqual({ ips: 1, ports: 0 });
    await createService(svc, nodePortService('other', [{ port: 80, nodePort }]));
  });

  it('NodePort → ClusterIP with a changed node port is refused and frees nothing', async () => {
    const { app, nodePort, used } = await withNodePortService();
    const other = nodePort === 30001 ? 30002 : 30001;
    const res = await request(app)
      .patch(`${SERVICES_URL}/web`)
      .set('Content-Type', MERGE)
      .send({ spec: { type: 'ClusterIP', ports: [{ port: 80, targetPort: 8080, nodePort: other }] } })
      .expect(422);
    expect(res.body.message).toMatch(
      /spec.ports\[0\].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'/,
    );
    expect(used()).toEqual({ ips: 1, ports: 1 });
  });

  it('→ ExternalName frees the clusterIP; back to ClusterIP allocates a new one', async () => {
    const { app, service: svc, used } = await serviceHarness();
    await createService(svc, service('web', { clusterIP: '10.96.0.60' }));
    const ext = await request(app)
      .patch(`${SERVICES_URL}/web`)
      .set('Content-Type', MERGE)
      .send({ spec: { type: 'ExternalName', externalName: 'db.example.com' } })
      .expect(200);
    expect(ext.body.spec.clusterIP).toBeUndefined();
    expect(ext.body.spec.clusterIPs).toBeUndefined();
    expect(ext.body.spec.ipFamilies).toBeUndefined();
    expect(used().ips).toBe(0);
    await createService(svc, service('taker', { clusterIP: '10.96.0.60' }));

    const back = await request(app)
      .patch(`${SERVICES_URL}/web`)
      .set('Content-Type', MERGE)
      .send({ spec: { type: 'ClusterIP', externalName: null } })
      .expect(200);
    expect(back.body.spec.clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\./);
    expect(back.body.spec.clusterIP).not.toBe('10.96.0.60');
    expect(back.body.spec.ipFamilies).toEqual(['IPv4']);
    expect(used().ips).toBe(2);
  });

  it('LoadBalancer → NodePort keeps the node ports', async () => {
    const { app, service: svc, used } = await serviceHarness();
    const lb = await createService(svc, service('lb', { type: 'LoadBalancer' }));
    const res = await request(app)
      .patch(`${SERVICES_URL}/lb`)
      .set('Content-Type', MERGE)
      .send({ spec: { type: 'NodePort' } })
      .expect(200);
    expect(res.body.spec.ports[0].nodePort).toBe(lb.spec.ports![0].nodePort);
    expect(res.body.spec.allocateLoadBalancerNodePorts).toBeUndefined();
    expect(used().ports).toBe(1);
  });
});

describe('node ports on update', () => {
  it('a new port gets a node port, a removed port frees its own', async () => {
    const { app, nodePort, used } = await withNodePortService();
    const two = await request(app)
      .patch(`${SERVICES_URL}/web`)
      .set('Content-Type', MERGE)
      .send({
        spec: {
          ports: [
            { name: 'http', port: 80, targetPort: 8080, nodePort },
            { name: 'https', port: 443 },
          ],
        },
      })
      .expect(200);
    const added = two.body.spec.ports[1].nodePort;
    expect(added).toBeGreaterThanOrEqual(30000);
    expect(added).not.toBe(nodePort);
    expect(used().ports).toBe(2);
    const one = await request(app)
      .patch(`${SERVICES_URL}/web`)
      .set('Content-Type', MERGE)
      .send({ spec: { ports: [{ name: 'https', port: 443, nodePort: added }] } })
      .expect(200);
    expect(one.body.spec.ports).toHaveLength(1);
    expect(used().ports).toBe(1);
  });

  it('moving to a taken node port is refused; the old one stays held', async () => {
    const { app, service: svc, nodePort, used } = await withNodePortService();
    await createService(svc, nodePortService('other', [{ port: 80, nodePort: 30999 }]));
    const res = await request(app)
      .patch(`${SERVICES_URL}/web`)
      .set('Content-Type', MERGE)
      .send({ spec: { ports: [{ port: 80, targetPort: 8080, nodePort: 30999 }] } })
      .expect(422);
    expect(res.body.message).toBe(
      'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30999: provided port is already allocated',
    );
    expect(used().ports).toBe(2);
    const current = await svc.get(SERVICES, 'default', 'web');
    expect((current as Service).spec.ports![0].nodePort).toBe(nodePort);
  });

  it('moving to a free node port frees the old one once stored', async () => {
    const { service: svc, nodePort, used } = await withNodePortService();
    await svc.patch(SERVICES, 'default', 'web', 'merge', {
      spec: { ports: [{ port: 80, nodePort: 31999 }] },
    });
    expect(used().ports).toBe(1);
    await createService(svc, nodePortService('other', [{ port: 80, nodePort }]));
  });
});

describe('updates that are not stored change no allocation', () => {
  it('a store write that fails', async () => {
    const { store, service: svc, used } = await serviceHarness();
    await createService(svc, service('web'));
    store.failNextWriteOf = 'services';
    await expect(
      svc.patch(SERVICES, 'default', 'web', 'merge', { spec: { type: 'NodePort' } }),
    ).rejects.toThrow('disk full');
    expect(used()).toEqual({ ips: 1, ports: 0 });
  });

  it('a dry run (refused, then accepted) shows the would-be node port but keeps it not', async () => {
    const { app, used } = await withNodePortService();
    const before = used();
    const res = await request(app)
      .patch(`${SERVICES_URL}/web?dryRun=All`)
      .set('Content-Type', MERGE)
      .send({ spec: { ports: [{ port: 80 }, { name: 'b', port: 81 }] } })
      .expect(422); // several ports need names: refused before anything is allocated
    expect(res.body.message).toMatch(/spec.ports\[0\].name: Required value/);
    const ok = await request(app)
      .patch(`${SERVICES_URL}/web?dryRun=All`)
      .set('Content-Type', MERGE)
      .send({
        spec: {
          ports: [
            { name: 'a', port: 80 },
            { name: 'b', port: 81 },
          ],
        },
      })
      .expect(200);
    expect(ok.body.spec.ports[1].nodePort).toBeGreaterThanOrEqual(30000);
    expect(used()).toEqual(before);
  });

  it('a status update', async () => {
    const { service: svc, ip, used } = await withNodePortService();
    const current = (await svc.get(SERVICES, 'default', 'web')) as Service;
    current.status = { loadBalancer: { ingress: [{ ip: '5.6.7.8' }] } };
    current.spec.clusterIP = '10.96.1.1';
    const updated = (await svc.updateStatus(SERVICES, 'default', 'web', current)) as Service;
    expect(updated.spec.clusterIP).toBe(ip);
    expect(used()).toEqual({ ips: 1, ports: 1 });
  });
});
