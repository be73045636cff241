import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { LAST_APPLIED_ANNOTATION, lastApplied, threeWayPatch, withLastApplied } from './apply-patch.js';

function deployment(containers: unknown[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 2, template: { spec: { containers } }, ...extra },
  };
}

/** What the server would hold after creating `file`: defaults added, the annotation kept. */
function liveOf(file: KubeObject, mutate: (o: any) => void = () => {}): KubeObject {
  const live: any = withLastApplied(file);
  live.metadata.uid = 'u1';
  live.metadata.resourceVersion = '7';
  live.status = { replicas: 2 };
  for (const c of live.spec.template.spec.containers) {
    c.imagePullPolicy = 'IfNotPresent';
    for (const p of c.ports ?? []) p.protocol = 'TCP';
  }
  mutate(live);
  return live;
}

describe('withLastApplied / lastApplied', () => {
  it('records the file object exactly as kubectl does: Go JSON, sorted keys, empty annotations, newline', () => {
    const file = deployment([{ name: 'nginx', image: 'nginx:1.26', command: ['sh', '-c', 'a > b'] }]);
    const out = withLastApplied(file);
    expect(out.metadata.annotations![LAST_APPLIED_ANNOTATION]).toBe(
      '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"name":"web","namespace":"default"},' +
        '"spec":{"replicas":2,"template":{"spec":{"containers":[{"command":["sh","-c","a \\u003e b"],' +
        '"image":"nginx:1.26","name":"nginx"}]}}}}\n',
    );
    expect(lastApplied(out)).toEqual({ ...file, metadata: { ...file.metadata, annotations: {} } });
    expect(file.metadata.annotations).toBeUndefined(); // input untouched
  });

  it('ignores a missing or unreadable annotation', () => {
    expect(lastApplied(deployment([]))).toBeUndefined();
    const bad = deployment([]);
    bad.metadata.annotations = { [LAST_APPLIED_ANNOTATION]: '{not json' };
    expect(lastApplied(bad)).toBeUndefined();
  });
});

describe('threeWayPatch', () => {
  it('is empty when the file did not change, whatever the server added', () => {
    const file = deployment([{ name: 'nginx', image: 'nginx:1.26', ports: [{ containerPort: 80 }] }]);
    expect(threeWayPatch(file, withLastApplied(file), liveOf(file))).toEqual({});
  });

  it('sends only the changed scalar plus the new annotation', () => {
    const old = deployment([{ name: 'nginx', image: 'nginx:1.26' }]);
    const next = deployment([{ name: 'nginx', image: 'nginx:1.26' }]);
    next.spec.replicas = 3;
    const modified = withLastApplied(next);
    expect(threeWayPatch(old, modified, liveOf(old))).toEqual({
      metadata: {
        annotations: { [LAST_APPLIED_ANNOTATION]: modified.metadata.annotations![LAST_APPLIED_ANNOTATION] },
      },
      spec: { replicas: 3 },
    });
  });

  it('merges containers by name, deletes removed fields with null and orders with $setElementOrder', () => {
    const old = deployment([{ name: 'nginx', image: 'nginx:1.26', ports: [{ containerPort: 80 }] }]);
    const next = deployment([
      { name: 'nginx', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }] },
      { name: 'side', image: 'busybox' },
    ]);
    const patch = threeWayPatch(old, withLastApplied(next), liveOf(old)) as any;
    expect(patch.spec).toEqual({
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'side' }],
          containers: [
            { name: 'nginx', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }], ports: null },
            { name: 'side', image: 'busybox' },
          ],
        },
      },
    });
  });

  it('deletes list elements the previous apply created and the file dropped', () => {
    const old = deployment([
      { name: 'a', image: 'x' },
      { name: 'b', image: 'y' },
    ]);
    const next = deployment([{ name: 'a', image: 'x' }]);
    const patch = threeWayPatch(old, withLastApplied(next), liveOf(old)) as any;
    expect(patch.spec.template.spec.containers).toEqual([{ name: 'b', $patch: 'delete' }]);
  });

  it('leaves alone fields that other writers set (not in the last applied configuration)', () => {
    const file = deployment([{ name: 'nginx', image: 'nginx:1.26' }]);
    const live = liveOf(file, (o) => {
      o.metadata.labels = { team: 'blue' };
      o.spec.paused = true;
    });
    expect(threeWayPatch(file, withLastApplied(file), live)).toEqual({});
  });

  it('replaces lists without a merge key (args) and treats null in a file as unset', () => {
    const old = deployment([{ name: 'c', image: 'x', args: ['a', 'b'] }]);
    const next = deployment([{ name: 'c', image: 'x', args: ['b'] }]);
    (next.metadata as any).creationTimestamp = null;
    const patch = threeWayPatch(old, withLastApplied(next), liveOf(old)) as any;
    expect(patch.spec.template.spec.containers).toEqual([{ name: 'c', args: ['b'] }]);
    expect(patch.metadata.creationTimestamp).toBeUndefined();
  });

  it('without a previous apply, changes fields but deletes nothing', () => {
    const file = deployment([{ name: 'nginx', image: 'nginx:1.27' }]);
    const live = liveOf(deployment([{ name: 'nginx', image: 'nginx:1.26' }]), (o) => {
      delete o.metadata.annotations;
      o.spec.minReadySeconds = 5;
    });
    const patch = threeWayPatch(undefined, withLastApplied(file), live) as any;
    expect(patch.spec).toEqual({
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }],
          containers: [{ name: 'nginx', image: 'nginx:1.27' }],
        },
      },
    });
  });

  it('keys service ports by port and container ports by containerPort', () => {
    const svc = (ports: unknown[]): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'default' },
      spec: { ports },
    });
    const old = svc([{ port: 80, targetPort: 8080 }]);
    const next = svc([{ port: 80, targetPort: 9090 }]);
    const live = withLastApplied(old) as any;
    live.spec.ports[0].protocol = 'TCP';
    const patch = threeWayPatch(old, withLastApplied(next), live) as any;
    expect(patch.spec).toEqual({
      '$setElementOrder/ports': [{ port: 80 }],
      ports: [{ port: 80, targetPort: 9090 }],
    });
  });
});
