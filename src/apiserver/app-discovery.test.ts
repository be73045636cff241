import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { harness, pod } from './test-support.js';

const AGGREGATED =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const TABLE =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

describe('/version', () => {
  it('reports minor 32 for the kubectl dispatcher', async () => {
    const { app } = await harness();
    const res = await request(app).get('/version?timeout=5s').expect(200);
    expect(res.body).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.0-skiff', compiler: 'gc' });
    expect(res.body.platform).toMatch(/^linux\//);
  });
});

describe('discovery', () => {
  it('aggregated: exact content type, core group with name "", resources with responseKind, scope, aliases, subresources', async () => {
    const { app } = await harness();
    const api = await request(app).get('/api?timeout=32s').set('Accept', AGGREGATED).expect(200);
    expect(api.headers['content-type']).toBe(
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
    const body = JSON.parse(api.text);
    expect(body).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
    expect(body.items).toHaveLength(1);
    expect(body.items[0].metadata.name).toBe('');
    const v1 = body.items[0].versions[0];
    expect(v1).toMatchObject({ version: 'v1', freshness: 'Current' });
    const pods = v1.resources.find((r: any) => r.resource === 'pods');
    expect(pods).toMatchObject({
      responseKind: { group: '', version: 'v1', kind: 'Pod' },
      scope: 'Namespaced',
      singularResource: 'pod',
      shortNames: ['po'],
      categories: ['all'],
    });
    expect(pods.subresources.map((s: any) => s.subresource)).toEqual(
      expect.arrayContaining(['status', 'log', 'exec', 'binding']),
    );
    expect(v1.resources.find((r: any) => r.resource === 'nodes').scope).toBe('Cluster');
    expect(v1.resources[0].resource).toBe('pods'); // discovery order drives `kubectl get all`

    const apis = await request(app).get('/apis').set('Accept', AGGREGATED).expect(200);
    const groups = JSON.parse(apis.text).items.map((i: any) => i.metadata.name);
    expect(groups).not.toContain('');
    expect(groups).toContain('coordination.k8s.io');
  });

  it('aggregated v2beta1 when only that is asked for', async () => {
    const { app } = await harness();
    const res = await request(app)
      .get('/apis')
      .set('Accept', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList')
      .expect(200);
    expect(res.headers['content-type']).toBe(
      'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
    );
  });

  it('legacy: /api, /apis, /api/v1 and /apis/{g}/{v} for plain JSON clients', async () => {
    const { app } = await harness();
    const api = await request(app).get('/api').expect(200);
    expect(api.headers['content-type']).toMatch(/^application\/json/);
    expect(api.body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect(api.body.serverAddressByClientCIDRs[0].clientCIDR).toBe('0.0.0.0/0');
    const apis = await request(app).get('/apis').expect(200);
    expect(apis.body.kind).toBe('APIGroupList');
    const lease = apis.body.groups.find((g: any) => g.name === 'coordination.k8s.io');
    expect(lease.preferredVersion).toEqual({ groupVersion: 'coordination.k8s.io/v1', version: 'v1' });
    const v1 = await request(app).get('/api/v1').expect(200);
    expect(v1.body).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
    const names = v1.body.resources.map((r: any) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(['pods', 'pods/log', 'pods/exec', 'pods/status', 'nodes', 'namespaces']),
    );
    expect(v1.body.resources.find((r: any) => r.name === 'pods')).toMatchObject({
      namespaced: true,
      kind: 'Pod',
      shortNames: ['po'],
    });
    expect(v1.body.resources.find((r: any) => r.name === 'pods/exec')).toMatchObject({
      kind: 'PodExecOptions',
      singularName: '',
    });
    const group = await request(app).get('/apis/coordination.k8s.io/v1').expect(200);
    expect(group.body.resources[0]).toMatchObject({ name: 'leases', kind: 'Lease', namespaced: true });
    await request(app).get('/apis/coordination.k8s.io').expect(200);
    await request(app).get('/apis/nope.example.com/v1').expect(404);
  });
});

describe('OpenAPI v3', () => {
  it('indexes each group-version and documents a PATCH with GVK and fieldValidation per kind', async () => {
    const { app } = await harness();
    const index = await request(app).get('/openapi/v3').expect(200);
    const core = index.body.paths['api/v1'].serverRelativeURL as string;
    expect(core).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/);
    expect(index.body.paths['apis/coordination.k8s.io/v1']).toBeDefined();
    const doc = await request(app).get(core).expect(200);
    expect(doc.body.openapi).toBe('3.0.0');
    const podPath = doc.body.paths['/api/v1/namespaces/{namespace}/pods/{name}'];
    expect(podPath.patch['x-kubernetes-group-version-kind']).toEqual({
      group: '',
      version: 'v1',
      kind: 'Pod',
    });
    expect(podPath.patch.parameters).toContainEqual({
      name: 'fieldValidation',
      in: 'query',
      schema: { type: 'string' },
    });
    expect(podPath.patch.requestBody).toBeUndefined();
    expect(doc.body.paths['/api/v1/nodes/{name}'].patch['x-kubernetes-group-version-kind'].kind).toBe('Node');
    await request(app).get('/openapi/v3/apis/nope/v1').expect(404);
    await request(app).get('/openapi/v2').expect(404);
  });
});

describe('Tables', () => {
  it('lists as a Table: columns with format name, one cell per column, metadata in row.object', async () => {
    const { app, service, store } = await harness();
    await service.create(
      { group: '', version: 'v1', resource: 'pods' },
      'default',
      pod('web', { labels: { app: 'web' } }),
    );
    const res = await request(app)
      .get('/api/v1/namespaces/default/pods?limit=500')
      .set('Accept', TABLE)
      .expect(200);
    const t = res.body;
    expect(t).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(t.metadata.resourceVersion).toBe(String(await store.revision()));
    expect(Number(t.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(t.columnDefinitions[0]).toMatchObject({ name: 'Name', format: 'name', priority: 0 });
    expect(t.columnDefinitions.some((c: any) => c.priority > 0)).toBe(true); // wide columns present
    expect(t.rows).toHaveLength(1);
    expect(t.rows[0].cells).toHaveLength(t.columnDefinitions.length);
    expect(t.rows[0].cells[0]).toBe('web');
    expect(t.rows[0].object).toMatchObject({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    });
    expect(t.rows[0].object.spec).toBeUndefined();
  });

  it('includeObject=Object gives full objects, None gives none', async () => {
    const { app, service } = await harness();
    await service.create({ group: '', version: 'v1', resource: 'pods' }, 'default', pod('web'));
    const full = await request(app)
      .get('/api/v1/namespaces/default/pods?includeObject=Object')
      .set('Accept', TABLE)
      .expect(200);
    expect(full.body.rows[0].object).toMatchObject({ kind: 'Pod', spec: { containers: [{ name: 'app' }] } });
    const none = await request(app)
      .get('/api/v1/namespaces/default/pods?includeObject=None')
      .set('Accept', TABLE)
      .expect(200);
    expect(none.body.rows[0].object).toBeUndefined();
  });

  it('a single GET is a one-row Table; an empty list has rows: []', async () => {
    const { app, service } = await harness();
    await service.create({ group: '', version: 'v1', resource: 'pods' }, 'default', pod('web'));
    const one = await request(app)
      .get('/api/v1/namespaces/default/pods/web')
      .set('Accept', TABLE)
      .expect(200);
    expect(one.body.kind).toBe('Table');
    expect(one.body.rows).toHaveLength(1);
    const empty = await request(app)
      .get('/api/v1/namespaces/kube-public/pods')
      .set('Accept', TABLE)
      .expect(200);
    expect(empty.body.rows).toEqual([]);
    const ns = await request(app).get('/api/v1/namespaces').set('Accept', TABLE).expect(200);
    expect(ns.body.rows.map((r: any) => r.cells[0])).toContain('default');
  });
});
