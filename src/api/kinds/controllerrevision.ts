// apps/v1 ControllerRevision: an immutable snapshot of a DaemonSet's or StatefulSet's pod template, kept so
// `kubectl rollout history|undo` works for them. Validation (pkg/apis/apps/validation) and the
// `kubectl get controllerrevisions` row (pkg/printers/internalversion/printers.go) follow Kubernetes.
import { type FieldError, invalidValue, required } from '../../common/errors.js';
import { fieldPath } from '../field-path.js';
import { translateTimestampSince } from '../format.js';
import { getControllerOf, groupVersionOf, jsonEqual } from '../object-meta.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import type { ControllerRevision } from '../types.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { count } from './workload-common.js';
import { validateNonNegativeFields } from './workload-validation.js';

/** The Controller cell: `daemonset.apps/web` (the kind and group of the owner, lower case), `<none>` if unowned. */
export function controllerName(rev: ControllerRevision): string {
  const ref = Array.isArray(rev.metadata.ownerReferences) ? getControllerOf(rev) : undefined;
  if (!ref) return '<none>';
  const { group } = groupVersionOf(ref);
  const kind = group ? `${ref.kind}.${group}` : ref.kind;
  return kind ? `${kind.toLowerCase()}/${ref.name}` : ref.name;
}

export function validateControllerRevision(rev: ControllerRevision, old?: ControllerRevision): FieldError[] {
  const errs: FieldError[] = [];
  if (rev.data === undefined || rev.data === null)
    errs.push(required('data', 'Required value: data is mandatory'));
  errs.push(...validateNonNegativeFields(rev, fieldPath(), ['revision']));
  if (old && !jsonEqual(rev.data, old.data))
    errs.push(invalidValue('data', rev.data ?? null, 'field is immutable'));
  return errs;
}

export const controllerRevisionDef: ResourceDef<ControllerRevision> = {
  group: 'apps',
  version: 'v1',
  resource: 'controllerrevisions',
  kind: 'ControllerRevision',
  listKind: 'ControllerRevisionList',
  singular: 'controllerrevision',
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  statusSubresource: false,
  validate: validateControllerRevision,

  columns: [
    nameColumn(),
    column('Controller', 'Controller of the object'),
    column('Revision', 'Revision indicates the revision of the state represented by Data.', 0, 'integer'),
    ageColumn(),
  ],
  row: (rev, ctx) => [
    rev.metadata.name ?? '',
    controllerName(rev),
    count(rev.revision),
    translateTimestampSince(rev.metadata.creationTimestamp, ctx.now),
  ],
};
