import { describe, expect, it } from 'vitest';
import { validateAffinity, validateTopologySpreadConstraints } from './affinity-validation.js';
import { FieldPath } from './field-path.js';
import { validatePodSpec } from './pod-spec-validation.js';
import type { PodSpec } from './types.js';

const at = (p: string) => FieldPath.of(...p.split('.'));
const show = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const affinityProblems = (a: unknown) => show(validateAffinity(a, at('spec.affinity')));
const spreadProblems = (c: unknown) =>
  show(validateTopologySpreadConstraints(c, at('spec.topologySpreadConstraints')));

const NA = 'spec.affinity.nodeAffinity';
const REQ = `${NA}.requiredDuringSchedulingIgnoredDuringExecution`;
const required = (...terms: unknown[]) => ({
  nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
});
const term = (topologyKey: string, more: object = {}) => ({
  labelSelector: { matchLabels: { app: 'web' } },
  topologyKey,
  ...more,
});

describe('validateAffinity', () => {
  it.each<[string, unknown, string[]]>([
    ['absent', undefined, []],
    ['not an object', 'x', ['spec.affinity: Invalid value: "x": must be an object']],
    [
      'a valid mix',
      {
        ...required(
          { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
          { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] },
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] },
        ),
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('kubernetes.io/hostname')] },
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: term('topology.kubernetes.io/zone', { namespaceSelector: {} }) },
          ],
        },
      },
      [],
    ],
    [
      'required node affinity without terms',
      { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } },
      [`${REQ}.nodeSelectorTerms: Required value: must have at least one node selector term`],
    ],
    [
      'node selector operators and value counts',
      required({
        matchExpressions: [
          { key: 'a', operator: 'In' },
          { key: 'b', operator: 'Exists', values: ['x'] },
          { key: 'c', operator: 'Gt', values: ['1', '2'] },
          { key: 'd', operator: 'Equals', values: ['x'] },
          { key: 'bad key!', operator: 'Exists' },
        ],
      }),
      [
        `${REQ}.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
        `${REQ}.nodeSelectorTerms[0].matchExpressions[1].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
        `${REQ}.nodeSelectorTerms[0].matchExpressions[2].values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`,
        `${REQ}.nodeSelectorTerms[0].matchExpressions[3].operator: Invalid value: "Equals": not a valid selector operator`,
        expect.stringContaining(
          `${REQ}.nodeSelectorTerms[0].matchExpressions[4].key: Invalid value: "bad key!": name part must consist of`,
        ),
      ],
    ],
    [
      'node field selectors: metadata.name, In/NotIn, one value',
      required({
        matchFields: [
          { key: 'metadata.name', operator: 'In', values: ['a', 'b'] },
          { key: 'metadata.uid', operator: 'Exists' },
        ],
      }),
      [
        `${REQ}.nodeSelectorTerms[0].matchFields[0].values: Required value: must be only one value when \`operator\` is 'In' or 'NotIn' for node field selector`,
        `${REQ}.nodeSelectorTerms[0].matchFields[1].operator: Invalid value: "Exists": not a valid selector operator`,
        `${REQ}.nodeSelectorTerms[0].matchFields[1].key: Invalid value: "metadata.uid": not a valid field selector key`,
      ],
    ],
    [
      'preferred node affinity weights are 1–100',
      {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 0, preference: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } },
            { weight: 101, preference: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } },
          ],
        },
      },
      [
        `${NA}.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100`,
        `${NA}.preferredDuringSchedulingIgnoredDuringExecution[1].weight: Invalid value: 101: must be in the range 1-100`,
        `${NA}.preferredDuringSchedulingIgnoredDuringExecution[1].preference.matchExpressions[0].operator: Invalid value: "Bogus": not a valid selector operator`,
      ],
    ],
    [
      'pod affinity terms: topologyKey required, selectors and namespaces checked',
      {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            {
              labelSelector: { matchExpressions: [{ key: 'app', operator: 'Near', values: ['x'] }] },
              namespaces: ['Bad_NS'],
              topologyKey: '',
            },
          ],
        },
      },
      [
        'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator',
        expect.stringContaining(
          'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].namespace: Invalid value: "Bad_NS"',
        ),
        'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty',
        'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: "": name part must be non-empty',
        expect.stringContaining(
          'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: "": name part must consist of',
        ),
      ],
    ],
    [
      'weighted pod affinity terms',
      {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: -1, podAffinityTerm: term('kubernetes.io/hostname') },
          ],
        },
      },
      [
        'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: -1: must be in the range 1-100',
      ],
    ],
    [
      'matchLabelKeys and mismatchLabelKeys',
      {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            term('kubernetes.io/hostname', { matchLabelKeys: ['rev'], mismatchLabelKeys: ['rev'] }),
            { topologyKey: 'kubernetes.io/hostname', matchLabelKeys: ['rev'] },
          ],
        },
      },
      [
        'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys[0]: Invalid value: "rev": exists in both matchLabelKeys and mismatchLabelKeys',
        'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[1].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set',
      ],
    ],
  ])('%s', (_name, affinity, expected) => {
    expect(affinityProblems(affinity)).toEqual(expected);
  });
});

