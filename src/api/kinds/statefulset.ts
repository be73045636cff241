// apps/v1 StatefulSet: pods with stable names (<name>-<ordinal>), stable DNS through a headless service and a
// persistent claim per ordinal from volumeClaimTemplates. Defaults, validation and the `kubectl get statefulsets`
// row follow Kubernetes (pkg/apis/apps/v1/defaults.go, pkg/apis/apps/validation,
// pkg/printers/internalversion/printers.go).
import {
  duplicate,
  type FieldError,
  forbidden,
  invalidValue,
  notSupported,
  required,
} from '../../common/errors.js';
import { fieldPath, type FieldPath } from '../field-path.js';
import { translateTimestampSince } from '../format.js';
import { jsonEqual } from '../object-meta.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import type { StatefulSet, StatefulSetSpec, StatefulSetStatus, Volume } from '../types.js';
import { isDns1123Label } from '../validation.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { goIntOrString, goLabelSelector, invalidGo } from './go-format.js';
import { defaultClaimSpec, validateClaimSpec } from './persistentvolumeclaim.js';
import {
  CONTAINERS_COLUMN,
  count,
  defaultPodTemplate,
  IMAGES_COLUMN,
  REPLICAS_SCALE,
  SCALE_SUBRESOURCE,
  specOf,
  statusSubresource,
  templateCells,
} from './workload-common.js';
import {
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
  'replicas',
  'readyReplicas',
  'currentReplicas',
  'updatedReplicas',
  'availableReplicas',
  'observedGeneration',
  'collisionCount',
];
const RETENTION = ['Retain', 'Delete'];

/** Fields an update may change; anything else in the spec is fixed at creation. */
const MUTABLE_FIELDS = [
  'replicas',
  'template',
  'updateStrategy',
  'minReadySeconds',
  'ordinals',
  'persistentVolumeClaimRetentionPolicy',
] as const;

export function defaultStatefulSet(sts: StatefulSet): void {
  const spec = specOf<StatefulSetSpec>(sts);
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  if (!isObject(spec.updateStrategy)) spec.updateStrategy = {};
  const strategy = spec.updateStrategy;
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    if (!isObject(strategy.rollingUpdate)) strategy.rollingUpdate = {};
  }
  // As in Kubernetes, an explicit RollingUpdate without rollingUpdate gets no partition.
  if (strategy.type === 'RollingUpdate' && isObject(strategy.rollingUpdate))
    strategy.rollingUpdate.partition ??= 0;
  if (!isObject(spec.persistentVolumeClaimRetentionPolicy)) spec.persistentVolumeClaimRetentionPolicy = {};
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
  if (!retention.whenScaled) retention.whenScaled = 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate(spec.template);
  if (Array.isArray(spec.volumeClaimTemplates)) {
    for (const claim of spec.volumeClaimTemplates) {
      if (!isObject(claim)) continue;
      claim.apiVersion ??= 'v1';
      claim.kind ??= 'PersistentVolumeClaim';
      defaultClaimSpec(claim.spec);
      if (!isObject(claim.status)) claim.status = {};
      claim.status.phase ??= 'Pending';
    }
  }
}

