// apps/v1 DaemonSet: one pod per eligible node (node agents, log shippers). Defaults, validation and the
// `kubectl get daemonsets` row follow Kubernetes (pkg/apis/apps/v1/defaults.go, pkg/apis/apps/validation,
// pkg/printers/internalversion/printers.go).
import { type FieldError, notSupported, required } from '../../common/errors.js';
import { fieldPath, type FieldPath } from '../field-path.js';
import { formatLabels, translateTimestampSince } from '../format.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import { formatLabelSelector } from '../selectors.js';
import type { DaemonSet, DaemonSetSpec, DaemonSetStatus } from '../types.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { goIntOrString, goLabelSelector, invalidGo } from './go-format.js';
import {
  CONTAINERS_COLUMN,
  count,
  defaultPodTemplate,
  IMAGES_COLUMN,
  selectorColumn,
  specOf,
  statusSubresource,
  templateCells,
} from './workload-common.js';
import {
  immutableSelector,
  intOrPercentValue,
  isObject,
  selectorIsEmpty,
  selectorMismatch,
  validateAlwaysRestart,
  validateIntOrPercent,
  validateLabelSelector,
  validateNonNegativeFields,
  validateNotMoreThan100Percent,
  validatePodTemplate,
} from './workload-validation.js';

const STATUS_COUNTS = [
  'currentNumberScheduled',
  'numberMisscheduled',
  'desiredNumberScheduled',
  'numberReady',
  'observedGeneration',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
  'collisionCount',
];

export function defaultDaemonSet(ds: DaemonSet): void {
  const spec = specOf<DaemonSetSpec>(ds);
  if (!isObject(spec.updateStrategy)) spec.updateStrategy = {};
  const strategy = spec.updateStrategy;
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    if (!isObject(strategy.rollingUpdate)) strategy.rollingUpdate = {};
    strategy.rollingUpdate.maxUnavailable ??= 1;
    strategy.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate(spec.template);
}

function validateUpdateStrategy(strategy: DaemonSetSpec['updateStrategy'], path: FieldPath): FieldError[] {
  const type = isObject(strategy) ? strategy.type : undefined;
  if (type === 'OnDelete') return [];
  if (type !== 'RollingUpdate')
    return [notSupported(String(path), type ?? '', ['RollingUpdate', 'OnDelete'])];
  const ru = strategy!.rollingUpdate;
  const p = path.child('rollingUpdate');
  if (!isObject(ru)) return [required(String(p))];
  const errs = [
    ...validateIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable')),
    ...validateIntOrPercent(ru.maxSurge, p.child('maxSurge')),
    ...validateNotMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')),
    ...validateNotMoreThan100Percent(ru.maxSurge, p.child('maxSurge')),
  ];
  // Exactly one of the two may be non-zero.
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) {
    errs.push(
      invalidGo(
        String(p.child('maxSurge')),
        goIntOrString(ru.maxSurge),
        'may not be set when maxUnavailable is non-zero',
      ),
    );
  } else if (!hasUnavailable && !hasSurge) {
    errs.push(required(String(p.child('maxUnavailable')), 'Required value: cannot be 0 when maxSurge is 0'));
  }
  return errs;
}

export function validateDaemonSet(ds: DaemonSet, old?: DaemonSet): FieldError[] {
  if (!isObject(ds.spec)) return [required('spec')];
  const spec = ds.spec;
  const p = fieldPath('spec');
  // Unlike the other apps kinds, an absent DaemonSet selector is reported as "does not match" (it selects nothing).
  const errs = [
    ...validateLabelSelector(spec.selector, p.child('selector')),
    ...selectorMismatch(spec.selector, spec.template, p.child('template')),
  ];
  if (selectorIsEmpty(spec.selector)) {
    errs.push(
      invalidGo('spec.selector', goLabelSelector(spec.selector), 'empty selector is invalid for daemonset'),
    );
  }
  errs.push(
    ...validatePodTemplate(spec.template, p.child('template')),
    ...validateAlwaysRestart(spec.template, p.child('template'), 'DaemonSet'),
    ...validateNonNegativeFields(spec, p, ['minReadySeconds']),
    ...validateUpdateStrategy(spec.updateStrategy, p.child('updateStrategy')),
    ...validateNonNegativeFields(spec, p, ['revisionHistoryLimit']),
  );
  if (old && isObject(old.spec))
    errs.push(...immutableSelector(spec.selector, old.spec.selector, p.child('selector')));
  errs.push(...validateNonNegativeFields(ds.status, fieldPath('status'), STATUS_COUNTS));
  return errs;
}

export const daemonSetDef: ResourceDef<DaemonSet> = {
  group: 'apps',
  version: 'v1',
  resource: 'daemonsets',
  kind: 'DaemonSet',
  listKind: 'DaemonSetList',
  singular: 'daemonset',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  subresources: [statusSubresource('apps', 'DaemonSet')],
  statusSubresource: true,
  defaults: defaultDaemonSet,
  validate: validateDaemonSet,

  columns: [
    nameColumn(),
    column(
      'Desired',
      'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).',
      0,
      'integer',
    ),
    column(
      'Current',
      'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.',
      0,
      'integer',
    ),
    column(
      'Ready',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
      0,
      'integer',
    ),
    column('Up-to-date', 'The total number of nodes that are running updated daemon pod', 0, 'integer'),
    column(
      'Available',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
      0,
      'integer',
    ),
    column(
      'Node Selector',
      "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node.",
    ),
    ageColumn(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    selectorColumn(
      "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels.",
    ),
  ],
  row(ds, ctx) {
    const spec = isObject(ds.spec) ? ds.spec : ({} as Partial<DaemonSetSpec>);
    const status: Partial<DaemonSetStatus> = isObject(ds.status) ? ds.status : {};
    const template = isObject(spec.template) ? spec.template : undefined;
    const nodeSelector = isObject(template?.spec) ? template.spec.nodeSelector : undefined;
    const { names, images } = templateCells(template);
    return [
      ds.metadata.name ?? '',
      count(status.desiredNumberScheduled),
      count(status.currentNumberScheduled),
      count(status.numberReady),
      count(status.updatedNumberScheduled),
      count(status.numberAvailable),
      formatLabels(isObject(nodeSelector) ? nodeSelector : undefined),
      translateTimestampSince(ds.metadata.creationTimestamp, ctx.now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
};
