import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { harness, node, pod } from './test-support.js';

const PODS_URL = '/api/v1/namespaces/default/pods';

function expectStatus(body: any, code: number, reason: string) {
  expect(body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
  expect(typeof body.message).toBe('string');
  expect(body.stack).toBeUndefined();
}

describe('HTTP CRUD', () => {
  it('creates, reads, lists, replaces and deletes pods', async () => {
    const { app } = await harness();
    const created = await request(app)
      .post(PODS_URL)
      .send(pod('web', { labels: { app: 'web' } }))
      .expect(201);
    expect(created.body).toMatchObject({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'web', namespace: 'default' },
    });
    const got = await request(app).get(`${PODS_URL}/web`).expect(200);
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    expect(got.body.metadata.uid).toBe(created.body.metadata.uid);

    const list = await request(app).get(`${PODS_URL}?limit=500`).expect(200);
    expect(list.body).toMatchObject({
      kind: 'PodList',
      apiVersion: 'v1',
      items: [{ kind: 'Pod', metadata: { name: 'web' } }],
    });
    expect(list.body.metadata.continue).toBeUndefined();
    expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThan(0);
    const all = await request(app).get('/api/v1/pods').expect(200);
    expect(all.body.items).toHaveLength(1);

    const next = { ...got.body, metadata: { ...got.body.metadata, labels: { app: 'web', v: '2' } } };
    const replaced = await request(app).put(`${PODS_URL}/web`).send(next).expect(200);
    expect(replaced.body.metadata.labels).toEqual({ app: 'web', v: '2' });

    const deleted = await request(app)
      .delete(`${PODS_URL}/web`)
      .send({ propagationPolicy: 'Background' })
      .expect(200);
    expect(deleted.body.metadata.name).toBe('web');
    await request(app).get(`${PODS_URL}/web`).expect(404);
  });

  it('serves cluster-scoped nodes and namespaces', async () => {
    const { app } = await harness();
    await request(app).post('/api/v1/nodes').send(node('n1')).expect(201);
    const n = await request(app).get('/api/v1/nodes/n1').expect(200);
    expect(n.body.metadata.namespace).toBeUndefined();
    await request(app).get('/api/v1/namespaces/default/nodes/n1').expect(404);
    await request(app)
      .patch('/api/v1/nodes/n1')
      .set('Content-Type', 'application/strategic-merge-patch+json')
      .send({ spec: { unschedulable: true } })
      .expect(200);
    expect((await request(app).get('/api/v1/nodes/n1')).body.spec.unschedulable).toBe(true);

    await request(app)
      .post('/api/v1/namespaces')
      .send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } })
      .expect(201);
    const ns = await request(app).get('/api/v1/namespaces/team').expect(200);
    expect(ns.body.status.phase).toBe('Active');
    const del = await request(app).delete('/api/v1/namespaces/team').expect(200);
    expect(del.body.status.phase).toBe('Terminating');
    const forbidden = await request(app).delete('/api/v1/namespaces/kube-system').expect(403);
    expectStatus(forbidden.body, 403, 'Forbidden');
  });

  it('creates events and selects them by involvedObject fields (kubectl describe)', async () => {
    const { app } = await harness();
    const ev = (name: string, pod: string) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name },
      involvedObject: { kind: 'Pod', namespace: 'default', name: pod, uid: `uid-${pod}` },
      reason: 'Scheduled',
      message: `assigned ${pod}`,
      type: 'Normal',
      count: 1,
    });
    await request(app).post('/api/v1/namespaces/default/events').send(ev('a.1', 'a')).expect(201);
    await request(app).post('/api/v1/namespaces/default/events').send(ev('b.1', 'b')).expect(201);
    const res = await request(app)
      .get('/api/v1/namespaces/default/events')
      .query({
        fieldSelector: 'involvedObject.namespace=default,involvedObject.uid=uid-a,involvedObject.name=a',
        limit: 500,
      })
      .expect(200);
    expect(res.body.items.map((e: any) => e.metadata.name)).toEqual(['a.1']);
  });

  it('generateName gives 201 with a generated name', async () => {
    const { app } = await harness();
    const res = await request(app)
      .post(PODS_URL)
      .send({ ...pod(''), metadata: { generateName: 'web-' } })
      .expect(201);
    expect(res.body.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('answers dryRun=All without storing', async () => {
    const { app } = await harness();
    await request(app).post(`${PODS_URL}?dryRun=All`).send(pod('dry')).expect(201);
    await request(app).get(`${PODS_URL}/dry`).expect(404);
    const bad = await request(app).post(`${PODS_URL}?dryRun=Some`).send(pod('dry')).expect(400);
    expectStatus(bad.body, 400, 'BadRequest');
  });

  it('accepts YAML bodies and PUT without Content-Type', async () => {
    const { app } = await harness();
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n';
    await request(app)
      .post('/api/v1/namespaces/default/configmaps')
      .set('Content-Type', 'application/yaml')
      .send(yaml)
      .expect(201);
    const cm = (await request(app).get('/api/v1/namespaces/default/configmaps/cfg')).body;
    const raw = Buffer.from(JSON.stringify({ ...cm, data: { a: '2' } }));
    const res = await request(app)
      .put('/api/v1/namespaces/default/configmaps/cfg')
      .set('Content-Type', '')
      .send(raw)
      .expect(200);
    expect(res.body.data).toEqual({ a: '2' });
  });
});

describe('HTTP errors', () => {
  it('404 Status for unknown paths, resources and objects', async () => {
    const { app } = await harness();
    for (const url of [
      '/nope',
      '/api/v1/widgets',
      '/apis/apps/v9/deployments',
      '/openapi/v2',
      '/api/v1/namespaces/default/pods/a/b/c',
    ]) {
      const res = await request(app).get(url).expect(404);
      expectStatus(res.body, 404, 'NotFound');
    }
    const res = await request(app).get(`${PODS_URL}/missing`).expect(404);
    expect(res.body.message).toBe('pods "missing" not found');
    expect(res.body.details).toEqual({ name: 'missing', group: '', kind: 'pods' });
  });

  it('409 AlreadyExists and Conflict', async () => {
    const { app } = await harness();
    const first = await request(app).post(PODS_URL).send(pod('web')).expect(201);
    const dup = await request(app).post(PODS_URL).send(pod('web')).expect(409);
    expectStatus(dup.body, 409, 'AlreadyExists');
    expect(dup.body.message).toBe('pods "web" already exists');
    await request(app)
      .put(`${PODS_URL}/web`)
      .send({ ...first.body, metadata: { ...first.body.metadata, labels: { a: 'b' } } })
      .expect(200);
    const stale = await request(app)
      .put(`${PODS_URL}/web`)
      .send({ ...first.body, metadata: { ...first.body.metadata, labels: { c: 'd' } } })
      .expect(409);
    expectStatus(stale.body, 409, 'Conflict');
    expect(stale.body.message).toContain('the object has been modified');
    expect((await request(app).get(`${PODS_URL}/web`)).body.metadata.labels).toEqual({ a: 'b' });
  });

  it('422 with causes and field paths, storing nothing', async () => {
    const { app, store } = await harness();
    const before = await store.revision();
    const noImage = pod('web');
    delete noImage.spec.containers[0].image;
    const res = await request(app).post(PODS_URL).send(noImage).expect(422);
    expectStatus(res.body, 422, 'Invalid');
    expect(res.body.details.kind).toBe('Pod');
    expect(res.body.details.name).toBe('web');
    expect(res.body.details.causes).toContainEqual(
      expect.objectContaining({ field: 'spec.containers[0].image', reason: 'FieldValueRequired' }),
    );
    const upper = await request(app).post(PODS_URL).send(pod('Web')).expect(422);
    expect(upper.body.details.causes[0].field).toBe('metadata.name');
    expect(await store.revision()).toBe(before);
  });

  it('400 for malformed JSON/YAML, wrong kinds and namespace mismatches; nothing stored', async () => {
    const { app, store } = await harness();
    const before = await store.revision();
    const badJson = await request(app)
      .post(PODS_URL)
      .set('Content-Type', 'application/json')
      .send('{"kind": "Pod",')
      .expect(400);
    expectStatus(badJson.body, 400, 'BadRequest');
    expect(badJson.body.message).toMatch(/not valid JSON/);
    const badYaml = await request(app)
      .post(PODS_URL)
      .set('Content-Type', 'application/yaml')
      .send('a: [b\n  c: {')
      .expect(400);
    expect(badYaml.body.message).toMatch(/not valid YAML/);
    const arr = await request(app).post(PODS_URL).send([1, 2]).expect(400);
    expectStatus(arr.body, 400, 'BadRequest');
    const wrongKind = await request(app)
      .post(PODS_URL)
      .send({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } })
      .expect(400);
    expectStatus(wrongKind.body, 400, 'BadRequest');
    const wrongNs = await request(app)
      .post(PODS_URL)
      .send({ ...pod('x'), metadata: { name: 'x', namespace: 'other' } })
      .expect(400);
    expect(wrongNs.body.message).toBe(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
    const empty = await request(app)
      .post(PODS_URL)
      .set('Content-Type', 'application/json')
      .send('')
      .expect(400);
    expectStatus(empty.body, 400, 'BadRequest');
    const garbagePb = await request(app)
      .post(PODS_URL)
      .set('Content-Type', 'application/vnd.kubernetes.protobuf')
      .send(Buffer.from('nonsense'))
      .expect(400);
    expectStatus(garbagePb.body, 400, 'BadRequest');
    expect(await store.revision()).toBe(before);
  });

  it('415 for unknown content types, 405 for unsupported methods, 413 for huge bodies', async () => {
    const { app } = await harness();
    const res = await request(app).post(PODS_URL).set('Content-Type', 'text/plain').send('hello').expect(415);
    expectStatus(res.body, 415, 'UnsupportedMediaType');
    await request(app).post(PODS_URL).send(pod('web')).expect(201);
    const patchJson = await request(app)
      .patch(`${PODS_URL}/web`)
      .set('Content-Type', 'application/json')
      .send({})
      .expect(415);
    expectStatus(patchJson.body, 415, 'UnsupportedMediaType');
    const post = await request(app).post(`${PODS_URL}/web`).send(pod('web')).expect(405);
    expectStatus(post.body, 405, 'MethodNotAllowed');
    const huge = {
      ...pod('big'),
      metadata: { name: 'big', annotations: { a: 'x'.repeat(3 * 1024 * 1024) } },
    };
    const big = await request(app).post(PODS_URL).send(huge).expect(413);
    expectStatus(big.body, 413, 'RequestEntityTooLarge');
  });

  it('500 Status without a stack for unexpected failures, and the server keeps serving', async () => {
    const { app, store } = await harness();
    const list = store.list.bind(store);
    store.list = async () => {
      throw new Error('disk on fire');
    };
    const res = await request(app).get(PODS_URL).expect(500);
    expectStatus(res.body, 500, 'InternalError');
    expect(res.body.message).toBe('Internal error occurred: disk on fire');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js/);
    store.list = list;
    await request(app).get(PODS_URL).expect(200);
  });

  it('400 field label not supported', async () => {
    const { app } = await harness();
    const res = await request(app).get(PODS_URL).query({ fieldSelector: 'spec.bogus=x' }).expect(400);
    expect(res.body.message).toBe('field label not supported: spec.bogus');
  });
});