function validateUpdateStrategy(strategy: StatefulSetSpec['updateStrategy'], path: FieldPath): FieldError[] {
  const type: string | undefined = isObject(strategy) ? strategy.type : undefined;
  const ru = isObject(strategy) ? strategy.rollingUpdate : undefined;
  const hasRollingUpdate = ru !== undefined && ru !== null;
  switch (type) {
    case undefined:
    case '':
      return [required(String(path))];
    case 'OnDelete':
      return hasRollingUpdate
        ? [
            invalidValue(
              String(path.child('rollingUpdate')),
              ru,
              "only allowed for updateStrategy 'RollingUpdate'",
            ),
          ]
        : [];
    case 'RollingUpdate': {
      if (!isObject(ru)) return [];
      const p = path.child('rollingUpdate');
      const errs = validateNonNegativeFields(ru, p, ['partition']);
      if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
        errs.push(...validateIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable')));
        if (intOrPercentValue(ru.maxUnavailable) === 0) {
          errs.push(
            invalidGo(String(p.child('maxUnavailable')), goIntOrString(ru.maxUnavailable), 'cannot be 0'),
          );
        }
        errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')));
      }
      return errs;
    }
    default:
      return [invalidValue(String(path), strategy, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

/** The pod volumes the claim templates become, so the template's volumeMounts of them resolve. */
function claimVolumes(spec: StatefulSetSpec): Volume[] {
  const claims = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
  const names = new Set<string>();
  for (const c of claims) {
    if (isObject(c) && isObject(c.metadata) && typeof c.metadata.name === 'string')
      names.add(c.metadata.name);
  }
  return [...names].map((name) => ({ name, persistentVolumeClaim: { claimName: name } }));
}

function validateClaimTemplates(claims: unknown, path: FieldPath): FieldError[] {
  if (claims === undefined || claims === null) return [];
  if (!Array.isArray(claims)) return [invalidValue(String(path), claims, 'must be a list')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  claims.forEach((claim: unknown, i) => {
    const p = path.index(i);
    if (!isObject(claim)) return void errs.push(invalidValue(String(p), claim, 'must be an object'));
    const name = isObject(claim.metadata) ? claim.metadata.name : undefined;
    const namePath = String(p.child('metadata', 'name'));
    if (typeof name !== 'string' || name === '') errs.push(required(namePath));
    else {
      // Each template becomes a pod volume of that name, so it must be a volume name.
      for (const msg of isDns1123Label(name)) errs.push(invalidValue(namePath, name, msg));
      if (names.has(name)) errs.push(duplicate(namePath, name));
      names.add(name);
    }
    errs.push(...validateClaimSpec(claim.spec, p.child('spec')));
  });
  return errs;
}

export function validateStatefulSet(sts: StatefulSet, old?: StatefulSet): FieldError[] {
  if (!isObject(sts.spec)) return [required('spec')];
  const spec = sts.spec;
  const p = fieldPath('spec');
  const errs: FieldError[] = [];
  const policy = spec.podManagementPolicy;
  if (!policy) errs.push(required(String(p.child('podManagementPolicy'))));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') {
    errs.push(
      invalidValue(String(p.child('podManagementPolicy')), policy, "must be 'OrderedReady' or 'Parallel'"),
    );
  }
  errs.push(...validateUpdateStrategy(spec.updateStrategy, p.child('updateStrategy')));
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  if (isObject(retention)) {
    for (const when of ['whenDeleted', 'whenScaled'] as const) {
      if (!RETENTION.includes(retention[when] as string)) {
        errs.push(
          notSupported(
            String(p.child('persistentVolumeClaimRetentionPolicy', when)),
            retention[when] ?? '',
            RETENTION,
          ),
        );
      }
    }
  }
  errs.push(...validateNonNegativeFields(spec, p, ['replicas', 'minReadySeconds']));
  if (isObject(spec.ordinals))
    errs.push(...validateNonNegativeFields(spec.ordinals, p.child('ordinals'), ['start']));
  errs.push(...validateRequiredSelector(spec.selector, p.child('selector'), 'statefulset'));
  if (!selectorConvertible(spec.selector)) {
    errs.push(invalidGo('spec.selector', goLabelSelector(spec.selector), 'invalid label selector'));
  } else {
    errs.push(...selectorMismatch(spec.selector, spec.template, p.child('template')));
  }
  errs.push(
    ...validatePodTemplate(spec.template, p.child('template'), { extraVolumes: claimVolumes(spec) }),
    ...validateAlwaysRestart(spec.template, p.child('template'), 'StatefulSet'),
  );
  // The service name becomes every pod's DNS subdomain, so it must be a DNS label.
  if (spec.serviceName !== undefined && spec.serviceName !== null && spec.serviceName !== '') {
    const name = spec.serviceName;
    const msgs = typeof name === 'string' ? isDns1123Label(name) : ['must be a string'];
    for (const msg of msgs) errs.push(invalidValue(String(p.child('serviceName')), name, msg));
  }
  errs.push(...validateClaimTemplates(spec.volumeClaimTemplates, p.child('volumeClaimTemplates')));
  if (old && isObject(old.spec)) {
    const kept: Record<string, unknown> = { ...spec };
    for (const field of MUTABLE_FIELDS) kept[field] = old.spec[field];
    if (!jsonEqual(kept, old.spec)) {
      errs.push(
        forbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
  }
  errs.push(...validateNonNegativeFields(sts.status, fieldPath('status'), STATUS_COUNTS));
  return errs;
}

export const statefulSetDef: ResourceDef<StatefulSet> = {
  group: 'apps',
  version: 'v1',
  resource: 'statefulsets',
  kind: 'StatefulSet',
  listKind: 'StatefulSetList',
  singular: 'statefulset',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  subresources: [SCALE_SUBRESOURCE, statusSubresource('apps', 'StatefulSet')],
  statusSubresource: true,
  // Pod names and hostnames are <name>-<ordinal>, so the name must be a DNS label.
  nameRule: 'dns1123-label',
  scale: REPLICAS_SCALE,
  defaults: defaultStatefulSet,
  validate: validateStatefulSet,

  columns: [
    nameColumn(),
    column('Ready', 'Number of the pod with ready state'),
    ageColumn(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
  ],
  row(sts, ctx) {
    const spec = isObject(sts.spec) ? sts.spec : ({} as Partial<StatefulSetSpec>);
    const status: Partial<StatefulSetStatus> = isObject(sts.status) ? sts.status : {};
    const { names, images } = templateCells(spec.template);
    return [
      sts.metadata.name ?? '',
      `${count(status.readyReplicas)}/${count(spec.replicas)}`,
      translateTimestampSince(sts.metadata.creationTimestamp, ctx.now),
      names,
      images,
    ];
  },
};
