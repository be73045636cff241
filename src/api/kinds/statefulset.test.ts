import { describe, expect, it } from 'vitest';
import type { PersistentVolumeClaim, StatefulSet, StatefulSetSpec } from '../types.js';
import { statefulSetDef } from './statefulset.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');

function claim(name: string, spec: Partial<PersistentVolumeClaim['spec']> = {}): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
  };
}

function statefulSet(spec: Partial<StatefulSetSpec> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-11-30T04:59:30Z' },
    spec: {
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.27',
              volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'www' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
      ...spec,
    },
  };
}

function defaulted(sts: StatefulSet): StatefulSet {
  statefulSetDef.defaults!(sts);
  return sts;
}

const problems = (sts: StatefulSet, old?: StatefulSet) =>
  statefulSetDef.validate!(sts, old).map((e) => `${e.field}: ${e.message}`);

describe('statefulset defaults (SetDefaults_StatefulSet)', () => {
  it('fills replicas, policies, update strategy, retention and history', () => {
    const spec = defaulted(statefulSet()).spec;
    expect(spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      revisionHistoryLimit: 10,
    });
  });

  it('defaults claim templates like claims: volumeMode Filesystem, phase Pending, type meta', () => {
    const sts = statefulSet({
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: claim('www').spec } as PersistentVolumeClaim],
    });
    expect(defaulted(sts).spec.volumeClaimTemplates).toEqual([
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'www' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
          volumeMode: 'Filesystem',
        },
        status: { phase: 'Pending' },
      },
    ]);
  });

  it.each<[string, Partial<StatefulSetSpec>, StatefulSetSpec['updateStrategy']]>([
    [
      'explicit RollingUpdate without rollingUpdate gets no partition',
      { updateStrategy: { type: 'RollingUpdate' } },
      { type: 'RollingUpdate' },
    ],
    [
      'a given partition is kept',
      { updateStrategy: { rollingUpdate: { partition: 2 } } },
      { type: 'RollingUpdate', rollingUpdate: { partition: 2 } },
    ],
    ['OnDelete stays alone', { updateStrategy: { type: 'OnDelete' } }, { type: 'OnDelete' }],
  ])('%s', (_name, spec, expected) => {
    expect(defaulted(statefulSet(spec)).spec.updateStrategy).toEqual(expected);
  });

  it('keeps Parallel and Delete', () => {
    const spec = defaulted(
      statefulSet({
        podManagementPolicy: 'Parallel',
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' },
      }),
    ).spec;
    expect(spec.podManagementPolicy).toBe('Parallel');
    expect(spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Delete',
      whenScaled: 'Retain',
    });
  });
});

describe('statefulset validation', () => {
  it('accepts a defaulted statefulset whose container mounts a claim template', () => {
    expect(problems(defaulted(statefulSet()))).toEqual([]);
  });

  it.each<[string, Partial<StatefulSetSpec>, string[]]>([
    [
      'bad podManagementPolicy',
      { podManagementPolicy: 'Random' as 'Parallel' },
      ["spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"],
    ],
    [
      'OnDelete with rollingUpdate',
      { updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } },
      [
        'spec.updateStrategy.rollingUpdate: Invalid value: {"partition":1}: only allowed for updateStrategy \'RollingUpdate\'',
      ],
    ],
    [
      'negative partition',
      { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1 } } },
      ['spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'maxUnavailable 0',
      { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 0 } } },
      [
        'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: cannot be 0',
      ],
    ],
    [
      'bad retention policy',
      { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep' as 'Retain', whenScaled: 'Retain' } },
      [
        'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
      ],
    ],
    [
      'negative replicas',
      { replicas: -1 },
      ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'negative ordinals.start',
      { ordinals: { start: -3 } },
      ['spec.ordinals.start: Invalid value: -3: must be greater than or equal to 0'],
    ],
    [
      'no selector',
      { selector: undefined as never },
      [
        'spec.selector: Required value',
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'empty selector',
      { selector: {} },
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset',
      ],
    ],
    [
      'a service name that is no DNS label',
      { serviceName: 'Nginx_Service' },
      [
        "spec.serviceName: Invalid value: \"Nginx_Service\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ],
    ],
    [
      'a mount of a volume nobody provides',
      { volumeClaimTemplates: [] },
      ['spec.template.spec.containers[0].volumeMounts[0].name: Not found: "www"'],
    ],
    [
      'claim templates without name, access modes or storage',
      { volumeClaimTemplates: [claim('www'), { metadata: {}, spec: {} } as PersistentVolumeClaim] },
      [
        'spec.volumeClaimTemplates[1].metadata.name: Required value',
        'spec.volumeClaimTemplates[1].spec.accessModes: Required value: at least 1 access mode is required',
        'spec.volumeClaimTemplates[1].spec.resources[storage]: Required value',
      ],
    ],
    [
      'duplicate claim template names',
      { volumeClaimTemplates: [claim('www'), claim('www')] },
      ['spec.volumeClaimTemplates[1].metadata.name: Duplicate value: "www"'],
    ],
    [
      'restartPolicy Never',
      {
        template: {
          metadata: { labels: { app: 'nginx' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx' }], restartPolicy: 'Never' },
        },
      },
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
  ])('%s', (_name, spec, expected) => {
    expect(problems(defaulted(statefulSet(spec)))).toEqual(expected);
  });

  it('is named like a DNS label (its pods are <name>-<ordinal>)', () => {
    expect(statefulSetDef.nameRule).toBe('dns1123-label');
  });

  const FORBIDDEN =
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

  it.each<[string, (spec: StatefulSetSpec) => void, string[]]>([
    ['replicas', (s) => (s.replicas = 5), []],
    ['template image', (s) => (s.template.spec.containers[0].image = 'nginx:1.28'), []],
    [
      'update strategy',
      (s) => (s.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }),
      [],
    ],
    ['minReadySeconds', (s) => (s.minReadySeconds = 10), []],
    ['ordinals', (s) => (s.ordinals = { start: 1 }), []],
    [
      'retention',
      (s) => (s.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' }),
      [],
    ],
    ['serviceName', (s) => (s.serviceName = 'other'), [FORBIDDEN]],
    ['podManagementPolicy', (s) => (s.podManagementPolicy = 'Parallel'), [FORBIDDEN]],
    [
      'volumeClaimTemplates',
      (s) => (s.volumeClaimTemplates![0].spec.resources = { requests: { storage: '2Gi' } }),
      [FORBIDDEN],
    ],
    ['revisionHistoryLimit', (s) => (s.revisionHistoryLimit = 3), [FORBIDDEN]],
  ])('on update, changing %s gives %j', (_name, change, expected) => {
    const old = defaulted(statefulSet());
    const next = structuredClone(old);
    change(next.spec);
    expect(problems(next, old)).toEqual(expected);
  });
});

describe('statefulset table row', () => {
  it('prints Name, Ready (ready/spec), Age | Containers, Images', () => {
    const sts = defaulted(statefulSet({ replicas: 3 }));
    sts.status = { replicas: 2, readyReplicas: 2 };
    expect(statefulSetDef.columns.map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Age',
      'Containers',
      'Images',
    ]);
    expect(statefulSetDef.row(sts, { now: NOW })).toEqual(['web', '2/3', '30s', 'nginx', 'nginx:1.27']);
  });
});
