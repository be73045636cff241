// Strategic merge patch, through applyPatch(…, 'strategic', …): the bodies kubectl sends and every directive.
import { describe, expect, it } from 'vitest';
import { applyPatch } from './patch.js';
import { containers, deployment, expectApiError } from './patch-test-fixtures.js';
import type { KubeObject } from './types.js';

describe('strategic merge patch', () => {
  it('applies the second `kubectl apply` (KUBECTL-API.md §9.2)', () => {
    const lastApplied = '{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":3}}\n';
    const out = applyPatch(deployment(), 'strategic', {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } },
      spec: { replicas: 3 },
    });
    expect(out.spec.replicas).toBe(3);
    expect(out.metadata.annotations).toEqual({
      'deployment.kubernetes.io/revision': '2',
      keep: 'me',
      'kubectl.kubernetes.io/last-applied-configuration': lastApplied,
    });
    expect(out.status).toEqual(deployment().status);
  });

  it('applies the list-change body of §9.2 ($setElementOrder, merge by name, null deletes ports)', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'side' }],
            containers: [
              { env: [{ name: 'A', value: '1' }], image: 'nginx:1.26', name: 'nginx', ports: null },
              { image: 'busybox', name: 'side' },
            ],
          },
        },
      },
    });
    const [nginx, side] = containers(out);
    expect(containers(out)).toHaveLength(2);
    expect(nginx.name).toBe('nginx');
    expect(nginx.image).toBe('nginx:1.26');
    expect(nginx.ports).toBeUndefined();
    expect(nginx.imagePullPolicy).toBe('IfNotPresent');
    expect(nginx.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '1' },
    ]);
    expect(nginx.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    expect(side).toEqual({ image: 'busybox', name: 'side' });
    expect(JSON.stringify(out)).not.toContain('$setElementOrder');
  });

  it('applies `kubectl set image` (§9.4)', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{ image: 'nginx:1.27', name: 'nginx' }],
          },
        },
      },
    });
    expect(containers(out)).toHaveLength(1);
    expect(containers(out)[0]).toEqual({
      ...deployment().spec.template.spec.containers[0],
      image: 'nginx:1.27',
    });
  });

  it('applies `kubectl rollout restart`', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: {
        template: {
          metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-30T04:40:01Z' } },
        },
      },
    });
    expect(out.spec.template.metadata).toEqual({
      labels: { app: 'web' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-30T04:40:01Z' },
    });
  });

  it('applies `kubectl cordon` to a node', () => {
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      spec: { podCIDR: '10.244.1.0/24' },
    };
    expect(applyPatch(node, 'strategic', { spec: { unschedulable: true } }).spec).toEqual({
      podCIDR: '10.244.1.0/24',
      unschedulable: true,
    });
  });

  it('merges env by name, ports by containerPort, mounts by mountPath and volumes by name', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'nginx',
                env: [{ name: 'B', value: '2' }],
                ports: [{ containerPort: 80, name: 'http' }],
                volumeMounts: [{ mountPath: '/data', readOnly: true }],
              },
            ],
            volumes: [{ name: 'cache', emptyDir: { medium: 'Memory' } }],
          },
        },
      },
    });
    const [nginx] = containers(out);
    expect(nginx.env).toEqual([
      { name: 'A', value: '0' },
      { name: 'B', value: '2' },
    ]);
    expect(nginx.ports).toEqual([{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
    expect(nginx.volumeMounts).toEqual([{ name: 'data', mountPath: '/data', readOnly: true }]);
    expect(out.spec.template.spec.volumes.map((v: { name: string }) => v.name).sort()).toEqual([
      'cache',
      'data',
    ]);
  });

  it('puts new merge-list items before server-only ones when no order is given (as Kubernetes does)', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'side', image: 'busybox' }] } } },
    });
    expect(containers(out).map((c: { name: string }) => c.name)).toEqual(['side', 'nginx']);
  });

  it('orders by $setElementOrder, interleaving server-only items', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'nginx',
                // A stays before B (their server order); C, new, has no server position and goes first.
                '$setElementOrder/env': [{ name: 'C' }, { name: 'B' }],
                env: [{ name: 'C', value: '3' }],
              },
            ],
          },
        },
      },
    });
    expect(containers(out)[0].env.map((e: { name: string }) => e.name)).toEqual(['C', 'A', 'B']);
  });

  it('replaces lists without a merge key (tolerations, args)', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: {
        template: {
          spec: {
            tolerations: [{ key: 'b', operator: 'Exists' }],
            containers: [{ name: 'nginx', args: ['-z'] }],
          },
        },
      },
    });
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
    expect(containers(out)[0].args).toEqual(['-z']);
  });

  it('deletes a list element with $patch: delete', () => {
    const two = applyPatch(deployment(), 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'side', image: 'busybox' }] } } },
    });
    const out = applyPatch(two, 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } } },
    });
    expect(containers(out).map((c: { name: string }) => c.name)).toEqual(['nginx']);
  });

  it('replaces a whole list with a $patch: replace element', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: {
        template: { spec: { containers: [{ $patch: 'replace' }, { name: 'solo', image: 'busybox' }] } },
      },
    });
    expect(containers(out)).toEqual([{ name: 'solo', image: 'busybox' }]);
  });

  it('replaces or deletes a map with $patch', () => {
    const replaced = applyPatch(deployment(), 'strategic', {
      metadata: { labels: { $patch: 'replace', only: 'this' } },
    });
    expect(replaced.metadata.labels).toEqual({ only: 'this' });
    const deleted = applyPatch(deployment(), 'strategic', {
      metadata: { annotations: { $patch: 'delete' } },
    });
    expect(deleted.metadata.annotations).toEqual({});
    const merged = applyPatch(deployment(), 'strategic', {
      metadata: { labels: { $patch: 'merge', x: 'y' } },
    });
    expect(merged.metadata.labels).toEqual({ app: 'web', x: 'y' });
  });

  it('clears union members with $retainKeys (strategy RollingUpdate → Recreate)', () => {
    const out = applyPatch(deployment(), 'strategic', {
      spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } },
    });
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('rejects a patch field missing from $retainKeys', () => {
    expectApiError(
      () =>
        applyPatch(deployment(), 'strategic', {
          spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } },
        }),
      400,
      'BadRequest',
    );
  });

  it('merges scalar merge lists and deletes from them with $deleteFromPrimitiveList', () => {
    const added = applyPatch(deployment(), 'strategic', {
      metadata: { finalizers: ['example.com/b', 'example.com/a'] },
    });
    expect(added.metadata.finalizers).toEqual(['example.com/b', 'example.com/a']);
    const removed = applyPatch(added, 'strategic', {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/a'] },
    });
    expect(removed.metadata.finalizers).toEqual(['example.com/b']);
  });

  it('merges pod status conditions by type and service ports by port', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'i' }] },
      status: {
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'False' },
        ],
      },
    };
    const out = applyPatch(pod, 'strategic', {
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(out.status.conditions).toEqual([
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: 'True' },
    ]);
    const svc: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: {
        ports: [
          { name: 'http', port: 80, targetPort: 8080 },
          { name: 'https', port: 443 },
        ],
      },
    };
    const svcOut = applyPatch(svc, 'strategic', { spec: { ports: [{ port: 80, targetPort: 9090 }] } });
    expect(svcOut.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 9090 },
      { name: 'https', port: 443 },
    ]);
  });

  it('interprets directives inside values the original lacked', () => {
    const bare: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } };
    const out = applyPatch(bare, 'strategic', {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }],
        containers: [{ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }] }],
      },
    });
    expect(out.spec).toEqual({ containers: [{ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }] }] });
  });

  it('ignores __proto__ keys instead of changing prototypes', () => {
    const out = applyPatch(
      deployment(),
      'strategic',
      '{"metadata":{"__proto__":{"polluted":true},"labels":{"x":"y"}}}',
    );
    expect(Object.getPrototypeOf(out.metadata)).toBe(Object.prototype);
    expect((out.metadata as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(out.metadata.labels).toEqual({ app: 'web', x: 'y' });
  });

  it.each([
    [{ metadata: { labels: { $patch: 'explode' } } }, /Unknown patch type/],
    [
      { spec: { template: { spec: { containers: [{ image: 'no-name' }] } } } },
      /does not contain declared merge key: name/,
    ],
    [{ spec: { template: { spec: { containers: ['nginx'] } } } }, /must be objects/],
    [
      { spec: { template: { spec: { containers: [{ name: 'x', $patch: 'merge' }] } } } },
      /merging lists cannot yet be specified/,
    ],
    [[{ op: 'add' }], /must be a JSON object/],
  ])('answers 400 for %j', (patch, message) => {
    expectApiError(() => applyPatch(deployment(), 'strategic', patch), 400, 'BadRequest', message);
  });
});
