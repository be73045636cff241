import { describe, expect, it } from 'vitest';
import type { PatchType } from '../client/api-client.js';
import { applyPatch } from './patch.js';
import { containers, deployment, expectApiError } from './patch-test-fixtures.js';

describe('applyPatch: never mutates its inputs', () => {
  it.each<[PatchType, unknown]>([
    ['json', [{ op: 'replace', path: '/spec/replicas', value: 5 }]],
    ['merge', { spec: { replicas: 5 }, metadata: { labels: null } }],
    ['strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'x' }] } } } }],
    [
      'apply',
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 5 } },
    ],
  ])('%s', (type, patch) => {
    const original = deployment();
    const patchCopy = structuredClone(patch);
    const result = applyPatch(original, type, patch);
    expect(original).toEqual(deployment());
    expect(patch).toEqual(patchCopy);
    result.metadata.labels = { changed: 'yes' };
    if (result.spec?.template?.spec?.containers) result.spec.template.spec.containers[0].name = 'mutated';
    expect(original).toEqual(deployment());
  });
});

describe('json patch (RFC 6902)', () => {
  it('applies add, remove, replace, move, copy and test', () => {
    const out = applyPatch(deployment(), 'json', [
      { op: 'test', path: '/spec/replicas', value: 2 },
      { op: 'replace', path: '/spec/replicas', value: 4 },
      { op: 'add', path: '/metadata/labels/tier', value: 'fe' },
      { op: 'remove', path: '/metadata/annotations/keep' },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copied' },
      { op: 'move', from: '/metadata/labels/tier', path: '/metadata/labels/moved' },
      { op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '-c' },
    ]);
    expect(out.spec.replicas).toBe(4);
    expect(out.metadata.labels).toEqual({ app: 'web', copied: 'web', moved: 'fe' });
    expect(out.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '2' });
    expect(containers(out)[0].args).toEqual(['-a', '-b', '-c']);
  });

  it('applies the body `kubectl rollout undo` sends (KUBECTL-API.md §13)', () => {
    const template = {
      metadata: { creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} }],
      },
    };
    const annotations = { 'deployment.kubernetes.io/revision': '2', keep: 'me' };
    const out = applyPatch(deployment(), 'json', [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ]);
    expect(out.spec.template).toEqual(template);
    expect(out.metadata.annotations).toEqual(annotations);
    expect(out.spec.replicas).toBe(2);
  });

  it('answers 422 Invalid when a test fails', () => {
    expectApiError(
      () => applyPatch(deployment(), 'json', [{ op: 'test', path: '/spec/replicas', value: 5 }]),
      422,
      'Invalid',
      /^the server rejected our request due to an error in our request: test operation at \/spec\/replicas failed/,
    );
  });

  it.each([
    [{ op: 'remove', path: '/spec/nope' }],
    [{ op: 'replace', path: '/spec/x/y', value: 1 }],
    [{ op: 'add', path: '/spec/template/spec/containers/7', value: {} }],
  ])('answers 422 when %j cannot be applied', (op) => {
    expectApiError(() => applyPatch(deployment(), 'json', [op]), 422, 'Invalid');
  });

  it.each([
    [{ op: 'replace', path: '/spec/replicas', value: 1 }, /must be a JSON array/],
    [[{ op: 'frobnicate', path: '/a' }], /invalid json patch: operation 0/],
    [[{ op: 'add', path: '/a' }], /invalid json patch/],
    [['not an op'], /invalid json patch/],
    ['{not json', /error decoding patch/],
  ])('answers 400 for a malformed patch %j', (patch, message) => {
    expectApiError(() => applyPatch(deployment(), 'json', patch), 400, 'BadRequest', message);
  });

  it('accepts a JSON string body', () => {
    const out = applyPatch(deployment(), 'json', '[{"op":"replace","path":"/spec/replicas","value":9}]');
    expect(out.spec.replicas).toBe(9);
  });
});

describe('merge patch (RFC 7386)', () => {
  it('adds labels as `kubectl label` does', () => {
    const out = applyPatch(deployment(), 'merge', { metadata: { labels: { tier: 'fe' } } });
    expect(out.metadata.labels).toEqual({ app: 'web', tier: 'fe' });
  });
  it('deletes with null and replaces lists wholesale', () => {
    const out = applyPatch(deployment(), 'merge', {
      metadata: { annotations: { keep: null } },
      spec: { template: { spec: { containers: [{ name: 'only', image: 'busybox' }] } } },
    });
    expect(out.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '2' });
    expect(containers(out)).toEqual([{ name: 'only', image: 'busybox' }]);
    expect(out.spec.template.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
  });
  it('scales as `kubectl scale` does', () => {
    expect(applyPatch(deployment(), 'merge', { spec: { replicas: 3 } }).spec.replicas).toBe(3);
  });
  it.each([[[1, 2]], [null], ['"text"'], [5]])('rejects a non-object patch %j with 400', (patch) => {
    expectApiError(() => applyPatch(deployment(), 'merge', patch), 400, 'BadRequest');
  });
  it('rejects a patch that removes metadata', () => {
    expectApiError(() => applyPatch(deployment(), 'merge', { metadata: null }), 400, 'BadRequest');
  });
  // Found by the API server fuzz test (src/apiserver/fuzz.test.ts): the json-merge-patch package threw a
  // TypeError (a 500) on an object holding a `hasOwnProperty` key, and stopped at a `constructor` key.
  it('handles objects holding hasOwnProperty, constructor or __proto__ keys as plain data', () => {
    const live = { ...deployment(), extra: { hasOwnProperty: 1, x: 2 } };
    expect(applyPatch(live, 'merge', { extra: { x: null } }).extra).toEqual({ hasOwnProperty: 1 });
    const out = applyPatch(
      deployment(),
      'merge',
      JSON.parse('{"a":1,"constructor":{"prototype":{"p":1}},"b":2}'),
    );
    expect([out.a, out.b, out.constructor]).toEqual([1, 2, { prototype: { p: 1 } }]);
    const polluting = applyPatch(deployment(), 'merge', JSON.parse('{"__proto__":{"polluted":1},"c":3}'));
    expect(polluting.c).toBe(3);
    expect(Object.getPrototypeOf(polluting)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('server-side apply body', () => {
  it('merges the applied object onto the live one', () => {
    const out = applyPatch(deployment(), 'apply', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 5,
        template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      },
    });
    expect(out.spec.replicas).toBe(5);
    expect(containers(out)[0].image).toBe('nginx:1.27');
    expect(containers(out)[0].env).toHaveLength(2);
    expect(out.status).toEqual(deployment().status);
    expect(out.metadata.uid).toBe('d-1');
  });

  it('accepts the YAML body kubectl sends as application/apply-patch+yaml', () => {
    const yaml = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 7\n';
    expect(applyPatch(deployment(), 'apply', yaml).spec.replicas).toBe(7);
  });

  it('rejects YAML that is not an object', () => {
    expectApiError(() => applyPatch(deployment(), 'apply', '- a\n- b\n'), 400, 'BadRequest');
    expectApiError(
      () => applyPatch(deployment(), 'apply', 'a: [unclosed'),
      400,
      'BadRequest',
      /error decoding patch/,
    );
  });
});
