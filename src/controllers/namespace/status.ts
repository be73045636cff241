// The status conditions a Terminating namespace carries, as Kubernetes' namespace deleter writes them
// (pkg/controller/namespace/deletion/status_condition_utils.go): one condition per type, True while something is
// wrong or left, False with an "ok" reason otherwise; `kubectl describe namespace` prints them. Pure.
import { rfc3339 } from '../../common/clock.js';

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export const DISCOVERY_FAILURE = 'NamespaceDeletionDiscoveryFailure';
export const GROUP_VERSION_PARSING_FAILURE = 'NamespaceDeletionGroupVersionParsingFailure';
export const CONTENT_FAILURE = 'NamespaceDeletionContentFailure';
export const CONTENT_REMAINING = 'NamespaceContentRemaining';
export const FINALIZERS_REMAINING = 'NamespaceFinalizersRemaining';

/**
 * The types the deleter maintains, in Kubernetes' order. skiff's kinds come from its static registry, so
 * discovery and group-version parsing cannot fail; their conditions are still written (False), as Kubernetes does.
 */
export const CONDITION_TYPES = [
  DISCOVERY_FAILURE,
  GROUP_VERSION_PARSING_FAILURE,
  CONTENT_FAILURE,
  CONTENT_REMAINING,
  FINALIZERS_REMAINING,
];

const OK: Record<string, { reason: string; message: string }> = {
  [DISCOVERY_FAILURE]: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  [GROUP_VERSION_PARSING_FAILURE]: {
    reason: 'ParsedGroupVersions',
    message: 'All legacy kube types successfully parsed',
  },
  [CONTENT_FAILURE]: {
    reason: 'ContentDeleted',
    message: 'All content successfully deleted, may be waiting on finalization',
  },
  [CONTENT_REMAINING]: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  [FINALIZERS_REMAINING]: {
    reason: 'ContentHasNoFinalizers',
    message: 'All content-preserving finalizers finished',
  },
};

/** What one deletion pass left behind. */
export interface ContentTotals {
  /** `resource.group` (Kubernetes' spelling: `pods.` for core) → instances left. */
  remainingByResource: Record<string, number>;
  /** Finalizer → instances held by it. */
  remainingByFinalizer: Record<string, number>;
}

/** The failing conditions of one pass (the others are written as their ok variant by mergeConditions). */
export function failingConditions(
  totals: ContentTotals,
  contentErrors: string[],
  now: number,
): NamespaceCondition[] {
  const at = rfc3339(now);
  const out: NamespaceCondition[] = [];
  const resources = Object.entries(totals.remainingByResource)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r} has ${n} resource instances`)
    .sort();
  if (resources.length > 0) {
    out.push({
      type: CONTENT_REMAINING,
      status: 'True',
      lastTransitionTime: at,
      reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: ${resources.join(', ')}`,
    });
  }
  const finalizers = Object.entries(totals.remainingByFinalizer)
    .filter(([, n]) => n > 0)
    .map(([f, n]) => `${f} in ${n} resource instances`)
    .sort();
  if (finalizers.length > 0) {
    out.push({
      type: FINALIZERS_REMAINING,
      status: 'True',
      lastTransitionTime: at,
      reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}`,
    });
  }
  if (contentErrors.length > 0) {
    const msgs = [...contentErrors].sort();
    out.push({
      type: CONTENT_FAILURE,
      status: 'True',
      lastTransitionTime: at,
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}`,
    });
  }
  return out;
}

/**
 * The namespace's conditions after a pass: each maintained type takes its failing condition or its ok variant;
 * lastTransitionTime moves only when the status flips; other condition types are kept. `changed` says whether
 * anything needs writing.
 */
export function mergeConditions(
  old: NamespaceCondition[] | undefined,
  failing: NamespaceCondition[],
  now: number,
): { conditions: NamespaceCondition[]; changed: boolean } {
  const at = rfc3339(now);
  const conditions = (old ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of CONDITION_TYPES) {
    const next = failing.find((c) => c.type === type) ?? {
      type,
      status: 'False' as const,
      lastTransitionTime: at,
      ...OK[type],
    };
    const current = conditions.find((c) => c.type === type);
    if (!current) {
      conditions.push(next);
      changed = true;
    } else if (
      current.status !== next.status ||
      current.reason !== next.reason ||
      current.message !== next.message
    ) {
      if (current.status !== next.status) current.lastTransitionTime = at;
      current.status = next.status;
      current.reason = next.reason;
      current.message = next.message;
      changed = true;
    }
  }
  return { conditions, changed };
}
