// ControllerRevisions: the template history of DaemonSets and StatefulSets (Kubernetes pkg/controller/history).
// Each revision stores a patch `{spec:{template:{$patch:replace, …}}}` that restores the owner's pod template;
// `kubectl rollout history|undo ds/sts` read and apply them. Names are `<owner>-<hash>`, the hash being FNV-32 of
// the revision data (plus the collision count), encoded like Kubernetes' rand.SafeEncodeString.
//
// Revisions are hashed and compared by their template normalized (template-hash.ts: null and empty values dropped,
// keys sorted, quantities by value), so the template kubectl sends back on undo (with `creationTimestamp: null`,
// `resources: {}`) maps to the same revision.
import { newControllerRef } from '../../api/object-meta.js';
import type { ControllerRevision, KubeObject, PodTemplateSpec } from '../../api/types.js';
import { CONTROLLERREVISIONS, type ApiClient } from '../../client/api-client.js';
import { isApiError } from '../../common/errors.js';
import { canonicalJson, normalizeTemplate, safeEncodeString } from './template-hash.js';

/** The pod/revision label of DaemonSet and StatefulSet pods (apps.ControllerRevisionHashLabelKey). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** The label history.NewControllerRevision puts on StatefulSet revisions. */
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

/** The revision data for a template: a strategic merge patch that replaces spec.template (hash label dropped). */
export function templatePatch(template: PodTemplateSpec): { spec: { template: Record<string, unknown> } } {
  const t = structuredClone(template);
  if (t.metadata?.labels) delete t.metadata.labels[CONTROLLER_REVISION_HASH_LABEL];
  return { spec: { template: { ...t, $patch: 'replace' } } };
}

/** What identifies a revision's content: its template normalized (or the data itself, if it is no template). */
export function revisionKey(data: unknown): string {
  const t = templateOfRevision({ data });
  if (!t) return canonicalJson(data);
  const copy = structuredClone(t);
  if (copy.metadata?.labels) delete copy.metadata.labels[CONTROLLER_REVISION_HASH_LABEL];
  return canonicalJson(normalizeTemplate(copy));
}

/** The template a revision restores (undefined when its data is not a template patch). */
export function templateOfRevision(rev: Pick<ControllerRevision, 'data'>): PodTemplateSpec | undefined {
  const t = (rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (!t || typeof t !== 'object') return undefined;
  const { $patch: _ignored, ...template } = t;
  return template as unknown as PodTemplateSpec;
}

/** FNV-1 (not 1a), 32 bit, as Go's hash/fnv.New32 that history.HashControllerRevision uses. */
export function fnv32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h, 0x01000193) ^ b;
  return h >>> 0;
}

/** history.HashControllerRevision: FNV-32 of the data, then of the collision count (as decimal text). */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  const text = revisionKey(data) + (collisionCount ? String(collisionCount) : '');
  return safeEncodeString(String(fnv32(new TextEncoder().encode(text))));
}

/** `<prefix>-<hash>`, the prefix cut to 223 characters so the name stays a valid DNS subdomain. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** A new (unsaved) revision of `parent` holding `data`. The name is filled in by RevisionControl.create. */
export function newControllerRevision(
  parent: KubeObject,
  data: unknown,
  revision: number,
  labels: Record<string, string>,
): ControllerRevision {
  const annotations = { ...(parent.metadata.annotations ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      namespace: parent.metadata.namespace,
      labels: { ...labels },
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ownerReferences: [newControllerRef(parent)],
    },
    data,
    revision,
  };
}

/** Revisions sorted by revision number, then name (history.SortControllerRevisions). */
export function sortRevisions(revs: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort(
    (a, b) => a.revision - b.revision || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '', 'en'),
  );
}

/** 1 + the highest revision number (1 for an empty history). */
export function nextRevision(revs: readonly ControllerRevision[]): number {
  return revs.reduce((max, r) => Math.max(max, r.revision), 0) + 1;
}

