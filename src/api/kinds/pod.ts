// v1 Pod: the smallest deployable unit. Defaults and validation follow Kubernetes (pkg/apis/core/v1/defaults.go,
// pkg/apis/core/validation); a pod's spec is immutable after creation except images, activeDeadlineSeconds,
// added tolerations, and the one-time binding to a node (spec.nodeName, set by the scheduler).
import { type FieldError, forbidden, invalidValue } from '../../common/errors.js';
import { fieldPath } from '../field-path.js';
import { jsonEqual } from '../object-meta.js';
import { computeQosClass } from '../pod-qos.js';
import { defaultPodSpec } from '../pod-spec-defaults.js';
import { validatePodSpec } from '../pod-spec-validation.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import type { Pod, PodSpec } from '../types.js';
import { validateObjectMeta } from '../validation.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { podRow } from './pod-printer.js';

const UPDATABLE_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function sameToleration(a: object, b: object): boolean {
  const strip = ({ tolerationSeconds: _ignored, ...rest }: Record<string, unknown>) => rest;
  return jsonEqual(strip(a as Record<string, unknown>), strip(b as Record<string, unknown>));
}

/** ValidatePodUpdate: everything but the updatable fields must stay as it was. */
export function validatePodSpecUpdate(spec: PodSpec, old: PodSpec): FieldError[] {
  const specPath = fieldPath('spec');
  const errs: FieldError[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    if ((spec[list] ?? []).length !== (old[list] ?? []).length) {
      return [forbidden(String(specPath.child(list)), 'pod updates may not add or remove containers')];
    }
  }
  const oldTolerations = old.tolerations ?? [];
  const newTolerations = spec.tolerations ?? [];
  if (!oldTolerations.every((o) => newTolerations.some((n) => sameToleration(n, o)))) {
    errs.push(
      forbidden(
        String(specPath.child('tolerations')),
        'existing toleration can not be modified except its tolerationSeconds',
      ),
    );
  }
  if (old.activeDeadlineSeconds !== undefined && old.activeDeadlineSeconds !== null) {
    if (spec.activeDeadlineSeconds === undefined || spec.activeDeadlineSeconds === null) {
      errs.push(
        invalidValue(
          String(specPath.child('activeDeadlineSeconds')),
          null,
          'must not update from a positive integer to nil value',
        ),
      );
    } else if (spec.activeDeadlineSeconds > old.activeDeadlineSeconds) {
      errs.push(
        invalidValue(
          String(specPath.child('activeDeadlineSeconds')),
          spec.activeDeadlineSeconds,
          'must be less than or equal to previous value',
        ),
      );
    }
  }

  // Copy the updatable fields from the old spec; whatever still differs was not allowed to change.
  const munged: PodSpec = structuredClone(spec);
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: old.containers[i]?.image }));
  if (munged.initContainers) {
    munged.initContainers = munged.initContainers.map((c, i) => ({
      ...c,
      image: old.initContainers?.[i]?.image,
    }));
  }
  munged.activeDeadlineSeconds = old.activeDeadlineSeconds;
  munged.tolerations = old.tolerations;
  if ((old.terminationGracePeriodSeconds ?? 0) < 0 && spec.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  }
  if (!old.nodeName) munged.nodeName = old.nodeName; // binding: nodeName may be set once
  if (!jsonEqual(munged, old)) {
    const changed = Object.keys({ ...munged, ...old }).filter(
      (k) => !jsonEqual((munged as any)[k], (old as any)[k]),
    );
    errs.push(
      forbidden(
        String(specPath),
        `pod updates may not change fields other than ${UPDATABLE_FIELDS.join(',')}\n  changed: ${changed.map((k) => `spec.${k}`).join(', ')}`,
      ),
    );
  }
  return errs;
}

export const podDef: ResourceDef<Pod> = {
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  listKind: 'PodList',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  subresources: [
    { name: 'attach', group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'binding', group: '', version: 'v1', kind: 'Binding', verbs: ['create'] },
    // kubectl drain finds the Eviction's group-version here (CheckEvictionSupport reads /api/v1).
    { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
    { name: 'exec', group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'log', group: '', version: 'v1', kind: 'Pod', verbs: ['get'] },
    { name: 'status', group: '', version: 'v1', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
  ],
  statusSubresource: true,

  defaults(pod) {
    if (typeof pod.spec !== 'object' || pod.spec === null) return;
    defaultPodSpec(pod.spec);
    // `kubectl run` sends "status": {}; fill it rather than replace it.
    if (typeof pod.status !== 'object' || pod.status === null) pod.status = {};
    pod.status.phase ??= 'Pending';
    pod.status.qosClass ??= computeQosClass(pod.spec);
  },

  validate(pod, old) {
    const errs = [
      ...validateObjectMeta(pod.metadata, { namespaced: true }),
      ...validatePodSpec(pod.spec, fieldPath('spec')),
    ];
    if (old && errs.length === 0) {
      if (old.spec?.nodeName && pod.spec.nodeName !== old.spec.nodeName) {
        errs.push(
          forbidden('spec.nodeName', `pod is already bound to node ${JSON.stringify(old.spec.nodeName)}`),
        );
      }
      errs.push(...validatePodSpecUpdate(pod.spec, old.spec));
    }
    return errs;
  },

  columns: [
    nameColumn(),
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    ageColumn(),
    column(
      'IP',
      'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      1,
    ),
    column('Node', 'NodeName indicates in which node this pod is scheduled.', 1),
    column(
      'Nominated Node',
      'nominatedNodeName is set only when this pod preempts other pods on the node.',
      1,
    ),
    column('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
  ],
  row: (pod, ctx) => podRow(pod, ctx.now),

  fields: (pod) => ({
    'spec.nodeName': pod.spec?.nodeName ?? '',
    'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
    'spec.schedulerName': pod.spec?.schedulerName ?? '',
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': String(pod.spec?.hostNetwork ?? false),
    'status.phase': pod.status?.phase ?? '',
    'status.podIP': pod.status?.podIP ?? '',
    'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
  }),
};
