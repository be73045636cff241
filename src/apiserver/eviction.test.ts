// pods/{name}/eviction as `kubectl drain` drives it: a policy/v1 Eviction (JSON or protobuf) → 201 Success
// Status, the pod marked DisruptionTarget and deleted gracefully with the Eviction's deleteOptions; 404 for a
// missing pod, 400 for a body naming another pod; the subresource listed in discovery where drain looks.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { DISRUPTION_TARGET, evictionDeleteOptions, withDisruptionTarget } from './eviction.js';
import { k8sSchema } from './protobuf/schema.js';
import { harness, pod } from './test-support.js';

const PODS_URL = '/api/v1/namespaces/default/pods';
const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

function eviction(name: string, deleteOptions: object = {}, apiVersion = 'policy/v1'): object {
  return { apiVersion, kind: 'Eviction', metadata: { name, namespace: 'default' }, deleteOptions };
}

/** A bound pod (so its deletion is graceful), created through the API. */
async function setup(spec: { grace?: number; nodeName?: string } = {}) {
  const h = await harness();
  const p = pod('web', { nodeName: spec.nodeName ?? 'n1' });
  if (spec.grace !== undefined) p.spec.terminationGracePeriodSeconds = spec.grace;
  const created = (await request(h.app).post(PODS_URL).send(p).expect(201)).body as KubeObject;
  return { ...h, created };
}

/** A protobuf body as client-go sends it: "k8s\0" + runtime.Unknown{typeMeta, raw}. */
function protobufEviction(name: string, gracePeriodSeconds: number): Buffer {
  const schema = k8sSchema();
  const type = schema.lookupType('k8s.io.api.policy.v1.Eviction');
  const unknown = schema.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const raw = type
    .encode(
      type.fromObject({ metadata: { name, namespace: 'default' }, deleteOptions: { gracePeriodSeconds } }),
    )
    .finish();
  const envelope = { typeMeta: { apiVersion: 'policy/v1', kind: 'Eviction' }, raw, contentEncoding: '' };
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    unknown.encode(unknown.fromObject(envelope)).finish(),
  ]);
}

describe('POST pods/{name}/eviction', () => {
  it('answers 201 with a Success Status and deletes the pod gracefully with its terminationGracePeriod', async () => {
    const { app, clock } = await setup({ grace: 7 });
    const res = await request(app).post(`${PODS_URL}/web/eviction`).send(eviction('web')).expect(201);
    expect(res.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      code: 201,
    });
    const after = (await request(app).get(`${PODS_URL}/web`).expect(200)).body;
    expect(after.metadata.deletionGracePeriodSeconds).toBe(7);
    expect(Date.parse(after.metadata.deletionTimestamp)).toBe(Math.floor(clock.now() / 1000) * 1000 + 7000);
    expect(after.status.conditions).toContainEqual(expect.objectContaining(DISRUPTION_TARGET));
    // The agent then finishes the deletion, as for any graceful delete.
    await request(app).delete(`${PODS_URL}/web`).send({ gracePeriodSeconds: 0 }).expect(200);
    await request(app).get(`${PODS_URL}/web`).expect(404);
  });

  it("uses the Eviction's deleteOptions: gracePeriodSeconds 0 removes the pod at once", async () => {
    const { app } = await setup({ grace: 30 });
    await request(app)
      .post(`${PODS_URL}/web/eviction`)
      .send(eviction('web', { gracePeriodSeconds: 0 }))
      .expect(201);
    await request(app).get(`${PODS_URL}/web`).expect(404);
  });

  it('accepts policy/v1beta1 and a protobuf body (client-go typed clients send one)', async () => {
    const a = await setup();
    await request(a.app)
      .post(`${PODS_URL}/web/eviction`)
      .send(eviction('web', { gracePeriodSeconds: 3 }, 'policy/v1beta1'))
      .expect(201);
    expect((await request(a.app).get(`${PODS_URL}/web`)).body.metadata.deletionGracePeriodSeconds).toBe(3);

    const b = await setup();
    const res = await request(b.app)
      .post(`${PODS_URL}/web/eviction`)
      .set('Content-Type', 'application/vnd.kubernetes.protobuf')
      .send(protobufEviction('web', 4))
      .expect(201);
    expect(res.body.status).toBe('Success');
    expect((await request(b.app).get(`${PODS_URL}/web`)).body.metadata.deletionGracePeriodSeconds).toBe(4);
  });

  it('removes an unscheduled pod at once (nothing runs it)', async () => {
    const h = await harness();
    await request(h.app).post(PODS_URL).send(pod('web')).expect(201);
    await request(h.app).post(`${PODS_URL}/web/eviction`).send(eviction('web')).expect(201);
    await request(h.app).get(`${PODS_URL}/web`).expect(404);
  });

  it('evicting a pod already being deleted succeeds and never lengthens its grace period', async () => {
    const { app } = await setup({ grace: 30 });
    await request(app).delete(`${PODS_URL}/web`).send({ gracePeriodSeconds: 5 }).expect(200);
    await request(app).post(`${PODS_URL}/web/eviction`).send(eviction('web')).expect(201);
    expect((await request(app).get(`${PODS_URL}/web`)).body.metadata.deletionGracePeriodSeconds).toBe(5);
  });

  it('404 with a NotFound Status when the pod does not exist', async () => {
    const h = await harness();
    const res = await request(h.app).post(`${PODS_URL}/nope/eviction`).send(eviction('nope')).expect(404);
    expect(res.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      message: 'pods "nope" not found',
      code: 404,
    });
  });

  it('400 when the body names another pod or namespace, or is no Eviction', async () => {
    const { app } = await setup();
    const other = await request(app).post(`${PODS_URL}/web/eviction`).send(eviction('db')).expect(400);
    expect(other.body).toMatchObject({
      reason: 'BadRequest',
      message: 'name in URL does not match name in Eviction object',
    });
    const ns = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web', namespace: 'other' } };
    await request(app).post(`${PODS_URL}/web/eviction`).send(ns).expect(400);
    const wrongKind = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' } };
    await request(app).post(`${PODS_URL}/web/eviction`).send(wrongKind).expect(400);
    const badOptions = eviction('web', { propagationPolicy: 'Sometimes' });
    await request(app).post(`${PODS_URL}/web/eviction`).send(badOptions).expect(400);
    // Nothing happened to the pod.
    expect((await request(app).get(`${PODS_URL}/web`)).body.metadata.deletionTimestamp).toBeUndefined();
  });

  it('honours deleteOptions.preconditions: a stale uid or resourceVersion is a 409 and leaves the pod', async () => {
    const { app, created } = await setup();
    const staleUid = eviction('web', { preconditions: { uid: 'not-this-one' } });
    await request(app).post(`${PODS_URL}/web/eviction`).send(staleUid).expect(409);
    const staleRv = eviction('web', { preconditions: { resourceVersion: '1' } });
    await request(app).post(`${PODS_URL}/web/eviction`).send(staleRv).expect(409);
    expect((await request(app).get(`${PODS_URL}/web`)).body.metadata.deletionTimestamp).toBeUndefined();
    const current = eviction('web', {
      preconditions: { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion },
    });
    await request(app).post(`${PODS_URL}/web/eviction`).send(current).expect(201);
    expect((await request(app).get(`${PODS_URL}/web`)).body.metadata.deletionTimestamp).toBeDefined();
  });

  it('dryRun=All checks everything and changes nothing', async () => {
    const { app, created } = await setup();
    await request(app).post(`${PODS_URL}/web/eviction?dryRun=All`).send(eviction('web')).expect(201);
    const after = (await request(app).get(`${PODS_URL}/web`)).body;
    expect(after.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    await request(app).post(`${PODS_URL}/nope/eviction?dryRun=All`).send(eviction('nope')).expect(404);
  });

  it('only POST, only on pods', async () => {
    const { app } = await setup();
    await request(app).get(`${PODS_URL}/web/eviction`).expect(405);
    await request(app)
      .post('/apis/apps/v1/namespaces/default/deployments/web/eviction')
      .send(eviction('web'))
      .expect(404);
  });
});

