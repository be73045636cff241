// The scale subresource as `kubectl scale` drives it (KUBECTL-API.md §11.1): GET, merge PATCH, and a PUT of the
// whole Scale that arrives without a Content-Type and honours its resourceVersion.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import type { ResourceRef } from '../client/api-client.js';
import { MemoryStore } from '../store/memory-store.js';
import { defaultRegistry } from '../api/registry.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { ResourceService, type WriteOptions } from './resource-service.js';
import { patchScale, updateScale } from './scale.js';
import { harness } from './test-support.js';

const MERGE = 'application/merge-patch+json';
const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments' };

function workload(kind: 'Deployment' | 'ReplicaSet' | 'StatefulSet', name = 'web', replicas = 2): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  };
}

const URLS = {
  Deployment: '/apis/apps/v1/namespaces/default/deployments',
  ReplicaSet: '/apis/apps/v1/namespaces/default/replicasets',
  StatefulSet: '/apis/apps/v1/namespaces/default/statefulsets',
};

async function setup(kind: keyof typeof URLS = 'Deployment') {
  const h = await harness();
  const created = await request(h.app).post(URLS[kind]).send(workload(kind)).expect(201);
  return { ...h, created: created.body as KubeObject, url: `${URLS[kind]}/web` };
}

describe('GET …/scale', () => {
  it('answers an autoscaling/v1 Scale with the selector as a string', async () => {
    const { app, created, url } = await setup();
    const res = await request(app).get(`${url}/scale`).expect(200);
    expect(res.body).toEqual({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: 'web',
        namespace: 'default',
        uid: created.metadata.uid,
        resourceVersion: created.metadata.resourceVersion,
        creationTimestamp: created.metadata.creationTimestamp,
      },
      spec: { replicas: 2 },
      status: { replicas: 0, selector: 'app=web' },
    });
  });

  it('reports the observed replicas from the status', async () => {
    const { app, url } = await setup();
    const obj = (await request(app).get(url).expect(200)).body;
    obj.status = { replicas: 2, readyReplicas: 1 };
    await request(app).put(`${url}/status`).send(obj).expect(200);
    const res = await request(app).get(`${url}/scale`).expect(200);
    expect(res.body.status).toEqual({ replicas: 2, selector: 'app=web' });
  });

  it('answers 404 for a missing object, and for kinds without a scale subresource', async () => {
    const { app } = await setup();
    const missing = await request(app).get(`${URLS.Deployment}/nope/scale`).expect(404);
    expect(missing.body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'deployments.apps "nope" not found',
    });
    const ds = await request(app).get('/apis/apps/v1/namespaces/default/daemonsets/web/scale').expect(404);
    expect(ds.body.message).toBe('the server could not find the requested resource');
  });
});

