// Optimistic concurrency and preconditions of writes, as Kubernetes words them: a resourceVersion or uid the
// client names must match the stored object, or the write fails with 409 Conflict.
import type { ResourceDef } from '../api/resource-def.js';
import type { DeleteOptions, KubeObject } from '../api/types.js';
import { ApiError, badRequest, conflict } from '../common/errors.js';
import { shown } from './shown.js';

/** The URL names nothing the server serves: Kubernetes' generic 404. */
export function resourceNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function revisionOf(obj: KubeObject): number {
  return Number(obj.metadata.resourceVersion);
}

export function parseRevision(rv: string): number {
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  return Number(rv);
}

function uidMismatch(def: ResourceDef, name: string, asked: unknown, actual: string | undefined): ApiError {
  return conflict(
    def,
    name,
    `Precondition failed: UID in precondition: ${shown(asked)}, UID in object meta: ${actual ?? ''}`,
  );
}

/** A PUT/PATCH body's resourceVersion and uid, when set, must be the stored object's. */
export function checkRevisionAndUid(def: ResourceDef, old: KubeObject, next: KubeObject): void {
  const name = old.metadata.name ?? '';
  const rv = next.metadata.resourceVersion;
  if (rv && rv !== old.metadata.resourceVersion) throw conflict(def, name);
  const uid = next.metadata.uid;
  if (uid && uid !== old.metadata.uid) throw uidMismatch(def, name, uid, old.metadata.uid);
}

/** DeleteOptions.preconditions. */
export function checkPreconditions(def: ResourceDef, obj: KubeObject, options: DeleteOptions): void {
  const pre = options.preconditions;
  if (!pre) return;
  const name = obj.metadata.name ?? '';
  if (pre.uid && pre.uid !== obj.metadata.uid) throw uidMismatch(def, name, pre.uid, obj.metadata.uid);
  if (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(
      def,
      name,
      `Precondition failed: ResourceVersion in precondition: ${shown(pre.resourceVersion)}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ''}`,
    );
  }
}
