// How fast the control plane gives up on a silent node, as two profiles:
// - `lab` (skiff's default): failover a student can watch — a node is Unknown 10 s after its last heartbeat and its
//   pods are evicted 5 s later;
// - `kubernetes`: kube-controller-manager 1.32's defaults (node-monitor-grace-period 50 s — raised from 40 s in
//   1.32, kubernetes/kubernetes#126287 — node-monitor-period 5 s, node-startup-grace-period 60 s, PodGC every 20 s
//   with a 40 s quarantine) and kube-apiserver's --default-{not-ready,unreachable}-toleration-seconds=300.
// Each value can still be overridden on its own (`skiff master --node-monitor-grace-period …`).

export type NodeLifecycleProfile = 'lab' | 'kubernetes';
export const NODE_LIFECYCLE_PROFILES: readonly NodeLifecycleProfile[] = ['lab', 'kubernetes'];

export interface NodeLifecycleSettings {
  /** How often node health is checked (--node-monitor-period). */
  nodeMonitorPeriodMs: number;
  /** Silence after which a node that has reported goes Unknown (--node-monitor-grace-period). */
  nodeMonitorGracePeriodMs: number;
  /** Silence allowed to a node that never reported a Ready condition (--node-startup-grace-period). */
  nodeStartupGracePeriodMs: number;
  /** tolerationSeconds of the not-ready/unreachable tolerations every new pod gets (DefaultTolerationSeconds). */
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
  /** How often the pod garbage collector runs, and how long a node must stay missing before its pods go. */
  podGCPeriodMs: number;
  podGCQuarantineMs: number;
}

const PROFILES: Record<NodeLifecycleProfile, NodeLifecycleSettings> = {
  lab: {
    nodeMonitorPeriodMs: 1000,
    nodeMonitorGracePeriodMs: 10_000,
    nodeStartupGracePeriodMs: 20_000,
    defaultNotReadyTolerationSeconds: 5,
    defaultUnreachableTolerationSeconds: 5,
    podGCPeriodMs: 5000,
    podGCQuarantineMs: 10_000,
  },
  kubernetes: {
    nodeMonitorPeriodMs: 5000,
    nodeMonitorGracePeriodMs: 50_000,
    nodeStartupGracePeriodMs: 60_000,
    defaultNotReadyTolerationSeconds: 300,
    defaultUnreachableTolerationSeconds: 300,
    podGCPeriodMs: 20_000,
    podGCQuarantineMs: 40_000,
  },
};

export function isNodeLifecycleProfile(v: string): v is NodeLifecycleProfile {
  return (NODE_LIFECYCLE_PROFILES as readonly string[]).includes(v);
}

/**
 * The profile's settings with the given overrides (undefined ones ignored). The startup grace never ends before
 * the monitor grace, and the monitor period is at least 100 ms.
 */
export function nodeLifecycleSettings(
  profile: NodeLifecycleProfile = 'lab',
  overrides: Partial<NodeLifecycleSettings> = {},
): NodeLifecycleSettings {
  const s: NodeLifecycleSettings = { ...PROFILES[profile] };
  for (const [k, v] of Object.entries(overrides) as [keyof NodeLifecycleSettings, number | undefined][]) {
    if (v !== undefined) s[k] = v;
  }
  s.nodeMonitorPeriodMs = Math.max(100, s.nodeMonitorPeriodMs);
  s.nodeStartupGracePeriodMs = Math.max(s.nodeStartupGracePeriodMs, s.nodeMonitorGracePeriodMs);
  return s;
}