const TSC = 'spec.topologySpreadConstraints';
const c = (o: object = {}) => ({
  maxSkew: 1,
  topologyKey: 'kubernetes.io/hostname',
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app: 'web' } },
  ...o,
});

describe('validateTopologySpreadConstraints', () => {
  it.each<[string, unknown, string[]]>([
    ['absent', undefined, []],
    ['not a list', {}, [`${TSC}: Invalid value: {}: must be a list`]],
    [
      'valid constraints',
      [
        c({
          minDomains: 2,
          nodeAffinityPolicy: 'Ignore',
          nodeTaintsPolicy: 'Honor',
          matchLabelKeys: ['rev'],
        }),
        c({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 }),
      ],
      [],
    ],
    [
      'maxSkew ≥ 1, topologyKey required, whenUnsatisfiable enum',
      [c({ maxSkew: 0, topologyKey: '', whenUnsatisfiable: 'Maybe' })],
      [
        `${TSC}[0].maxSkew: Invalid value: 0: must be greater than zero`,
        `${TSC}[0].topologyKey: Required value: can not be empty`,
        `${TSC}[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"`,
      ],
    ],
    [
      'a repeated {topologyKey, whenUnsatisfiable}',
      [c(), c({ maxSkew: 2 })],
      [
        `${TSC}[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "{kubernetes.io/hostname, DoNotSchedule}"`,
      ],
    ],
    [
      'minDomains only with DoNotSchedule, and positive',
      [c({ minDomains: 0, whenUnsatisfiable: 'ScheduleAnyway' })],
      [
        `${TSC}[0].minDomains: Invalid value: 0: must be greater than zero`,
        `${TSC}[0].minDomains: Invalid value: 0: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway`,
      ],
    ],
    [
      'node inclusion policies',
      [c({ nodeAffinityPolicy: 'Always', nodeTaintsPolicy: 'never' })],
      [
        `${TSC}[0].nodeAffinityPolicy: Unsupported value: "Always": supported values: "Honor", "Ignore"`,
        `${TSC}[0].nodeTaintsPolicy: Unsupported value: "never": supported values: "Honor", "Ignore"`,
      ],
    ],
    [
      'matchLabelKeys: not with the selector keys, not without a selector',
      [
        c({ matchLabelKeys: ['app'] }),
        c({ topologyKey: 'zone', labelSelector: undefined, matchLabelKeys: ['rev'] }),
      ],
      [
        `${TSC}[0].matchLabelKeys[0]: Invalid value: "app": exists in both matchLabelKeys and labelSelector`,
        `${TSC}[1].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set`,
      ],
    ],
    [
      'the label selector is validated',
      [c({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] } })],
      [
        `${TSC}[0].labelSelector.matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
      ],
    ],
  ])('%s', (_name, constraints, expected) => {
    expect(spreadProblems(constraints)).toEqual(expected);
  });
});

describe('validatePodSpec with scheduling constraints', () => {
  it('reports affinity and topology spread problems with their field paths', () => {
    const spec = {
      containers: [{ name: 'app', image: 'nginx' }],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      affinity: required({ matchExpressions: [{ key: 'disk', operator: 'In' }] }),
      topologySpreadConstraints: [c({ maxSkew: -1 })],
    } as unknown as PodSpec;
    expect(show(validatePodSpec(spec, at('spec')))).toEqual([
      `${REQ}.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
      `${TSC}[0].maxSkew: Invalid value: -1: must be greater than zero`,
    ]);
  });
});
