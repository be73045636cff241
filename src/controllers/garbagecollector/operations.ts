// The garbage collector's writes, thin and safe against races (Kubernetes' operations.go and patch.go): every write
// names the uid it means (so a recreated object of the same name is never touched) and the resourceVersion it
// read (so it never acts on a stale view); a conflict re-reads and tries again.
import { jsonEqual } from '../../api/object-meta.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import type { ApiClient } from '../../client/api-client.js';
import { isApiError } from '../../common/errors.js';
import type { ObjectIdentity } from './graph.js';
import type { PropagationPolicy } from './reconcile.js';

/** Read-modify-write attempts before giving up (the work queue retries later). */
const MAX_CONFLICT_RETRIES = 5;

export class GcOperations {
  constructor(private readonly client: ApiClient) {}

  /** The live object, or undefined when it is gone (or its name now belongs to another uid). */
  async getLive(id: ObjectIdentity): Promise<KubeObject | undefined> {
    try {
      const obj = await this.client.get(id.ref, id.namespace, id.name);
      return obj.metadata.uid === id.uid ? obj : undefined;
    } catch (err) {
      if (isApiError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  /**
   * Deletes the object as last seen at `resourceVersion` with `ownersAtVersion`. If it changed since, it is
   * deleted anyway only when its ownerReferences did not (the decision was about them); otherwise the conflict
   * is rethrown and the next sync decides again.
   */
  async deleteObject(
    id: ObjectIdentity,
    resourceVersion: string | undefined,
    ownersAtVersion: OwnerReference[],
    policy: PropagationPolicy,
  ): Promise<void> {
    try {
      await this.client.delete(id.ref, id.namespace, id.name, {
        propagationPolicy: policy,
        preconditions: { uid: id.uid, ...(resourceVersion ? { resourceVersion } : {}) },
      });
      return;
    } catch (err) {
      if (isApiError(err, 'NotFound')) return;
      if (!isApiError(err, 'Conflict') || !resourceVersion) throw err;
      const live = await this.getLive(id);
      if (!live) return;
      if (!jsonEqual(live.metadata.ownerReferences ?? [], ownersAtVersion)) throw err;
    }
    try {
      await this.client.delete(id.ref, id.namespace, id.name, {
        propagationPolicy: policy,
        preconditions: { uid: id.uid },
      });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }

  /**
   * Rewrites the object's ownerReferences with `change` (undefined = nothing to do). A JSON merge patch carrying
   * uid and resourceVersion: it applies only to the version `change` saw.
   */
  async updateOwnerReferences(
    id: ObjectIdentity,
    change: (refs: OwnerReference[]) => OwnerReference[] | undefined,
  ): Promise<void> {
    await this.readModifyWrite(id, (live) => {
      const refs = live.metadata.ownerReferences ?? [];
      const next = change(refs);
      if (!next || jsonEqual(next, refs)) return undefined;
      return { ownerReferences: next.length > 0 ? next : null };
    });
  }

  /** Removes one finalizer (the object goes once it has none left and no grace period runs). */
  async removeFinalizer(id: ObjectIdentity, finalizer: string): Promise<void> {
    await this.readModifyWrite(id, (live) => {
      const finalizers = live.metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return undefined;
      const rest = finalizers.filter((f) => f !== finalizer);
      return { finalizers: rest.length > 0 ? rest : null };
    });
  }

  /** GET, compute a metadata change, PATCH pinned to what was read; retried on conflict. */
  private async readModifyWrite(
    id: ObjectIdentity,
    compute: (live: KubeObject) => Record<string, unknown> | undefined,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const live = await this.getLive(id);
      if (!live) return;
      const change = compute(live);
      if (!change) return;
      const patch = { metadata: { ...change, uid: id.uid, resourceVersion: live.metadata.resourceVersion } };
      try {
        await this.client.patch(id.ref, id.namespace, id.name, 'merge', patch);
        return;
      } catch (err) {
        if (isApiError(err, 'NotFound')) return;
        if (!isApiError(err, 'Conflict') || attempt >= MAX_CONFLICT_RETRIES) throw err;
      }
    }
  }
}
