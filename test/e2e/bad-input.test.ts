// Bad input against a real master process: each request gets a 4xx Status naming the reason and field, nothing is
// stored, and the daemon keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, requireBuild } from './harness.js';

const cluster = new Cluster();

beforeAll(async () => {
  requireBuild();
  await cluster.startMaster();
});

afterAll(async () => {
  await cluster.destroy();
});

async function send(method: string, path: string, body: string, contentType = 'application/json') {
  const res = await cluster.fetch(path, {
    method,
    body,
    headers: { 'Content-Type': contentType },
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

async function revision(): Promise<string> {
  const list = await cluster.getJson('/api/v1/pods');
  return list.metadata.resourceVersion;
}

const PODS = '/api/v1/namespaces/default/pods';
const goodPod = (name: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'skiff/busybox:1' }] },
  });

describe('bad input', () => {
  it.each([
    [
      'malformed JSON',
      'POST',
      PODS,
      '{"apiVersion": "v1", "kind": "Pod", "metadata": {',
      'application/json',
      400,
      'BadRequest',
      undefined,
    ],
    [
      'malformed YAML',
      'POST',
      PODS,
      'apiVersion: v1\nkind: Pod\nmetadata: [\n  name: x',
      'application/yaml',
      400,
      'BadRequest',
      undefined,
    ],
    [
      'an unknown kind',
      'POST',
      PODS,
      JSON.stringify({ apiVersion: 'v1', kind: 'Pizza', metadata: { name: 'x' } }),
      'application/json',
      400,
      'BadRequest',
      undefined,
    ],
    [
      'a pod without image',
      'POST',
      PODS,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'noimage' },
        spec: { containers: [{ name: 'c' }] },
      }),
      'application/json',
      422,
      'Invalid',
      'spec.containers[0].image',
    ],
    ['an upper-case name', 'POST', PODS, goodPod('Web'), 'application/json', 422, 'Invalid', 'metadata.name'],
    [
      'an unsupported content type',
      'POST',
      PODS,
      goodPod('ct'),
      'text/html',
      415,
      'UnsupportedMediaType',
      undefined,
    ],
  ])('%s → %i %s, nothing stored', async (_what, method, path, body, ct, code, reason, field) => {
    const before = await revision();
    const res = await send(method, path, body, ct);
    expect(res.status).toBe(code);
    expect(res.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
    if (field) expect(res.json.details.causes.map((c: any) => c.field)).toContain(field);
    expect(await revision()).toBe(before);
    expect((await cluster.fetch('/readyz')).status).toBe(200);
  });

  it('a stale resourceVersion → 409 Conflict and the stored object is unchanged', async () => {
    // A ConfigMap: no controller writes to it, so the only writers are this test's.
    const CMS = '/api/v1/namespaces/default/configmaps';
    const created = await send(
      'POST',
      CMS,
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stale' }, data: { v: '0' } }),
    );
    expect(created.status).toBe(201);
    const cm = created.json;
    const ok = await send('PUT', `${CMS}/stale`, JSON.stringify({ ...cm, data: { v: '1' } }));
    expect(ok.status).toBe(200);
    const res = await send('PUT', `${CMS}/stale`, JSON.stringify({ ...cm, data: { v: '2' } }));
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
    expect(res.json.message).toContain('the object has been modified');
    const stored = await cluster.getJson(`${CMS}/stale`);
    expect(stored.data).toEqual({ v: '1' });
    expect(stored.metadata.resourceVersion).toBe(ok.json.metadata.resourceVersion);
  });

  it('an oversized body → 413 and the master keeps serving', async () => {
    const huge = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'huge' },
      data: { a: 'x'.repeat(4 * 1024 * 1024) },
    });
    const res = await send('POST', '/api/v1/namespaces/default/configmaps', huge);
    expect(res.status).toBe(413);
    expect((await cluster.fetch('/readyz')).status).toBe(200);
    expect(await cluster.getJson('/api/v1/namespaces/default/configmaps/huge')).toBeUndefined();
  });
});
