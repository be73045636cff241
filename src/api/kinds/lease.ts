// coordination.k8s.io/v1 Lease: a named, renewable claim. Agents renew one per node in kube-node-lease as a
// cheap heartbeat; masters use one for leader election.
import { type FieldError, invalidValue } from '../../common/errors.js';
import { translateTimestampSince } from '../format.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import type { Lease } from '../types.js';
import { validateNonNegative, validateObjectMeta } from '../validation.js';
import { fieldPath } from '../field-path.js';
import { ageColumn, column, nameColumn } from './columns.js';

function validateLease(lease: Lease): FieldError[] {
  const errs = validateObjectMeta(lease.metadata, { namespaced: true });
  const d = lease.spec?.leaseDurationSeconds;
  if (d !== undefined && d !== null && !(Number.isInteger(d) && d > 0)) {
    errs.push(invalidValue('spec.leaseDurationSeconds', d, 'must be greater than 0'));
  }
  errs.push(...validateNonNegative(lease.spec?.leaseTransitions, fieldPath('spec', 'leaseTransitions')));
  for (const f of ['acquireTime', 'renewTime'] as const) {
    const t = lease.spec?.[f];
    if (t !== undefined && t !== null && Number.isNaN(Date.parse(t))) {
      errs.push(invalidValue(`spec.${f}`, t, 'must be an RFC 3339 time'));
    }
  }
  return errs;
}

export const leaseDef: ResourceDef<Lease> = {
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  kind: 'Lease',
  listKind: 'LeaseList',
  singular: 'lease',
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  statusSubresource: false,
  defaults(lease) {
    if (typeof lease.spec !== 'object' || lease.spec === null) lease.spec = {};
  },
  validate: validateLease,
  columns: [
    nameColumn(),
    column('Holder', 'holderIdentity contains the identity of the holder of a current lease.'),
    ageColumn(),
  ],
  row: (lease, ctx) => [
    lease.metadata.name ?? '',
    lease.spec?.holderIdentity ?? '',
    translateTimestampSince(lease.metadata.creationTimestamp, ctx.now),
  ],
};
