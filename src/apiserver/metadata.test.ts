import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import { ApiError } from '../common/errors.js';
import {
  carryOverForUpdate,
  checkTypeMeta,
  isNoOp,
  nextGeneration,
  prepareBody,
  randomNameSuffix,
  settleNamespace,
  stampNewObject,
  withStatusOf,
} from './metadata.js';

const registry = defaultRegistry();
const podDef = registry.get('', 'v1', 'pods')!;
const nodeDef = registry.get('', 'v1', 'nodes')!;
const cmDef = registry.get('', 'v1', 'configmaps')!;

const base = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'p',
    namespace: 'default',
    uid: 'u1',
    resourceVersion: '7',
    generation: 3,
    creationTimestamp: '2026-01-01T00:00:00Z',
  },
  spec: { containers: [{ name: 'a', image: 'x' }] },
  status: { phase: 'Running' },
});

describe('metadata rules', () => {
  it('fills a missing kind/apiVersion and rejects another type', () => {
    const obj = { metadata: {} } as KubeObject;
    checkTypeMeta(cmDef, obj);
    expect(obj).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(() => checkTypeMeta(podDef, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })).toThrow(
      ApiError,
    );
    expect(() => checkTypeMeta(podDef, { apiVersion: 'v2', kind: 'Pod', metadata: {} })).toThrow(ApiError);
  });

  it('settles namespaces: the URL fills, a mismatch fails, cluster scope drops it', () => {
    const a: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: {} };
    settleNamespace(podDef, a, 'x');
    expect(a.metadata.namespace).toBe('x');
    const b: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'y' } };
    settleNamespace(podDef, b, undefined);
    expect(b.metadata.namespace).toBe('y');
    expect(() => settleNamespace(podDef, b, 'x')).toThrow(/does not match the namespace sent on the request/);
    expect(() => settleNamespace(podDef, { apiVersion: 'v1', kind: 'Pod', metadata: {} }, undefined)).toThrow(
      ApiError,
    );
    const n: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { namespace: 'z' } };
    settleNamespace(nodeDef, n, 'default');
    expect(n.metadata.namespace).toBeUndefined();
  });

  it('stamps a new object and clears client-owned fields and (status subresource) status', () => {
    const obj = base();
    obj.metadata.deletionTimestamp = 'x';
    stampNewObject(podDef, obj, 'new-uid', Date.parse('2026-02-03T04:05:06.789Z'));
    expect(obj.metadata).toMatchObject({
      uid: 'new-uid',
      creationTimestamp: '2026-02-03T04:05:06Z',
      generation: 1,
    });
    expect(obj.metadata.resourceVersion).toBeUndefined();
    expect(obj.metadata.deletionTimestamp).toBeUndefined();
    expect(obj.status).toBeUndefined();
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, status: { kept: true } };
    stampNewObject(cmDef, cm, 'u', 0);
    expect(cm.status).toEqual({ kept: true });
  });

  it('carries server-owned fields over on update', () => {
    const old = base();
    old.metadata.deletionTimestamp = '2026-01-01T00:01:00Z';
    const next: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { a: 'b' } },
      spec: old.spec,
      status: { phase: 'Failed' },
    };
    carryOverForUpdate(podDef, next, old);
    expect(next.metadata).toMatchObject({
      uid: 'u1',
      resourceVersion: '7',
      generation: 3,
      creationTimestamp: '2026-01-01T00:00:00Z',
      deletionTimestamp: '2026-01-01T00:01:00Z',
      labels: { a: 'b' },
      namespace: 'default',
    });
    expect(next.status).toEqual({ phase: 'Running' });
  });

  it('bumps generation for spec changes only and detects no-ops regardless of key order', () => {
    const old = base();
    const labels = structuredClone(old);
    labels.metadata.labels = { a: 'b' };
    labels.status = { phase: 'Failed' };
    expect(nextGeneration(labels, old)).toBe(3);
    const spec = structuredClone(old);
    spec.spec.containers[0].image = 'y';
    expect(nextGeneration(spec, old)).toBe(4);
    const reordered: KubeObject = {
      status: old.status,
      spec: { containers: [{ image: 'x', name: 'a' }] },
      metadata: { ...old.metadata },
      kind: 'Pod',
      apiVersion: 'v1',
    };
    expect(isNoOp(reordered, old)).toBe(true);
    expect(isNoOp(labels, old)).toBe(false);
  });

  it('takes only status for status writes', () => {
    const old = base();
    const body = structuredClone(old);
    body.status = { phase: 'Succeeded' };
    body.spec = { containers: [] };
    const out = withStatusOf(old, body);
    expect(out.status).toEqual({ phase: 'Succeeded' });
    expect(out.spec).toEqual(old.spec);
  });

  it('checks a PUT body against the URL', () => {
    expect(
      prepareBody(podDef, 'default', 'p', { apiVersion: 'v1', kind: 'Pod', metadata: {} }).metadata,
    ).toEqual({ name: 'p', namespace: 'default' });
    expect(() =>
      prepareBody(podDef, 'default', 'p', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' } }),
    ).toThrow('the name of the object (q) does not match the name on the URL (p)');
  });

  it('generates 5-character suffixes from the Kubernetes alphabet', () => {
    for (let i = 0; i < 50; i++) expect(randomNameSuffix()).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});
