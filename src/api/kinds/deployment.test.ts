import { describe, expect, it } from 'vitest';
import type { Deployment, DeploymentSpec } from '../types.js';
import { deploymentDef } from './deployment.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');

function deployment(spec: Partial<DeploymentSpec> = {}, name = 'web'): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', creationTimestamp: '2026-11-30T04:58:00Z' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
      },
      ...spec,
    },
  };
}

function defaulted(d: Deployment): Deployment {
  deploymentDef.defaults!(d);
  return d;
}

const problems = (d: Deployment, old?: Deployment) =>
  deploymentDef.validate!(d, old).map((e) => `${e.field}: ${e.message}`);

describe('deployment defaults (SetDefaults_Deployment)', () => {
  it.each<[string, Partial<DeploymentSpec>, Partial<DeploymentSpec>]>([
    [
      'an empty spec gets every default',
      {},
      {
        replicas: 1,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    ],
    ['replicas 0 stays 0', { replicas: 0 }, { replicas: 0 }],
    [
      'a partial rollingUpdate keeps its value and gains the other',
      { strategy: { rollingUpdate: { maxSurge: 2 } } },
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: '25%' } } },
    ],
    [
      'Recreate gets no rollingUpdate',
      { strategy: { type: 'Recreate' } },
      { strategy: { type: 'Recreate' } },
    ],
    [
      'explicit limits are kept',
      { revisionHistoryLimit: 0, progressDeadlineSeconds: 30 },
      { revisionHistoryLimit: 0, progressDeadlineSeconds: 30 },
    ],
  ])('%s', (_name, spec, expected) => {
    expect(defaulted(deployment(spec)).spec).toMatchObject(expected);
  });

  it('defaults the pod template like a pod', () => {
    const podSpec = defaulted(deployment()).spec.template.spec;
    expect(podSpec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      securityContext: {},
    });
    expect(podSpec.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePolicy: 'File',
    });
  });

  it('tolerates a malformed spec (validation reports it)', () => {
    const d = { ...deployment(), spec: 7 } as unknown as Deployment;
    expect(() => deploymentDef.defaults!(d)).not.toThrow();
    expect(problems(d)).toContain('spec.selector: Required value');
  });
});

describe('deployment validation', () => {
  it('accepts a defaulted deployment', () => {
    expect(problems(defaulted(deployment()))).toEqual([]);
  });

  it.each<[string, Partial<DeploymentSpec>, string[]]>([
    [
      'selector does not match the template labels',
      { selector: { matchLabels: { app: 'other' } } },
      [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'no selector',
      { selector: undefined as never },
      [
        'spec.selector: Required value',
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'empty selector',
      { selector: {} },
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
      ],
    ],
    [
      'a bad selector operator',
      { selector: { matchExpressions: [{ key: 'app', operator: 'Is' as 'In', values: ['web'] }] } },
      [
        'spec.selector.matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator',
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Is", Values:[]string{"web"}}}}: invalid label selector',
      ],
    ],
    [
      'In without values',
      { selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In' }] } },
      [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"tier", Operator:"In", Values:[]string(nil)}}}: invalid label selector',
      ],
    ],
    [
      'negative replicas',
      { replicas: -1 },
      ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'maxSurge and maxUnavailable both 0',
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } },
      [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
      ],
    ],
    [
      'both 0%',
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '0%', maxUnavailable: '0%' } } },
      [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0',
      ],
    ],
    [
      'a percent that is not one',
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'lots', maxUnavailable: 1 } } },
      [
        "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"lots\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      ],
    ],
    [
      'negative maxSurge',
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: -1, maxUnavailable: 1 } } },
      ['spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'maxUnavailable over 100%',
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '150%' } } },
      [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
      ],
    ],
    [
      'Recreate with rollingUpdate',
      { strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } },
      ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ],
    [
      'unknown strategy',
      { strategy: { type: 'BlueGreen' as 'Recreate' } },
      ['spec.strategy: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"'],
    ],
    [
      'negative minReadySeconds',
      { minReadySeconds: -5 },
      ['spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0'],
    ],
    [
      'progress deadline not above minReadySeconds',
      { minReadySeconds: 30, progressDeadlineSeconds: 30 },
      ['spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds'],
    ],
    [
      'restartPolicy Never in the template',
      {
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Never' },
        },
      },
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      'activeDeadlineSeconds in the template',
      {
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'i' }], activeDeadlineSeconds: 10 },
        },
      },
      [
        'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
      ],
    ],
    [
      'a template pod spec error, with the template path',
      {
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 0 }] }] },
        },
      },
      [
        'spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      ],
    ],
    [
      'bad template label',
      {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web', 'bad key!': 'x' } },
          spec: { containers: [{ name: 'c', image: 'i' }] },
        },
      },
      [
        "spec.template.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
    ],
    [
      'missing template',
      { template: undefined as never },
      [
        'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`',
        'spec.template: Required value',
      ],
    ],
  ])('%s', (_name, spec, expected) => {
    expect(problems(defaulted(deployment(spec)))).toEqual(expected);
  });

  it('allows a template without an image (Kubernetes requires one only on pods)', () => {
    const d = deployment({
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } },
    });
    expect(problems(defaulted(d))).toEqual([]);
  });

  it('keeps the selector immutable on update', () => {
    const old = defaulted(deployment());
    const next = defaulted(
      deployment({
        selector: { matchLabels: { app: 'web', tier: 'fe' } },
        template: {
          metadata: { labels: { app: 'web', tier: 'fe' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
        },
      }),
    );
    expect(problems(next, old)).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });

  it('lets everything else change on update', () => {
    const old = defaulted(deployment());
    const next = defaulted(deployment({ replicas: 5, strategy: { type: 'Recreate' } }));
    next.spec.template.spec.containers[0].image = 'nginx:1.28';
    expect(problems(next, old)).toEqual([]);
  });

  it('rejects negative status counts (status writes are validated too)', () => {
    const d = defaulted(deployment());
    d.status = { replicas: -1 };
    expect(problems(d, d)).toEqual([
      'status.replicas: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
});

describe('deployment table row', () => {
  it('prints Name, Ready, Up-to-date, Available, Age | Containers, Images, Selector', () => {
    const d = defaulted(deployment({ replicas: 3 }));
    d.status = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
    expect(deploymentDef.columns.map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Up-to-date',
      'Available',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ]);
    expect(deploymentDef.columns.map((c) => c.priority)).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    expect(deploymentDef.row(d, { now: NOW })).toEqual([
      'web',
      '2/3',
      3,
      2,
      '2m',
      'nginx',
      'nginx:1.27',
      'app=web',
    ]);
  });

  it('prints zeros before the controller has written a status', () => {
    const d = defaulted(deployment());
    d.spec.selector = {
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }],
    };
    expect(deploymentDef.row(d, { now: NOW })).toEqual([
      'web',
      '0/1',
      0,
      0,
      '2m',
      'nginx',
      'nginx:1.27',
      'app=web,tier notin (db)',
    ]);
  });
});