describe('eviction in discovery (kubectl drain: CheckEvictionSupport reads pods/eviction from /api/v1)', () => {
  it('legacy /api/v1 lists pods/eviction as policy/v1 Eviction', async () => {
    const { app } = await harness();
    const res = await request(app).get('/api/v1').expect(200);
    expect(res.body.resources).toContainEqual({
      name: 'pods/eviction',
      singularName: '',
      namespaced: true,
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
      verbs: ['create'],
    });
  });

  it('aggregated /api lists the eviction subresource with its policy/v1 responseKind', async () => {
    const { app } = await harness();
    const res = await request(app).get('/api').set('Accept', AGGREGATED).expect(200);
    const pods = JSON.parse(res.text).items[0].versions[0].resources.find((r: any) => r.resource === 'pods');
    expect(pods.subresources).toContainEqual({
      subresource: 'eviction',
      responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' },
      verbs: ['create'],
    });
  });
});

describe('evictionDeleteOptions / withDisruptionTarget (pure)', () => {
  const body = (extra: object) => ({ metadata: { name: 'p' }, ...extra }) as KubeObject;

  it('takes the deleteOptions, maps orphanDependents and adds ?dryRun', () => {
    expect(evictionDeleteOptions(body({ deleteOptions: { gracePeriodSeconds: 2 } }), 'p', 'default')).toEqual(
      {
        gracePeriodSeconds: 2,
      },
    );
    expect(evictionDeleteOptions(body({}), 'p', 'default', { dryRun: 'All' })).toEqual({ dryRun: ['All'] });
    expect(
      evictionDeleteOptions(body({ deleteOptions: { orphanDependents: true } }), 'p', 'default'),
    ).toMatchObject({ propagationPolicy: 'Orphan' });
  });

  it.each([
    ['another name', { metadata: { name: 'q' } }],
    ['no name', { metadata: {} }],
    ['another kind', { kind: 'Pod', metadata: { name: 'p' } }],
    ['another group', { apiVersion: 'v1', kind: 'Eviction', metadata: { name: 'p' } }],
    ['deleteOptions not an object', { metadata: { name: 'p' }, deleteOptions: [1] }],
    ['a fractional grace period', { metadata: { name: 'p' }, deleteOptions: { gracePeriodSeconds: 1.5 } }],
  ])('400 for %s', (_what, obj) => {
    expect(() => evictionDeleteOptions(obj as KubeObject, 'p', 'default')).toThrow(
      expect.objectContaining({ code: 400, reason: 'BadRequest' }),
    );
  });

  it('adds DisruptionTarget once', () => {
    const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {}, status: {} } as any;
    const marked = withDisruptionTarget(p, Date.parse('2026-01-01T00:00:00Z'))!;
    expect(marked.status!.conditions).toEqual([
      { ...DISRUPTION_TARGET, lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' },
    ]);
    expect(p.status.conditions).toBeUndefined(); // the input is left alone
    expect(withDisruptionTarget(marked, Date.parse('2026-01-01T00:01:00Z'))).toBeUndefined();
  });
});
