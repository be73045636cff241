// The Pod Security Standards as pure checks over a pod's metadata and spec: a port of the upstream
// pod-security-admission `policy` package (k8s.io/pod-security-admission/policy/check_*.go, "latest" version),
// with its check IDs, order (baseline checks, then restricted, each sorted by ID) and messages, so skiff's
// refusals read like a real cluster's: `privileged (container "c" must not set securityContext.privileged=true)`.
// Defensive: the object has been validated, but a check never assumes more than the JSON it is given.
import { BASELINE_CHECKS } from './pod-security-baseline.js';
import { RESTRICTED_CHECKS } from './pod-security-restricted.js';
import { podView } from './pod-security-view.js';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface PodSecurityViolation {
  /** Upstream check ID, e.g. `hostPathVolumes`. */
  id: string;
  /** Short reason, e.g. `hostPath volumes`. */
  reason: string;
  /** What to change, e.g. `volume "data"`. */
  detail: string;
}

/** Every violation of `level` by a pod (or pod template) with this metadata and spec; [] when allowed. */
export function evaluatePodSecurity(
  level: PodSecurityLevel,
  metadata: unknown,
  spec: unknown,
): PodSecurityViolation[] {
  if (level === 'privileged') return [];
  const active = level === 'restricted' ? [...BASELINE_CHECKS, ...RESTRICTED_CHECKS] : BASELINE_CHECKS;
  const overridden = new Set(active.flatMap((c) => c.overrides ?? []));
  const pod = podView(metadata, spec);
  const out: PodSecurityViolation[] = [];
  for (const check of active) {
    if (overridden.has(check.id)) continue;
    const result = check.run(pod);
    if (result) out.push({ id: check.id, ...result });
  }
  return out;
}

/** `privileged (container "c" must not set securityContext.privileged=true), hostPort (…)`. */
export function describeViolations(violations: PodSecurityViolation[]): string {
  return violations.map((v) => `${v.reason} (${v.detail})`).join(', ');
}
