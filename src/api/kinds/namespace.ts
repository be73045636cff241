// v1 Namespace: a scope for names. The `kubernetes` finalizer holds a Terminating namespace until the
// namespace controller has deleted everything in it.
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import type { Namespace } from '../types.js';
import { translateTimestampSince } from '../format.js';
import { validateObjectMeta } from '../validation.js';
import { notSupported } from '../../common/errors.js';
import { ageColumn, column, nameColumn } from './columns.js';

export const namespaceDef: ResourceDef<Namespace> = {
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  categories: [],
  verbs: STANDARD_VERBS.filter((v) => v !== 'deletecollection'),
  subresources: [
    { name: 'finalize', group: '', version: 'v1', kind: 'Namespace', verbs: ['update'] },
    { name: 'status', group: '', version: 'v1', kind: 'Namespace', verbs: ['get', 'patch', 'update'] },
  ],
  statusSubresource: true,
  nameRule: 'dns1123-label',

  defaults(ns) {
    if (typeof ns.spec !== 'object' || ns.spec === null) ns.spec = {};
    ns.spec.finalizers ??= ['kubernetes'];
    if (typeof ns.status !== 'object' || ns.status === null) ns.status = {};
    ns.status.phase ??= 'Active';
  },
  validate(ns) {
    const errs = validateObjectMeta(ns.metadata, { namespaced: false, nameRule: 'dns1123-label' });
    const phase = ns.status?.phase;
    if (phase !== undefined && phase !== 'Active' && phase !== 'Terminating') {
      errs.push(notSupported('status.phase', phase, ['Active', 'Terminating']));
    }
    return errs;
  },

  columns: [nameColumn(), column('Status', 'The status of the namespace'), ageColumn()],
  row: (ns, ctx) => [
    ns.metadata.name ?? '',
    ns.status?.phase ?? '',
    translateTimestampSince(ns.metadata.creationTimestamp, ctx.now),
  ],
  fields: (ns) => ({ 'status.phase': ns.status?.phase ?? '' }),
};
