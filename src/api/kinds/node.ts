// v1 Node: one machine running an agent. Cluster-scoped; the agent registers it and keeps its status
// (conditions, addresses, capacity, nodeInfo) current; `kubectl cordon` sets spec.unschedulable.
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../common/errors.js';
import { fieldPath } from '../field-path.js';
import { translateTimestampSince } from '../format.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import type { Node } from '../types.js';
import { isQualifiedName, validateObjectMeta } from '../validation.js';
import { ageColumn, column, nameColumn } from './columns.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';

/** Roles from `node-role.kubernetes.io/<role>` labels (and the legacy `kubernetes.io/role=<role>`), sorted. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort();
}

/** `Ready`, `NotReady`, `Unknown`, plus `,SchedulingDisabled` when cordoned. */
export function nodeStatusText(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function address(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

function validateNode(node: Node, old?: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false });
  const taints = node.spec?.taints ?? [];
  taints.forEach((t, i) => {
    const p = fieldPath('spec', 'taints').index(i);
    if (!t.key) errs.push(required(String(p.child('key'))));
    else
      for (const msg of isQualifiedName(t.key)) errs.push(invalidValue(String(p.child('key')), t.key, msg));
    if (!t.effect) errs.push(required(String(p.child('effect'))));
    else if (!TAINT_EFFECTS.includes(t.effect))
      errs.push(notSupported(String(p.child('effect')), t.effect, TAINT_EFFECTS));
  });
  if (old?.spec?.podCIDR && node.spec?.podCIDR !== old.spec.podCIDR) {
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  return errs;
}

export const nodeDef: ResourceDef<Node> = {
  group: '',
  version: 'v1',
  resource: 'nodes',
  kind: 'Node',
  listKind: 'NodeList',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [
    { name: 'status', group: '', version: 'v1', kind: 'Node', verbs: ['get', 'patch', 'update'] },
  ],
  statusSubresource: true,
  keepStatusOnCreate: true,

  defaults(node) {
    node.spec ??= {};
    // A node that reports capacity but not allocatable can allocate all of it.
    if (node.status?.capacity && !node.status.allocatable)
      node.status.allocatable = { ...node.status.capacity };
  },
  validate: validateNode,

  columns: [
    nameColumn(),
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    ageColumn(),
    column('Version', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'List of addresses reachable to the node.', 1),
    column('External-IP', 'List of addresses reachable to the node.', 1),
    column(
      'OS-Image',
      'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
      1,
    ),
    column(
      'Kernel-Version',
      "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      1,
    ),
    column(
      'Container-Runtime',
      'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
      1,
    ),
  ],
  row(node, ctx) {
    const info = node.status?.nodeInfo;
    const roles = nodeRoles(node);
    return [
      node.metadata.name ?? '',
      nodeStatusText(node),
      roles.length ? roles.join(',') : '<none>',
      translateTimestampSince(node.metadata.creationTimestamp, ctx.now),
      info?.kubeletVersion ?? '',
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    ];
  },
  fields: (node) => ({ 'spec.unschedulable': String(node.spec?.unschedulable ?? false) }),
};