describe('PATCH …/scale', () => {
  it.each(['Deployment', 'ReplicaSet', 'StatefulSet'] as const)(
    '%s: a merge patch writes spec.replicas (a spec change: generation + 1)',
    async (kind) => {
      const { app, created, url } = await setup(kind);
      const res = await request(app)
        .patch(`${url}/scale`)
        .set('Content-Type', MERGE)
        .send({ spec: { replicas: 5 } })
        .expect(200);
      expect(res.body).toMatchObject({ kind: 'Scale', spec: { replicas: 5 } });
      expect(Number(res.body.metadata.resourceVersion)).toBeGreaterThan(
        Number(created.metadata.resourceVersion),
      );
      const obj = (await request(app).get(url).expect(200)).body;
      expect(obj.spec.replicas).toBe(5);
      expect(obj.metadata.generation).toBe(2);
      expect(obj.metadata.resourceVersion).toBe(res.body.metadata.resourceVersion);
    },
  );

  it('accepts JSON patches too, and scaling to 0', async () => {
    const { app, url } = await setup();
    await request(app)
      .patch(`${url}/scale`)
      .set('Content-Type', 'application/json-patch+json')
      .send([{ op: 'replace', path: '/spec/replicas', value: 0 }])
      .expect(200);
    expect((await request(app).get(url)).body.spec.replicas).toBe(0);
  });

  it('refuses negative replicas with a 422 about the Scale', async () => {
    const { app, url } = await setup();
    const res = await request(app)
      .patch(`${url}/scale`)
      .set('Content-Type', MERGE)
      .send({ spec: { replicas: -1 } })
      .expect(422);
    expect(res.body).toMatchObject({
      reason: 'Invalid',
      message: 'Scale "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      details: {
        group: 'autoscaling',
        kind: 'Scale',
        causes: [{ field: 'spec.replicas', reason: 'FieldValueInvalid' }],
      },
    });
  });

  it('changes nothing with dryRun=All', async () => {
    const { app, created, url } = await setup();
    const res = await request(app)
      .patch(`${url}/scale?dryRun=All`)
      .set('Content-Type', MERGE)
      .send({ spec: { replicas: 9 } })
      .expect(200);
    expect(res.body.spec.replicas).toBe(9);
    const obj = (await request(app).get(url)).body;
    expect(obj.spec.replicas).toBe(2);
    expect(obj.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it('answers 404 for a missing object', async () => {
    const { app } = await setup();
    await request(app)
      .patch(`${URLS.Deployment}/nope/scale`)
      .set('Content-Type', MERGE)
      .send({ spec: { replicas: 1 } })
      .expect(404);
  });
});

describe('PUT …/scale', () => {
  it('reads a body without a Content-Type as JSON (kubectl scale --current-replicas)', async () => {
    const { app, url } = await setup();
    const scale = (await request(app).get(`${url}/scale`).expect(200)).body;
    scale.spec.replicas = 4;
    const res = await request(app)
      .put(`${url}/scale`)
      .unset('Content-Type')
      .send(Buffer.from(JSON.stringify(scale)))
      .expect(200);
    expect(res.body.spec.replicas).toBe(4);
    const obj = (await request(app).get(url)).body;
    expect(obj.spec.replicas).toBe(4);
    expect(obj.metadata.generation).toBe(2);
  });

  it('answers 409 when the Scale names a stale resourceVersion', async () => {
    const { app, url } = await setup();
    const scale = (await request(app).get(`${url}/scale`).expect(200)).body;
    await request(app)
      .patch(`${url}/scale`)
      .set('Content-Type', MERGE)
      .send({ spec: { replicas: 3 } })
      .expect(200);
    scale.spec.replicas = 7;
    const res = await request(app).put(`${url}/scale`).send(scale).expect(409);
    expect(res.body).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect((await request(app).get(url)).body.spec.replicas).toBe(3);
  });

  it('rejects a Scale for another object, and other methods', async () => {
    const { app, url } = await setup();
    const res = await request(app)
      .put(`${url}/scale`)
      .send({
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: { name: 'other' },
        spec: { replicas: 1 },
      })
      .expect(400);
    expect(res.body.message).toBe('the name of the object (other) does not match the name on the URL (web)');
    await request(app).post(`${url}/scale`).send({}).expect(405);
  });
});

describe('scale writes racing other writers', () => {
  /** A service in which another client changes the object between the scale's read and its write, once. */
  class RacingService extends ResourceService {
    private raced = false;
    override async update(
      ref: ResourceRef,
      namespace: string | undefined,
      name: string,
      body: KubeObject,
      opts?: WriteOptions,
    ): Promise<KubeObject> {
      if (!this.raced) {
        this.raced = true;
        await super.patch(ref, namespace, name, 'merge', { spec: { minReadySeconds: 7 } });
      }
      return super.update(ref, namespace, name, body, opts);
    }
  }

  async function racing() {
    const service = new RacingService({
      store: new MemoryStore(),
      registry: defaultRegistry(),
      clock: new FakeClock(),
    });
    await service.ensureSystemNamespaces();
    await service.create(DEPLOYMENTS, 'default', workload('Deployment'));
    return service;
  }

  it('a PATCH retries on the fresh object and loses no one else’s change', async () => {
    const service = await racing();
    const scale = await patchScale(service, DEPLOYMENTS, 'default', 'web', 'merge', {
      spec: { replicas: 6 },
    });
    expect(scale.spec.replicas).toBe(6);
    const obj = await service.get(DEPLOYMENTS, 'default', 'web');
    expect(obj.spec).toMatchObject({ replicas: 6, minReadySeconds: 7 });
    expect(obj.metadata.generation).toBe(3);
  });

  it('a PUT with the resourceVersion it read is a precondition: 409, no retry', async () => {
    const service = await racing();
    const current = await service.get(DEPLOYMENTS, 'default', 'web');
    const body = {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'web', resourceVersion: current.metadata.resourceVersion },
      spec: { replicas: 6 },
    };
    await expect(updateScale(service, DEPLOYMENTS, 'default', 'web', body)).rejects.toMatchObject({
      code: 409,
    });
    expect((await service.get(DEPLOYMENTS, 'default', 'web')).spec.replicas).toBe(2);
  });
});
