import { describe, expect, it } from 'vitest';
import type { DaemonSet, Pod } from '../../api/types.js';
import {
  compareDaemonPods,
  daemonPodTemplate,
  daemonPodTolerations,
  isPodUpdated,
  replaceNodeNameAffinity,
  targetNodeName,
} from './daemon-pods.js';

const ds: DaemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: {
    name: 'agent',
    namespace: 'default',
    uid: 'u',
    annotations: { 'deprecated.daemonset.template.generation': '3' },
  },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: {
        containers: [{ name: 'a', image: 'img' }],
        tolerations: [
          {
            key: 'node.kubernetes.io/not-ready',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 30,
          },
        ],
      },
    },
  },
};

describe('daemon pod template', () => {
  it('adds the default DaemonSet tolerations, replacing a user one with the same key/operator/effect', () => {
    expect(daemonPodTolerations(ds.spec.template.spec)).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(daemonPodTolerations({ hostNetwork: true }).at(-1)).toEqual({
      key: 'node.kubernetes.io/network-unavailable',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
  });

  it('labels pods with the revision hash and template generation, leaving the DaemonSet untouched', () => {
    const t = daemonPodTemplate(ds, 'abc');
    expect(t.metadata?.labels).toEqual({
      app: 'agent',
      'controller-revision-hash': 'abc',
      'pod-template-generation': '3',
    });
    expect(ds.spec.template.metadata?.labels).toEqual({ app: 'agent' });
    expect(ds.spec.template.spec.tolerations).toHaveLength(1);
  });
});

describe('node pinning', () => {
  it('replaces the required terms with metadata.name In [node] and keeps the rest', () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }],
      },
      podAntiAffinity: { x: 1 },
    };
    expect(replaceNodeNameAffinity(affinity, 'n1')).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }],
      },
      podAntiAffinity: { x: 1 },
    });
    expect(
      affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0],
    ).toHaveProperty('matchExpressions');
  });

  it('finds the target node from nodeName or the pinning term', () => {
    const pod = (spec: Partial<Pod['spec']>): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [], ...spec },
    });
    expect(targetNodeName(pod({ nodeName: 'n2', affinity: replaceNodeNameAffinity(undefined, 'n1') }))).toBe(
      'n2',
    );
    expect(targetNodeName(pod({ affinity: replaceNodeNameAffinity(undefined, 'n1') }))).toBe('n1');
    expect(targetNodeName(pod({}))).toBeUndefined();
  });
});

describe('pod revisions and ordering', () => {
  const pod = (labels: Record<string, string>, created: string, nodeName?: string, name = 'p'): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels, creationTimestamp: created },
    spec: { containers: [], ...(nodeName ? { nodeName } : {}) },
  });
  it('a pod is updated when its hash or template generation matches', () => {
    expect(isPodUpdated(pod({ 'controller-revision-hash': 'h' }, ''), 'h', undefined)).toBe(true);
    expect(isPodUpdated(pod({ 'pod-template-generation': '3' }, ''), 'x', '3')).toBe(true);
    expect(isPodUpdated(pod({ 'controller-revision-hash': 'old' }, ''), 'h', '4')).toBe(false);
  });
  it('sorts scheduled pods first, then oldest, then by name', () => {
    const pods = [
      pod({}, '2026-01-01T00:00:05Z', undefined, 'unscheduled'),
      pod({}, '2026-01-01T00:00:09Z', 'n', 'newer'),
      pod({}, '2026-01-01T00:00:01Z', 'n', 'b-older'),
      pod({}, '2026-01-01T00:00:01Z', 'n', 'a-older'),
    ];
    expect(pods.sort(compareDaemonPods).map((p) => p.metadata.name)).toEqual([
      'a-older',
      'b-older',
      'newer',
      'unscheduled',
    ]);
  });
});