describe('HTTP subresources', () => {
  it('status isolation: PUT/PATCH …/status change only status, main writes keep status', async () => {
    const { app } = await harness();
    const created = (await request(app).post(PODS_URL).send(pod('web')).expect(201)).body;
    const st = await request(app)
      .put(`${PODS_URL}/web/status`)
      .send({
        ...created,
        metadata: { ...created.metadata, labels: { x: 'y' } },
        status: { phase: 'Running' },
      })
      .expect(200);
    expect(st.body.status.phase).toBe('Running');
    expect(st.body.metadata.labels).toBeUndefined();
    const main = await request(app)
      .patch(`${PODS_URL}/web`)
      .set('Content-Type', 'application/merge-patch+json')
      .send({ status: { phase: 'Failed' }, metadata: { labels: { x: 'y' } } })
      .expect(200);
    expect(main.body.status.phase).toBe('Running');
    expect(main.body.metadata.labels).toEqual({ x: 'y' });
    const patched = await request(app)
      .patch(`${PODS_URL}/web/status`)
      .set('Content-Type', 'application/merge-patch+json')
      .send({ status: { podIP: '10.244.0.5' } })
      .expect(200);
    expect(patched.body.status).toMatchObject({ phase: 'Running', podIP: '10.244.0.5' });
    expect((await request(app).get(`${PODS_URL}/web/status`).expect(200)).body.status.podIP).toBe(
      '10.244.0.5',
    );
    await request(app).get('/api/v1/namespaces/default/configmaps/x/status').expect(404);
  });

  it('binding: 201 then 409 on a second binding', async () => {
    const { app } = await harness();
    await request(app).post(PODS_URL).send(pod('web')).expect(201);
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'web' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'n1' },
    };
    const ok = await request(app).post(`${PODS_URL}/web/binding`).send(binding).expect(201);
    expect(ok.body).toMatchObject({ kind: 'Status', status: 'Success' });
    const again = await request(app).post(`${PODS_URL}/web/binding`).send(binding).expect(409);
    expectStatus(again.body, 409, 'Conflict');
    expect((await request(app).get(`${PODS_URL}/web`)).body.spec.nodeName).toBe('n1');
  });

  it('graceful deletion over HTTP, then the final delete with grace 0', async () => {
    const { app } = await harness();
    await request(app)
      .post(PODS_URL)
      .send(pod('web', { nodeName: 'n1' }))
      .expect(201);
    const marked = await request(app).delete(`${PODS_URL}/web`).expect(200);
    expect(marked.body.metadata.deletionGracePeriodSeconds).toBe(30);
    const table = await request(app)
      .get(PODS_URL)
      .set('Accept', 'application/json;as=Table;v=v1;g=meta.k8s.io')
      .expect(200);
    expect(table.body.rows[0].cells[2]).toBe('Terminating');
    await request(app).delete(`${PODS_URL}/web?gracePeriodSeconds=0`).expect(200);
    await request(app).get(`${PODS_URL}/web`).expect(404);
  });

  it('namespaces/finalize changes only spec.finalizers; emptying them completes a terminating namespace', async () => {
    const { app } = await harness();
    await request(app)
      .post('/api/v1/namespaces')
      .send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } })
      .expect(201);
    await request(app).delete('/api/v1/namespaces/team').expect(200);
    const kept = await request(app)
      .put('/api/v1/namespaces/team/finalize')
      .send({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'team', labels: { ignored: 'yes' } },
        spec: { finalizers: ['kubernetes', 'x/y'] },
      })
      .expect(200);
    expect(kept.body.spec.finalizers).toEqual(['kubernetes', 'x/y']);
    expect(kept.body.metadata.labels).toBeUndefined();
    await request(app)
      .put('/api/v1/namespaces/team/finalize')
      .send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' }, spec: { finalizers: [] } })
      .expect(200);
    await request(app).get('/api/v1/namespaces/team').expect(404);
  });

  it('DELETE on a collection deletes what the selectors match', async () => {
    const { app } = await harness();
    await request(app)
      .post(PODS_URL)
      .send(pod('a', { labels: { app: 'x' } }))
      .expect(201);
    await request(app)
      .post(PODS_URL)
      .send(pod('b', { labels: { app: 'y' } }))
      .expect(201);
    const res = await request(app).delete(`${PODS_URL}?labelSelector=app%3Dx`).expect(200);
    expect(res.body).toMatchObject({ kind: 'PodList', items: [{ metadata: { name: 'a' } }] });
    const left = await request(app).get(PODS_URL).expect(200);
    expect(left.body.items.map((p: any) => p.metadata.name)).toEqual(['b']);
  });

  it('a plain request to exec or attach needs an upgrade', async () => {
    const { app } = await harness();
    await request(app).post(PODS_URL).send(pod('web')).expect(201);
    for (const sub of ['exec', 'attach']) {
      const res = await request(app).post(`${PODS_URL}/web/${sub}?command=ls`).expect(400);
      expect(res.body.message).toBe('Upgrade request required');
    }
  });

  it('health endpoints answer ok', async () => {
    const { app } = await harness();
    for (const p of ['/healthz', '/livez', '/readyz'])
      expect((await request(app).get(p).expect(200)).text).toBe('ok');
  });

  it('the authentication and authorization seam runs before the routes', async () => {
    const { store, registry, clock } = await harness();
    const { createApp } = await import('./app.js');
    const { unauthorized, forbiddenRequest } = await import('../common/errors.js');
    const seen: { user: string; body?: string }[] = [];
    const app = createApp({
      store,
      registry,
      clock,
      guard: {
        authenticate: async (req) => {
          if (req.headers.authorization !== 'Bearer good') throw unauthorized();
          return { name: 'alice', groups: [] };
        },
        authorize: async (user, req, body) => {
          seen.push({ user: user.name, body: body?.toString('utf8') });
          if (req.method !== 'GET') throw forbiddenRequest('no writes');
        },
      },
    });
    const res = await request(app).get(PODS_URL).expect(401);
    expectStatus(res.body, 401, 'Unauthorized');
    await request(app).get(PODS_URL).set('Authorization', 'Bearer good').expect(200);
    const denied = await request(app)
      .post(PODS_URL)
      .set('Authorization', 'Bearer good')
      .set('Content-Type', 'application/json')
      .send('{"metadata":{"name":"x"}}')
      .expect(403);
    expectStatus(denied.body, 403, 'Forbidden');
    expect(seen.at(-1)).toEqual({ user: 'alice', body: '{"metadata":{"name":"x"}}' });
    await request(app).get('/healthz').expect(200);
  });
});