/** Whether two revisions restore the same template (compared normalized, so key order and nulls don't matter). */
export function equalRevisionData(a: unknown, b: unknown): boolean {
  return revisionKey(a) === revisionKey(b);
}

/** The revisions of `revs` equal to `data`, in the order given. */
export function findEqualRevisions(revs: readonly ControllerRevision[], data: unknown): ControllerRevision[] {
  return revs.filter((r) => equalRevisionData(r.data, data));
}

/** The revisions controlled by `owner` (by uid) among `all`. */
export function ownedRevisions(all: readonly ControllerRevision[], owner: KubeObject): ControllerRevision[] {
  const uid = owner.metadata.uid;
  return all.filter(
    (r) =>
      r.metadata.namespace === owner.metadata.namespace &&
      r.metadata.ownerReferences?.some((o) => o.controller && o.uid === uid),
  );
}

/**
 * The old revisions to delete, oldest first, so the history keeps `limit` revisions; `live` names revisions still in
 * use (a pod's, the current and update revisions). StatefulSets (truncateHistory) keep `limit` non-live revisions;
 * DaemonSets (cleanupHistory, `countLive`) count live ones against the limit too but never delete them.
 */
export function revisionsToPrune(
  old: readonly ControllerRevision[],
  live: ReadonlySet<string>,
  limit: number,
  opts: { countLive?: boolean } = {},
): ControllerRevision[] {
  const sorted = sortRevisions(old);
  const history = sorted.filter((r) => !live.has(r.metadata.name ?? ''));
  const toKill = (opts.countLive ? sorted.length : history.length) - limit;
  if (limit < 0 || toKill <= 0) return [];
  return history.slice(0, toKill);
}

/** Writes revisions (history.realHistory): create with collision handling, renumber, delete. */
export class RevisionControl {
  constructor(private readonly client: ApiClient) {}

  /**
   * Creates `rev` named `<parent>-<hash>` with label `hashLabel: <hash>`. If that name is taken by a revision with
   * the same data it is returned; by different data, the collision count goes up and the next name is tried.
   * Returns the stored revision and the collision count to keep in the owner's status.
   */
  async create(
    parent: KubeObject,
    rev: ControllerRevision,
    collisionCount: number,
    hashLabel: string,
  ): Promise<{ revision: ControllerRevision; collisionCount: number }> {
    const ns = parent.metadata.namespace;
    for (let count = collisionCount; count < collisionCount + 100; count++) {
      const hash = hashRevisionData(rev.data, count);
      const candidate = structuredClone(rev);
      candidate.metadata.name = controllerRevisionName(parent.metadata.name ?? '', hash);
      candidate.metadata.labels = { ...candidate.metadata.labels, [hashLabel]: hash };
      try {
        const created = await this.client.create<ControllerRevision>(CONTROLLERREVISIONS, ns, candidate);
        return { revision: created, collisionCount: count };
      } catch (err) {
        if (!isApiError(err, 'AlreadyExists')) throw err;
        const existing = await this.client.get<ControllerRevision>(
          CONTROLLERREVISIONS,
          ns,
          candidate.metadata.name,
        );
        if (equalRevisionData(existing.data, candidate.data))
          return { revision: existing, collisionCount: count };
      }
    }
    throw new Error(`too many ControllerRevision name collisions for ${parent.metadata.name}`);
  }

  /** Gives an existing revision a new number (a rollback to it makes it the newest). */
  async renumber(rev: ControllerRevision, revision: number): Promise<ControllerRevision> {
    if (rev.revision === revision) return rev;
    return this.client.update<ControllerRevision>(CONTROLLERREVISIONS, rev.metadata.namespace, {
      ...structuredClone(rev),
      revision,
    });
  }

  async delete(rev: ControllerRevision): Promise<void> {
    try {
      await this.client.delete(CONTROLLERREVISIONS, rev.metadata.namespace, rev.metadata.name ?? '');
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }
}
