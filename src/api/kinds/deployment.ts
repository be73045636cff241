// apps/v1 Deployment: declarative updates of a pod template, rolled out through ReplicaSets by the deployment
// controller. Defaults (pkg/apis/apps/v1/defaults.go), validation (pkg/apis/apps/validation) and the
// `kubectl get deployments` row (pkg/printers/internalversion/printers.go) follow Kubernetes.
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../common/errors.js';
import { fieldPath, type FieldPath } from '../field-path.js';
import { translateTimestampSince } from '../format.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import { labelSelectorToString } from '../selectors.js';
import type { Deployment, DeploymentSpec, LabelSelector } from '../types.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { goIntOrString, goLabelSelector, invalidGo } from './go-format.js';
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
  intOrPercentValue,
  isObject,
  selectorConvertible,
  selectorMismatch,
  validateAlwaysRestart,
  validateIntOrPercent,
  validateNonNegativeFields,
  validateNotMoreThan100Percent,
  validatePodTemplate,
  validateRequiredSelector,
} from './workload-validation.js';

const STATUS_COUNTS = [
  'observedGeneration',
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'unavailableReplicas',
  'collisionCount',
];

export function defaultDeployment(d: Deployment): void {
  const spec = specOf<DeploymentSpec>(d);
  spec.replicas ??= 1;
  if (!isObject(spec.strategy)) spec.strategy = {};
  const strategy = spec.strategy;
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    if (!isObject(strategy.rollingUpdate)) strategy.rollingUpdate = {};
    strategy.rollingUpdate.maxUnavailable ??= '25%';
    strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(spec.template);
}

function validateStrategy(strategy: DeploymentSpec['strategy'], path: FieldPath): FieldError[] {
  if (!isObject(strategy)) return [required(String(path.child('type')))];
  const ru = strategy.rollingUpdate;
  switch (strategy.type) {
    case 'Recreate':
      return ru === undefined || ru === null
        ? []
        : [
            forbidden(
              String(path.child('rollingUpdate')),
              "may not be specified when strategy `type` is 'Recreate'",
            ),
          ];
    case 'RollingUpdate': {
      const p = path.child('rollingUpdate');
      if (!isObject(ru))
        return [required(String(p), 'Required value: this should be defaulted and never be nil')];
      const errs = [
        ...validateIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable')),
        ...validateIntOrPercent(ru.maxSurge, p.child('maxSurge')),
      ];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(
          invalidGo(
            String(p.child('maxUnavailable')),
            goIntOrString(ru.maxUnavailable),
            'may not be 0 when `maxSurge` is 0',
          ),
        );
      }
      errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')));
      return errs;
    }
    default:
      return [notSupported(String(path), strategy.type ?? '', ['Recreate', 'RollingUpdate'])];
  }
}

export function validateDeployment(d: Deployment, old?: Deployment): FieldError[] {
  if (!isObject(d.spec)) return [required('spec')];
  const spec = d.spec;
  const p = fieldPath('spec');
  const errs = [
    ...validateNonNegativeFields(spec, p, ['replicas']),
    ...validateRequiredSelector(spec.selector, p.child('selector'), 'deployment'),
  ];
  if (!selectorConvertible(spec.selector)) {
    errs.push(invalidGo('spec.selector', goLabelSelector(spec.selector), 'invalid label selector'));
  } else {
    errs.push(...selectorMismatch(spec.selector, spec.template, p.child('template')));
  }
  errs.push(
    ...validatePodTemplate(spec.template, p.child('template')),
    // Kubernetes validates a Deployment's template with the ReplicaSet rules, message included.
    ...validateAlwaysRestart(spec.template, p.child('template'), 'ReplicaSet'),
    ...validateStrategy(spec.strategy, p.child('strategy')),
    ...validateNonNegativeFields(spec, p, [
      'minReadySeconds',
      'revisionHistoryLimit',
      'progressDeadlineSeconds',
    ]),
  );
  const deadline = spec.progressDeadlineSeconds;
  if (typeof deadline === 'number' && deadline <= count(spec.minReadySeconds)) {
    errs.push(invalidValue('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
  }
  if (old && isObject(old.spec))
    errs.push(...immutableSelector(spec.selector, old.spec.selector, p.child('selector')));
  errs.push(...validateNonNegativeFields(d.status, fieldPath('status'), STATUS_COUNTS));
  return errs;
}

/** The Selector cell: the selector's string form, `<invalid>` when it cannot be read. */
function selectorText(sel: LabelSelector | undefined): string {
  if (!selectorConvertible(sel)) return '<invalid>';
  return isObject(sel) ? labelSelectorToString(sel) : '';
}

export const deploymentDef: ResourceDef<Deployment> = {
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  subresources: [SCALE_SUBRESOURCE, statusSubresource('apps', 'Deployment')],
  statusSubresource: true,
  scale: REPLICAS_SCALE,
  defaults: defaultDeployment,
  validate: validateDeployment,

  columns: [
    nameColumn(),
    column('Ready', 'Number of the pod with ready state'),
    column(
      'Up-to-date',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    ),
    column(
      'Available',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    ),
    ageColumn(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    selectorColumn(
      'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
    ),
  ],
  row(d, ctx) {
    const spec = isObject(d.spec) ? d.spec : ({} as Partial<DeploymentSpec>);
    const status = isObject(d.status) ? d.status : {};
    const { names, images } = templateCells(spec.template);
    return [
      d.metadata.name ?? '',
      `${count(status.readyReplicas)}/${count(spec.replicas)}`,
      count(status.updatedReplicas),
      count(status.availableReplicas),
      translateTimestampSince(d.metadata.creationTimestamp, ctx.now),
      names,
      images,
      selectorText(spec.selector),
    ];
  },
};
