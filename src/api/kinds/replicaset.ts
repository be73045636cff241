// apps/v1 ReplicaSet: keeps N pods matching its selector running (usually owned by a Deployment). Defaults,
// validation and the `kubectl get replicasets` row follow Kubernetes (pkg/apis/apps/v1/defaults.go,
// pkg/apis/apps/validation, pkg/printers/internalversion/printers.go).
import { type FieldError, required } from '../../common/errors.js';
import { fieldPath } from '../field-path.js';
import { translateTimestampSince } from '../format.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import { formatLabelSelector } from '../selectors.js';
import type { ReplicaSet, ReplicaSetSpec, ReplicaSetStatus } from '../types.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { goLabelSelector, invalidGo } from './go-format.js';
import {
  CONTAINERS_COLUMN,
  count,
  defaultPodTemplate,
  IMAGES_COLUMN,
  REPLICAS_SCALE,
  SCALE_SUBRESOURCE,
  selectorColumn,
  specOf,
  statusSubresource,
  templateCells,
} from './workload-common.js';
import {
  immutableSelector,
  isObject,
  selectorConvertible,
  selectorMismatch,
  validateAlwaysRestart,
  validateNonNegativeFields,
  validatePodTemplate,
  validateRequiredSelector,
} from './workload-validation.js';

const STATUS_COUNTS = [
  'replicas',
  'fullyLabeledReplicas',
  'readyReplicas',
  'availableReplicas',
  'observedGeneration',
];

export function defaultReplicaSet(rs: ReplicaSet): void {
  const spec = specOf<ReplicaSetSpec>(rs);
  spec.replicas ??= 1;
  defaultPodTemplate(spec.template);
}

export function validateReplicaSet(rs: ReplicaSet, old?: ReplicaSet): FieldError[] {
  if (!isObject(rs.spec)) return [required('spec')];
  const spec = rs.spec;
  const p = fieldPath('spec');
  const errs = [
    ...validateNonNegativeFields(spec, p, ['replicas', 'minReadySeconds']),
    // Kubernetes' ReplicaSet message really says "deployment".
    ...validateRequiredSelector(spec.selector, p.child('selector'), 'deployment'),
  ];
  if (!selectorConvertible(spec.selector)) {
    errs.push(invalidGo('spec.selector', goLabelSelector(spec.selector), 'invalid label selector'));
  } else {
    errs.push(...selectorMismatch(spec.selector, spec.template, p.child('template')));
  }
  errs.push(
    ...validatePodTemplate(spec.template, p.child('template')),
    ...validateAlwaysRestart(spec.template, p.child('template'), 'ReplicaSet'),
  );
  if (old && isObject(old.spec))
    errs.push(...immutableSelector(spec.selector, old.spec.selector, p.child('selector')));
  errs.push(...validateNonNegativeFields(rs.status, fieldPath('status'), STATUS_COUNTS));
  return errs;
}

export const replicaSetDef: ResourceDef<ReplicaSet> = {
  group: 'apps',
  version: 'v1',
  resource: 'replicasets',
  kind: 'ReplicaSet',
  listKind: 'ReplicaSetList',
  singular: 'replicaset',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  subresources: [SCALE_SUBRESOURCE, statusSubresource('apps', 'ReplicaSet')],
  statusSubresource: true,
  scale: REPLICAS_SCALE,
  defaults: defaultReplicaSet,
  validate: validateReplicaSet,

  columns: [
    nameColumn(),
    column(
      'Desired',
      'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.',
      0,
      'integer',
    ),
    column('Current', 'Replicas is the most recently observed number of replicas.', 0, 'integer'),
    column('Ready', 'The number of ready replicas for this replica set.', 0, 'integer'),
    ageColumn(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    selectorColumn(
      'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template.',
    ),
  ],
  row(rs, ctx) {
    const spec = isObject(rs.spec) ? rs.spec : ({} as Partial<ReplicaSetSpec>);
    const status: Partial<ReplicaSetStatus> = isObject(rs.status) ? rs.status : {};
    const { names, images } = templateCells(spec.template);
    return [
      rs.metadata.name ?? '',
      count(spec.replicas),
      count(status.replicas),
      count(status.readyReplicas),
      translateTimestampSince(rs.metadata.creationTimestamp, ctx.now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
  fields: (rs) => ({ 'status.replicas': String(count(isObject(rs.status) ? rs.status.replicas : 0)) }),
};
