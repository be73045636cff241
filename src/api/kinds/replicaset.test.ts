import { describe, expect, it } from 'vitest';
import { objectFields } from '../selectors.js';
import type { ReplicaSet, ReplicaSetSpec } from '../types.js';
import { replicaSetDef } from './replicaset.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');

function replicaSet(spec: Partial<ReplicaSetSpec> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-6d4b8c', namespace: 'default', creationTimestamp: '2026-11-30T04:00:00Z' },
    spec: {
      selector: { matchLabels: { app: 'web', 'pod-template-hash': '6d4b8c' } },
      template: {
        metadata: { labels: { app: 'web', 'pod-template-hash': '6d4b8c' } },
        spec: {
          containers: [
            { name: 'nginx', image: 'nginx:1.27' },
            { name: 'side', image: 'busybox' },
          ],
        },
      },
      ...spec,
    },
  };
}

function defaulted(rs: ReplicaSet): ReplicaSet {
  replicaSetDef.defaults!(rs);
  return rs;
}

const problems = (rs: ReplicaSet, old?: ReplicaSet) =>
  replicaSetDef.validate!(rs, old).map((e) => `${e.field}: ${e.message}`);

describe('replicaset defaults (SetDefaults_ReplicaSet)', () => {
  it('defaults replicas to 1 and the template like a pod', () => {
    const rs = defaulted(replicaSet());
    expect(rs.spec.replicas).toBe(1);
    expect(rs.spec.template!.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' });
  });
  it('keeps replicas 0', () => {
    expect(defaulted(replicaSet({ replicas: 0 })).spec.replicas).toBe(0);
  });
});

describe('replicaset validation', () => {
  it('accepts a defaulted replicaset', () => {
    expect(problems(defaulted(replicaSet()))).toEqual([]);
  });

  it.each<[string, Partial<ReplicaSetSpec>, string[]]>([
    [
      'negative replicas',
      { replicas: -2 },
      ['spec.replicas: Invalid value: -2: must be greater than or equal to 0'],
    ],
    [
      'negative minReadySeconds',
      { minReadySeconds: -1 },
      ['spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'selector not matching',
      { selector: { matchLabels: { app: 'db' } } },
      [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web", "pod-template-hash":"6d4b8c"}: `selector` does not match template `labels`',
      ],
    ],
    [
      // Kubernetes' ReplicaSet validation says "deployment" here; skiff keeps the text users search for.
      'empty selector',
      { selector: { matchLabels: {} } },
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
      ],
    ],
    [
      'Exists with values',
      {
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'pod-template-hash', operator: 'Exists', values: ['x'] }],
        },
      },
      [
        "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"pod-template-hash", Operator:"Exists", Values:[]string{"x"}}}}: invalid label selector',
      ],
    ],
  ])('%s', (_name, spec, expected) => {
    expect(problems(defaulted(replicaSet(spec)))).toEqual(expected);
  });

  it('keeps the selector immutable but lets replicas and the template change', () => {
    const old = defaulted(replicaSet());
    const scaled = defaulted(replicaSet({ replicas: 4 }));
    expect(problems(scaled, old)).toEqual([]);
    const moved = defaulted(replicaSet({ selector: { matchLabels: { app: 'web' } } }));
    expect(problems(moved, old)).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
});

describe('replicaset table row and fields', () => {
  it('prints Name, Desired, Current, Ready, Age | Containers, Images, Selector', () => {
    const rs = defaulted(replicaSet({ replicas: 3 }));
    rs.status = { replicas: 3, readyReplicas: 1 };
    expect(replicaSetDef.columns.map((c) => c.name)).toEqual([
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ]);
    expect(replicaSetDef.row(rs, { now: NOW })).toEqual([
      'web-6d4b8c',
      3,
      3,
      1,
      '60m',
      'nginx,side',
      'nginx:1.27,busybox',
      'app=web,pod-template-hash=6d4b8c',
    ]);
  });

  it('supports the status.replicas field selector', () => {
    const rs = defaulted(replicaSet());
    rs.status = { replicas: 2 };
    expect(objectFields(replicaSetDef, rs)['status.replicas']).toBe('2');
    expect(objectFields(replicaSetDef, defaulted(replicaSet()))['status.replicas']).toBe('0');
  });
});
