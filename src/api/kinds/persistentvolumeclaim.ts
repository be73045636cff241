// v1 PersistentVolumeClaim: a request for storage. skiff binds a claim to a directory on the node of the pod
// that uses it (StatefulSets' volumeClaimTemplates make one claim per ordinal). Defaults, validation and the
// `kubectl get pvc` row follow Kubernetes (pkg/apis/core/v1/defaults.go, pkg/apis/core/validation,
// pkg/printers/internalversion/printers.go).
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../common/errors.js';
import { fieldPath, type FieldPath } from '../field-path.js';
import { translateTimestampSince } from '../format.js';
import { jsonEqual } from '../object-meta.js';
import { isValidQuantity, parseQuantity, QUANTITY_FORMAT_ERROR } from '../quantity.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import type { PersistentVolumeClaim, PersistentVolumeClaimSpec } from '../types.js';
import { isDns1123Subdomain } from '../validation.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { specOf, statusSubresource } from './workload-common.js';
import { isObject, validateLabelSelector } from './workload-validation.js';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** GetAccessModesAsString: `RWO,ROX,RWX,RWOP` in that order, each once. */
export function accessModesAsString(modes: unknown): string {
  const list = Array.isArray(modes) ? modes : [];
  const short: [string, string][] = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return short
    .filter(([mode]) => list.includes(mode))
    .map(([, abbrev]) => abbrev)
    .join(',');
}

/** SetDefaults_PersistentVolumeClaimSpec (also applied to a StatefulSet's volumeClaimTemplates). */
export function defaultClaimSpec(spec: unknown): void {
  if (isObject(spec)) spec.volumeMode ??= 'Filesystem';
}

/** SetDefaults_PersistentVolumeClaim: the spec defaults and phase Pending. */
export function defaultClaim(pvc: PersistentVolumeClaim): void {
  defaultClaimSpec(specOf<PersistentVolumeClaimSpec>(pvc));
  if (!isObject(pvc.status)) pvc.status = {};
  pvc.status.phase ??= 'Pending';
}

/** ValidatePersistentVolumeClaimSpec: access modes, a positive storage request, class and volume mode. */
export function validateClaimSpec(spec: unknown, path: FieldPath): FieldError[] {
  if (!isObject(spec)) return [required(String(path))];
  const errs: FieldError[] = [];
  const modes: unknown[] = Array.isArray(spec.accessModes) ? spec.accessModes : [];
  const modesPath = String(path.child('accessModes'));
  if (modes.length === 0)
    errs.push(required(modesPath, 'Required value: at least 1 access mode is required'));
  errs.push(...validateLabelSelector(spec.selector, path.child('selector')));
  let sawPod = false;
  let sawOther = false;
  for (const mode of modes) {
    if (!ACCESS_MODES.includes(mode as string)) errs.push(notSupported(modesPath, mode, ACCESS_MODES));
    else if (mode === 'ReadWriteOncePod') sawPod = true;
    else sawOther = true;
  }
  if (sawPod && sawOther)
    errs.push(forbidden(modesPath, 'may not use ReadWriteOncePod with other access modes'));

  const storagePath = String(path.child('resources').key('storage'));
  const requests =
    isObject(spec.resources) && isObject(spec.resources.requests) ? spec.resources.requests : {};
  const storage = requests.storage;
  if (storage === undefined || storage === null) errs.push(required(storagePath));
  else if (!isValidQuantity(storage)) errs.push(invalidValue(storagePath, storage, QUANTITY_FORMAT_ERROR));
  else if (parseQuantity(storage) <= 0)
    errs.push(invalidValue(storagePath, String(storage), 'must be greater than zero'));

  const cls = spec.storageClassName;
  if (typeof cls === 'string' && cls !== '') {
    for (const msg of isDns1123Subdomain(cls))
      errs.push(invalidValue(String(path.child('storageClassName')), cls, msg));
  }
  if (spec.volumeMode !== undefined && spec.volumeMode !== null && !VOLUME_MODES.includes(spec.volumeMode)) {
    errs.push(notSupported(String(path.child('volumeMode')), spec.volumeMode, VOLUME_MODES));
  }
  return errs;
}

const storageOf = (spec: unknown) =>
  isObject(spec) && isObject(spec.resources) && isObject(spec.resources.requests)
    ? spec.resources.requests.storage
    : undefined;

/** ValidatePersistentVolumeClaimUpdate: the spec is fixed once created, apart from binding and expansion. */
function validateClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  if (!isObject(pvc.spec) || !isObject(old.spec)) return [];
  const next = structuredClone(pvc.spec);
  const before = structuredClone(old.spec);
  // The binder may set volumeName once; a bound claim may grow.
  if (!before.volumeName) before.volumeName = next.volumeName;
  if (pvc.status?.phase === 'Bound' && isObject(next.resources) && isObject(next.resources.requests)) {
    next.resources.requests.storage = storageOf(before);
  }
  const errs: FieldError[] = [];
  if (!jsonEqual(next, before)) {
    errs.push(
      forbidden(
        'spec',
        'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      ),
    );
  }
  const newSize = parseQuantity(storageOf(pvc.spec) as string);
  const oldSize = parseQuantity(storageOf(old.spec) as string);
  if (newSize < oldSize) {
    errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  return errs;
}

export const persistentVolumeClaimDef: ResourceDef<PersistentVolumeClaim> = {
  group: '',
  version: 'v1',
  resource: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
  listKind: 'PersistentVolumeClaimList',
  singular: 'persistentvolumeclaim',
  namespaced: true,
  shortNames: ['pvc'],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [statusSubresource('', 'PersistentVolumeClaim')],
  statusSubresource: true,
  defaults: defaultClaim,
  validate(pvc, old) {
    const errs = validateClaimSpec(pvc.spec, fieldPath('spec'));
    if (old) errs.push(...validateClaimUpdate(pvc, old));
    return errs;
  },

  columns: [
    nameColumn(),
    column('Status', 'phase represents the current phase of PersistentVolumeClaim.'),
    column('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    column('Capacity', 'capacity represents the actual resources of the underlying volume.'),
    column('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    column('StorageClass', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
    ageColumn(),
    column('VolumeMode', 'volumeMode defines what type of volume is required by the claim.', 1),
  ],
  row(pvc, ctx) {
    const spec = isObject(pvc.spec) ? pvc.spec : ({} as Partial<PersistentVolumeClaimSpec>);
    const status = isObject(pvc.status) ? pvc.status : {};
    const bound = Boolean(spec.volumeName);
    const capacity = isObject(status.capacity) ? status.capacity.storage : undefined;
    const annotations = pvc.metadata.annotations ?? {};
    return [
      pvc.metadata.name ?? '',
      pvc.metadata.deletionTimestamp ? 'Terminating' : (status.phase ?? ''),
      spec.volumeName ?? '',
      bound ? String(capacity ?? '0') : '',
      bound ? accessModesAsString(status.accessModes) : '',
      annotations[STORAGE_CLASS_ANNOTATION] ?? spec.storageClassName ?? '',
      (spec as { volumeAttributesClassName?: string }).volumeAttributesClassName ?? '<unset>',
      translateTimestampSince(pvc.metadata.creationTimestamp, ctx.now),
      spec.volumeMode ?? '<unset>',
    ];
  },
  // Kubernetes keeps a bare `name` field for old clients ("a bug, but we need to support it").
  fields: (pvc) => ({ name: pvc.metadata.name ?? '' }),
};
