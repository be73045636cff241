import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import { deletionCompleted, planDeletion } from './deletion.js';

const registry = defaultRegistry();
const podDef = registry.get('', 'v1', 'pods')!;
const cmDef = registry.get('', 'v1', 'configmaps')!;
const nsDef = registry.get('', 'v1', 'namespaces')!;
const NOW = Date.parse('2026-01-01T00:00:00Z');

function pod(extra: { nodeName?: string; phase?: string; grace?: number; meta?: object } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', generation: 1, ...extra.meta },
    spec: {
      containers: [{ name: 'a', image: 'x' }],
      nodeName: extra.nodeName,
      terminationGracePeriodSeconds: extra.grace,
    },
    status: { phase: extra.phase ?? 'Running' },
  };
}

describe('planDeletion', () => {
  it('removes unbound or finished pods and plain objects at once', () => {
    expect(planDeletion(podDef, pod(), {}, NOW)).toEqual({ action: 'remove' });
    expect(planDeletion(podDef, pod({ nodeName: 'n', phase: 'Succeeded' }), {}, NOW)).toEqual({
      action: 'remove',
    });
    expect(planDeletion(podDef, pod({ nodeName: 'n' }), { gracePeriodSeconds: 0 }, NOW)).toEqual({
      action: 'remove',
    });
    expect(
      planDeletion(
        cmDef,
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
        { gracePeriodSeconds: 30 },
        NOW,
      ),
    ).toEqual({
      action: 'remove',
    });
  });

  it('marks a running bound pod with the grace from options, spec, or 30 s, and bumps generation', () => {
    const byDefault = planDeletion(podDef, pod({ nodeName: 'n' }), {}, NOW);
    expect(byDefault).toMatchObject({
      action: 'mark',
      object: {
        metadata: {
          deletionTimestamp: '2026-01-01T00:00:30Z',
          deletionGracePeriodSeconds: 30,
          generation: 2,
        },
      },
    });
    const bySpec = planDeletion(podDef, pod({ nodeName: 'n', grace: 5 }), {}, NOW);
    expect(bySpec).toMatchObject({ object: { metadata: { deletionGracePeriodSeconds: 5 } } });
    const byOption = planDeletion(podDef, pod({ nodeName: 'n', grace: 5 }), { gracePeriodSeconds: 12 }, NOW);
    expect(byOption).toMatchObject({ object: { metadata: { deletionGracePeriodSeconds: 12 } } });
  });

  it('shortens but never lengthens a pending grace period', () => {
    const marked = pod({
      nodeName: 'n',
      meta: { deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 },
    });
    expect(planDeletion(podDef, marked, { gracePeriodSeconds: 60 }, NOW)).toEqual({ action: 'keep' });
    expect(planDeletion(podDef, marked, {}, NOW)).toEqual({ action: 'keep' });
    expect(planDeletion(podDef, marked, { gracePeriodSeconds: 10 }, NOW)).toMatchObject({
      action: 'mark',
      object: {
        metadata: {
          deletionTimestamp: '2026-01-01T00:00:10Z',
          deletionGracePeriodSeconds: 10,
          generation: 1,
        },
      },
    });
  });

  it('keeps objects with finalizers and adds the propagation finalizers', () => {
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', finalizers: ['x/y'] },
    };
    expect(planDeletion(cmDef, cm, {}, NOW)).toMatchObject({
      action: 'mark',
      object: {
        metadata: {
          deletionTimestamp: '2026-01-01T00:00:00Z',
          deletionGracePeriodSeconds: 0,
          finalizers: ['x/y'],
        },
      },
    });
    const fg = planDeletion(
      cmDef,
      { ...cm, metadata: { name: 'c' } },
      { propagationPolicy: 'Foreground' },
      NOW,
    );
    expect(fg).toMatchObject({
      action: 'mark',
      object: { metadata: { finalizers: ['foregroundDeletion'] } },
    });
    const orphan = planDeletion(cmDef, cm, { propagationPolicy: 'Orphan' }, NOW);
    expect(orphan).toMatchObject({ object: { metadata: { finalizers: ['x/y', 'orphan'] } } });
    const marked = {
      ...cm,
      metadata: { ...cm.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 },
    };
    expect(planDeletion(cmDef, marked, {}, NOW)).toEqual({ action: 'keep' });
  });

  it('makes a namespace Terminating first, removes it once finalized', () => {
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'n' },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    const plan = planDeletion(nsDef, ns, {}, NOW);
    expect(plan).toMatchObject({
      action: 'mark',
      object: { status: { phase: 'Terminating' }, metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } },
    });
    const terminating = (plan as { object: KubeObject }).object;
    expect(planDeletion(nsDef, terminating, {}, NOW)).toEqual({ action: 'keep' });
    expect(planDeletion(nsDef, { ...terminating, spec: { finalizers: [] } }, {}, NOW)).toEqual({
      action: 'remove',
    });
  });
});

describe('deletionCompleted', () => {
  const base: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'c',
      deletionTimestamp: '2026-01-01T00:00:00Z',
      deletionGracePeriodSeconds: 0,
      finalizers: ['a'],
    },
  };
  it('is true when an update removes the last finalizer of an object being deleted', () => {
    expect(deletionCompleted(cmDef, { ...base, metadata: { ...base.metadata, finalizers: [] } }, base)).toBe(
      true,
    );
    expect(deletionCompleted(cmDef, base, base)).toBe(false);
    const notDeleting = { ...base, metadata: { name: 'c', finalizers: ['a'] } };
    expect(deletionCompleted(cmDef, { ...notDeleting, metadata: { name: 'c' } }, notDeleting)).toBe(false);
  });

  it('waits for a pending grace period and ignores status writes to a terminating pod', () => {
    const graceful = {
      ...pod({ nodeName: 'n' }),
      metadata: { ...base.metadata, deletionGracePeriodSeconds: 30 },
    };
    expect(
      deletionCompleted(
        podDef,
        { ...graceful, metadata: { ...graceful.metadata, finalizers: [] } },
        graceful,
      ),
    ).toBe(false);
    const noFinalizers = { ...graceful, metadata: { ...graceful.metadata, finalizers: undefined } };
    expect(deletionCompleted(podDef, noFinalizers, noFinalizers)).toBe(false);
  });

  it('completes a namespace when its spec.finalizers are emptied', () => {
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'n', deletionTimestamp: 'x' },
      spec: { finalizers: ['kubernetes'] },
    };
    expect(deletionCompleted(nsDef, { ...ns, spec: { finalizers: [] } }, ns)).toBe(true);
    expect(deletionCompleted(nsDef, ns, ns)).toBe(false);
  });
});
