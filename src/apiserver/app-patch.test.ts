import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { harness } from './test-support.js';

const PODS_URL = '/api/v1/namespaces/default/pods';
const SMP = 'application/strategic-merge-patch+json';

function twoContainerPod() {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', labels: { app: 'web' }, annotations: { keep: 'me' } },
    spec: {
      containers: [
        {
          name: 'nginx',
          image: 'nginx:1.25',
          ports: [{ containerPort: 80 }],
          env: [{ name: 'A', value: '0' }],
        },
        { name: 'side', image: 'busybox' },
      ],
    },
  };
}

async function setup() {
  const h = await harness();
  await request(h.app).post(PODS_URL).send(twoContainerPod()).expect(201);
  return h;
}

describe('PATCH', () => {
  it('strategic merge: kubectl apply second-apply body (annotation + field)', async () => {
    const { app } = await setup();
    const res = await request(app)
      .patch(`${PODS_URL}/web?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`)
      .set('Content-Type', SMP)
      .send({
        metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"x":1}\n' } },
        spec: { activeDeadlineSeconds: 600 },
      })
      .expect(200);
    expect(res.body.metadata.annotations).toEqual({
      keep: 'me',
      'kubectl.kubernetes.io/last-applied-configuration': '{"x":1}\n',
    });
    expect(res.body.spec.activeDeadlineSeconds).toBe(600);
    expect(res.body.spec.containers.map((c: any) => c.name)).toEqual(['nginx', 'side']);
  });

  it('strategic merge: set image with $setElementOrder merges containers by name', async () => {
    const { app } = await setup();
    const res = await request(app)
      .patch(`${PODS_URL}/web`)
      .set('Content-Type', SMP)
      .send({
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'side' }],
          containers: [{ image: 'nginx:1.27', name: 'nginx' }],
        },
      })
      .expect(200);
    const containers = res.body.spec.containers;
    expect(containers.map((c: any) => c.name)).toEqual(['nginx', 'side']);
    const nginx = containers.find((c: any) => c.name === 'nginx');
    expect(nginx.image).toBe('nginx:1.27');
    expect(nginx.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(nginx.env).toEqual([{ name: 'A', value: '0' }]);
    expect(res.body.metadata.generation).toBe(2);
  });

  it('strategic merge: an element order the pod may not take is refused with 422', async () => {
    const { app } = await setup();
    const res = await request(app)
      .patch(`${PODS_URL}/web`)
      .set('Content-Type', SMP)
      .send({
        spec: {
          '$setElementOrder/containers': [{ name: 'side' }, { name: 'nginx' }],
          containers: [{ name: 'nginx' }],
        },
      })
      .expect(422);
    expect(res.body.details.causes[0].field).toBe('spec');
  });

  it('strategic merge: $setElementOrder reorders a keyed list (service ports)', async () => {
    const { app } = await harness();
    const svcUrl = '/api/v1/namespaces/default/services';
    await request(app)
      .post(svcUrl)
      .send({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: {
          selector: { app: 'web' },
          ports: [
            { name: 'http', port: 80 },
            { name: 'https', port: 443 },
          ],
        },
      })
      .expect(201);
    const res = await request(app)
      .patch(`${svcUrl}/web`)
      .set('Content-Type', SMP)
      .send({
        spec: {
          '$setElementOrder/ports': [{ port: 443 }, { port: 80 }],
          ports: [{ port: 443, targetPort: 8443 }],
        },
      })
      .expect(200);
    expect(res.body.spec.ports.map((p: any) => [p.name, p.port, p.targetPort])).toEqual([
      ['https', 443, 8443],
      ['http', 80, 80],
    ]);
  });

  it('merge patch: kubectl label / annotate', async () => {
    const { app } = await setup();
    const res = await request(app)
      .patch(`${PODS_URL}/web`)
      .set('Content-Type', 'application/merge-patch+json')
      .send({ metadata: { labels: { tier: 'fe', app: null } } })
      .expect(200);
    expect(res.body.metadata.labels).toEqual({ tier: 'fe' });
    expect(res.body.metadata.generation).toBe(1); // metadata only
  });

  it('JSON patch: replace, add, remove and a failing test', async () => {
    const { app, store } = await setup();
    const res = await request(app)
      .patch(`${PODS_URL}/web`)
      .set('Content-Type', 'application/json-patch+json')
      .send([
        { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.26' },
        { op: 'add', path: '/metadata/labels/x', value: 'y' },
        { op: 'remove', path: '/metadata/annotations/keep' },
      ])
      .expect(200);
    expect(res.body.spec.containers[0].image).toBe('nginx:1.26');
    expect(res.body.metadata.labels).toEqual({ app: 'web', x: 'y' });
    expect(res.body.metadata.annotations).toEqual({});
    const before = await store.revision();
    const failed = await request(app)
      .patch(`${PODS_URL}/web`)
      .set('Content-Type', 'application/json-patch+json')
      .send([{ op: 'test', path: '/metadata/name', value: 'other' }])
      .expect(422);
    expect(failed.body.kind).toBe('Status');
    await request(app)
      .patch(`${PODS_URL}/web`)
      .set('Content-Type', 'application/json-patch+json')
      .send({ not: 'an array' })
      .expect(400);
    expect(await store.revision()).toBe(before);
  });

  it('server-side apply: creates (201) then merges (200); YAML bodies work', async () => {
    const { app } = await harness();
    const url =
      '/api/v1/namespaces/default/configmaps/cfg?fieldManager=kubectl&fieldValidation=Strict&force=false';
    const first = await request(app)
      .patch(url)
      .set('Content-Type', 'application/apply-patch+yaml')
      .send(
        JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } }),
      )
      .expect(201);
    expect(first.body.metadata.uid).toBeDefined();
    const second = await request(app)
      .patch(url)
      .set('Content-Type', 'application/apply-patch+yaml')
      .send('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  b: "2"\n')
      .expect(200);
    expect(second.body.data).toEqual({ a: '1', b: '2' });
  });

  it('a patch that changes nothing keeps the resourceVersion', async () => {
    const { app } = await setup();
    const before = (await request(app).get(`${PODS_URL}/web`)).body.metadata.resourceVersion;
    const res = await request(app)
      .patch(`${PODS_URL}/web`)
      .set('Content-Type', SMP)
      .send({ metadata: { labels: { app: 'web' } } })
      .expect(200);
    expect(res.body.metadata.resourceVersion).toBe(before);
  });

  it('a patch carrying a stale resourceVersion is a 409', async () => {
    const { app } = await setup();
    const stale = (await request(app).get(`${PODS_URL}/web`)).body.metadata.resourceVersion;
    await request(app)
      .patch(`${PODS_URL}/web`)
      .set('Content-Type', SMP)
      .send({ metadata: { labels: { v: '1' } } })
      .expect(200);
    const res = await request(app)
      .patch(`${PODS_URL}/web`)
      .set('Content-Type', 'application/merge-patch+json')
      .send({ metadata: { resourceVersion: stale, labels: { v: '2' } } })
      .expect(409);
    expect(res.body.reason).toBe('Conflict');
  });

  it('404 for patching a missing object (except apply)', async () => {
    const { app } = await harness();
    await request(app).patch(`${PODS_URL}/nope`).set('Content-Type', SMP).send({ metadata: {} }).expect(404);
  });
});
