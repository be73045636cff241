// Node health from heartbeats, decided purely (Kubernetes' nodelifecycle tryUpdateNodeHealth). An agent proves it
// is alive in two ways: it renews its Lease (kube-node-lease/<node>) and it rewrites its Ready condition's
// lastHeartbeatTime. The controller never compares those timestamps with its own clock (the hosts' clocks may
// disagree); it remembers when *it* last saw either of them change (the "probe time"). A node silent for longer
// than the grace period gets its Ready, MemoryPressure, DiskPressure and PIDPressure conditions set to Unknown.
import type { Lease, Node, NodeCondition } from '../../api/types.js';
import { rfc3339 } from '../../common/clock.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The conditions the controller takes over when the agent falls silent (NetworkUnavailable is not the agent's). */
export const CONDITIONS_SET_UNKNOWN = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export const REASON_NODE_STATUS_UNKNOWN = 'NodeStatusUnknown';
export const MESSAGE_NODE_STATUS_UNKNOWN = 'Kubelet stopped posting node status.';
export const REASON_NODE_STATUS_NEVER_UPDATED = 'NodeStatusNeverUpdated';
export const MESSAGE_NODE_STATUS_NEVER_UPDATED = 'Kubelet never posted node status.';

export type ConditionStatus = NodeCondition['status'];

/** What the controller remembers about one node's heartbeats. */
export interface HeartbeatRecord {
  /** The controller's own time (ms) when it last saw a heartbeat. */
  probeMs: number;
  /** The Ready condition's lastHeartbeatTime as last seen. */
  readyHeartbeat?: string;
  /** The Lease's renewTime (ms) as last seen. */
  leaseRenewMs?: number;
}

export function getCondition(node: Node, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

/** The Ready condition's status, or undefined when the node never reported one. */
export function readyStatus(node: Node): ConditionStatus | undefined {
  return getCondition(node, 'Ready')?.status;
}

function parseMs(ts: string | undefined): number | undefined {
  if (!ts) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The record after looking at the node and its lease at `nowMs`. A node seen for the first time counts as heard
 * from now (a restarted controller gives every node a full grace period) — unless it never posted a Ready
 * condition, whose clock starts at its creation. A changed Ready heartbeat or a newer lease renewal is a heartbeat.
 */
export function observeHeartbeat(
  prev: HeartbeatRecord | undefined,
  node: Node,
  lease: Lease | undefined,
  nowMs: number,
): HeartbeatRecord {
  const readyHeartbeat = getCondition(node, 'Ready')?.lastHeartbeatTime;
  const leaseRenewMs = parseMs(lease?.spec?.renewTime);
  let probeMs: number;
  if (!prev) {
    const created = parseMs(node.metadata.creationTimestamp);
    probeMs = getCondition(node, 'Ready') || created === undefined ? nowMs : Math.min(created, nowMs);
  } else {
    const statusPosted = readyHeartbeat !== prev.readyHeartbeat;
    const leaseRenewed =
      leaseRenewMs !== undefined && (prev.leaseRenewMs === undefined || leaseRenewMs > prev.leaseRenewMs);
    probeMs = statusPosted || leaseRenewed ? nowMs : prev.probeMs;
  }
  const next: HeartbeatRecord = { probeMs };
  if (readyHeartbeat !== undefined) next.readyHeartbeat = readyHeartbeat;
  // The newest renewal seen so far: a lease recreated with an older time is no heartbeat.
  const renewals = [leaseRenewMs, prev?.leaseRenewMs].filter((ms): ms is number => ms !== undefined);
  if (renewals.length) next.leaseRenewMs = Math.max(...renewals);
  return next;
}

export interface GracePeriods {
  /** For a node that has reported status (nodeMonitorGracePeriod). */
  monitorMs: number;
  /** For a node that never reported a Ready condition (nodeStartupGracePeriod). */
  startupMs: number;
}

/** True when nothing was heard from the node for longer than its grace period. */
export function isSilent(node: Node, record: HeartbeatRecord, nowMs: number, grace: GracePeriods): boolean {
  const graceMs = getCondition(node, 'Ready') ? grace.monitorMs : grace.startupMs;
  return nowMs > record.probeMs + graceMs;
}

/**
 * The conditions to write for a silent node: each of CONDITIONS_SET_UNKNOWN turns Unknown (keeping its
 * lastHeartbeatTime, so the next real heartbeat is recognised), a missing one is added as never updated.
 * Undefined when they already say so.
 */
export function unknownConditions(node: Node, nowMs: number): NodeCondition[] | undefined {
  const now = rfc3339(nowMs);
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of CONDITIONS_SET_UNKNOWN) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: REASON_NODE_STATUS_NEVER_UPDATED,
        message: MESSAGE_NODE_STATUS_NEVER_UPDATED,
        lastHeartbeatTime: node.metadata.creationTimestamp ?? now,
        lastTransitionTime: now,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = REASON_NODE_STATUS_UNKNOWN;
      c.message = MESSAGE_NODE_STATUS_UNKNOWN;
      c.lastTransitionTime = now;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}

/** Nodes with this label do not count when deciding about a full disruption. */
export const LABEL_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption';

/**
 * Kubernetes' "full disruption": when no node at all is Ready, the likelier story is that the master lost the
 * network, not that every node died; evicting everything would only make it worse, so NoExecute tainting stops.
 */
export function isFullDisruption(nodes: Node[]): boolean {
  const counted = nodes.filter((n) => n.metadata.labels?.[LABEL_EXCLUDE_DISRUPTION] === undefined);
  return counted.length > 0 && counted.every((n) => readyStatus(n) !== 'True');
}
