import { describe, expect, it } from 'vitest';
import type { DaemonSet, DaemonSetSpec } from '../types.js';
import { daemonSetDef } from './daemonset.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');

function daemonSet(spec: Partial<DaemonSetSpec> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'log-agent', namespace: 'kube-system', creationTimestamp: '2026-11-28T05:00:00Z' },
    spec: {
      selector: { matchLabels: { app: 'log-agent' } },
      template: {
        metadata: { labels: { app: 'log-agent' } },
        spec: {
          containers: [{ name: 'agent', image: 'busybox' }],
          nodeSelector: { disk: 'ssd', 'kubernetes.io/os': 'linux' },
        },
      },
      ...spec,
    },
  };
}

function defaulted(ds: DaemonSet): DaemonSet {
  daemonSetDef.defaults!(ds);
  return ds;
}

const problems = (ds: DaemonSet, old?: DaemonSet) =>
  daemonSetDef.validate!(ds, old).map((e) => `${e.field}: ${e.message}`);

describe('daemonset defaults (SetDefaults_DaemonSet)', () => {
  it.each<[string, Partial<DaemonSetSpec>, Partial<DaemonSetSpec>]>([
    [
      'RollingUpdate with maxUnavailable 1 and maxSurge 0, history 10',
      {},
      {
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        revisionHistoryLimit: 10,
      },
    ],
    [
      'OnDelete gets no rollingUpdate',
      { updateStrategy: { type: 'OnDelete' } },
      { updateStrategy: { type: 'OnDelete' } },
    ],
    [
      'a given maxSurge is kept',
      { updateStrategy: { rollingUpdate: { maxSurge: '10%', maxUnavailable: 0 } } },
      { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '10%', maxUnavailable: 0 } } },
    ],
  ])('%s', (_name, spec, expected) => {
    expect(defaulted(daemonSet(spec)).spec).toMatchObject(expected);
  });

  it('defaults the template like a pod', () => {
    expect(defaulted(daemonSet()).spec.template.spec.restartPolicy).toBe('Always');
  });
});

describe('daemonset validation', () => {
  it('accepts a defaulted daemonset', () => {
    expect(problems(defaulted(daemonSet()))).toEqual([]);
  });

  it.each<[string, Partial<DaemonSetSpec>, string[]]>([
    [
      // Kubernetes reports an absent DaemonSet selector as a mismatch: it selects nothing.
      'no selector',
      { selector: undefined as never },
      [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"log-agent"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'empty selector',
      { selector: {} },
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset',
      ],
    ],
    [
      'maxSurge and maxUnavailable both set',
      { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } },
      [
        'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
      ],
    ],
    [
      'both zero',
      { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } },
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'],
    ],
    [
      'maxSurge over 100%',
      { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '101%' } } },
      [
        'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"101%"}: must not be greater than 100%',
      ],
    ],
    [
      'unknown strategy',
      { updateStrategy: { type: 'Canary' as 'OnDelete' } },
      ['spec.updateStrategy: Unsupported value: "Canary": supported values: "RollingUpdate", "OnDelete"'],
    ],
    [
      'restartPolicy OnFailure',
      {
        template: {
          metadata: { labels: { app: 'log-agent' } },
          spec: { containers: [{ name: 'agent', image: 'busybox' }], restartPolicy: 'OnFailure' },
        },
      },
      ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    ],
    [
      'activeDeadlineSeconds',
      {
        template: {
          metadata: { labels: { app: 'log-agent' } },
          spec: { containers: [{ name: 'agent', image: 'busybox' }], activeDeadlineSeconds: 5 },
        },
      },
      [
        'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported',
      ],
    ],
    [
      'negative revisionHistoryLimit',
      { revisionHistoryLimit: -1 },
      ['spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0'],
    ],
  ])('%s', (_name, spec, expected) => {
    expect(problems(defaulted(daemonSet(spec)))).toEqual(expected);
  });

  it('keeps the selector immutable on update', () => {
    const old = defaulted(daemonSet());
    const next = defaulted(
      daemonSet({ selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } }),
    );
    expect(problems(next, old)).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Exists", Values:[]string(nil)}}}: field is immutable',
    ]);
  });
});

describe('daemonset table row', () => {
  it('prints Name, Desired, Current, Ready, Up-to-date, Available, Node Selector, Age | Containers, Images, Selector', () => {
    const ds = defaulted(daemonSet());
    ds.status = {
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberReady: 2,
      updatedNumberScheduled: 3,
      numberAvailable: 2,
      numberMisscheduled: 0,
    };
    expect(daemonSetDef.columns.map((c) => `${c.name}/${c.priority}`)).toEqual([
      'Name/0',
      'Desired/0',
      'Current/0',
      'Ready/0',
      'Up-to-date/0',
      'Available/0',
      'Node Selector/0',
      'Age/0',
      'Containers/1',
      'Images/1',
      'Selector/1',
    ]);
    expect(daemonSetDef.row(ds, { now: NOW })).toEqual([
      'log-agent',
      3,
      3,
      2,
      3,
      2,
      'disk=ssd,kubernetes.io/os=linux',
      '2d',
      'agent',
      'busybox',
      'app=log-agent',
    ]);
  });

  it('prints <none> without a node selector', () => {
    const ds = defaulted(daemonSet());
    delete ds.spec.template.spec.nodeSelector;
    expect(daemonSetDef.row(ds, { now: NOW })[6]).toBe('<none>');
  });
});
