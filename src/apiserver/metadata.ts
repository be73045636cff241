// The object metadata rules every write follows (Kubernetes' rest.BeforeCreate / BeforeUpdate), as pure
// functions: who owns uid, creationTimestamp, generation, resourceVersion and status, and when a write is a no-op.
import { randomInt } from 'node:crypto';
import { apiVersionOf, type ResourceDef } from '../api/resource-def.js';
import type { KubeObject } from '../api/types.js';
import { rfc3339 } from '../common/clock.js';
import { badRequest } from '../common/errors.js';
import { jsonEqual } from '../api/object-meta.js';
import { shown } from './shown.js';

/** Kubernetes' alphabet for generated name suffixes: no vowels (no accidental words), no look-alike characters. */
export const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomNameSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += NAME_SUFFIX_ALPHABET[randomInt(NAME_SUFFIX_ALPHABET.length)];
  return out;
}

/**
 * Fills a missing kind/apiVersion (and metadata) from the URL's resource and rejects a body of another type (a
 * Deployment posted to /api/v1/pods). Mutates `obj`.
 */
export function checkTypeMeta(def: ResourceDef, obj: KubeObject): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw badRequest('the request body must be an object');
  }
  if (obj.metadata === null || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata))
    obj.metadata = {};
  const apiVersion = apiVersionOf(def);
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = apiVersion;
  if (obj.kind === undefined || obj.kind === '') obj.kind = def.kind;
  if (obj.apiVersion !== apiVersion || obj.kind !== def.kind) {
    throw badRequest(
      `the object sent (kind ${JSON.stringify(obj.kind)}, apiVersion ${JSON.stringify(obj.apiVersion)}) does not match the resource ${def.resource} (kind ${JSON.stringify(def.kind)}, apiVersion ${JSON.stringify(apiVersion)})`,
    );
  }
}

/**
 * The namespace an object lands in: the URL's fills a missing metadata.namespace; a different one is an error.
 * Cluster-scoped objects have none. Mutates `obj`.
 */
export function settleNamespace(def: ResourceDef, obj: KubeObject, urlNamespace: string | undefined): void {
  if (!def.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  const bodyNamespace = obj.metadata.namespace || undefined;
  if (urlNamespace !== undefined && bodyNamespace !== undefined && bodyNamespace !== urlNamespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const namespace = urlNamespace ?? bodyNamespace;
  if (namespace === undefined) throw badRequest('a namespace must be given for a namespaced resource');
  obj.metadata.namespace = namespace;
}

/** A new object's server-owned metadata; client values for them are dropped. Mutates and returns `obj`. */
export function stampNewObject(def: ResourceDef, obj: KubeObject, uid: string, now: number): KubeObject {
  const meta = obj.metadata;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.managedFields;
  meta.uid = uid;
  meta.creationTimestamp = rfc3339(now);
  meta.generation = 1;
  // The status subresource owns .status: a new object starts with what the defaults produce.
  if (def.statusSubresource && !def.keepStatusOnCreate) delete obj.status;
  return obj;
}

/**
 * Carries the server-owned metadata of the stored object into a replacement (PUT or patch result).
 * Mutates and returns `next`.
 */
export function carryOverForUpdate(def: ResourceDef, next: KubeObject, old: KubeObject): KubeObject {
  const meta = next.metadata;
  const oldMeta = old.metadata;
  meta.name = oldMeta.name;
  if (def.namespaced) meta.namespace = oldMeta.namespace;
  else delete meta.namespace;
  meta.uid = oldMeta.uid;
  meta.creationTimestamp = oldMeta.creationTimestamp;
  meta.generation = oldMeta.generation;
  copyOrDelete(meta, oldMeta, 'deletionTimestamp');
  copyOrDelete(meta, oldMeta, 'deletionGracePeriodSeconds');
  meta.resourceVersion = oldMeta.resourceVersion;
  if (def.statusSubresource) copyOrDelete(next, old, 'status');
  return next;
}

/** The stored object with only .status taken from `next` (PUT/PATCH …/status). */
export function withStatusOf(old: KubeObject, next: KubeObject): KubeObject {
  const out = structuredClone(old);
  if (next.status === undefined) delete out.status;
  else out.status = structuredClone(next.status);
  return out;
}

function copyOrDelete(target: Record<string, unknown>, source: Record<string, unknown>, key: string): void {
  if (source[key] === undefined) delete target[key];
  else target[key] = source[key];
}

/** Everything but metadata and status: what metadata.generation counts changes of. */
function specPart(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/** Kubernetes bumps generation when anything outside metadata and status changes. */
export function nextGeneration(next: KubeObject, old: KubeObject): number {
  const current = old.metadata.generation ?? 1;
  return jsonEqual(specPart(next), specPart(old)) ? current : current + 1;
}

/** True when storing `next` would change nothing (so the write, and a new resourceVersion, is skipped). */
export function isNoOp(next: KubeObject, old: KubeObject): boolean {
  return jsonEqual(next, old);
}

/** A PUT/PATCH body checked against the URL (type, name, namespace), as a copy the caller may change. */
export function prepareBody(
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  body: KubeObject,
): KubeObject {
  const next = structuredClone(body);
  checkTypeMeta(def, next);
  const bodyName = next.metadata.name;
  if (bodyName && bodyName !== name) {
    throw badRequest(
      `the name of the object (${shown(bodyName)}) does not match the name on the URL (${name})`,
    );
  }
  next.metadata.name = name;
  settleNamespace(def, next, def.namespaced ? namespace : undefined);
  return next;
}

/** Every object the API returns carries kind and apiVersion (kubectl's unstructured decoding needs them). */
export function withTypeMeta(def: ResourceDef, obj: KubeObject): KubeObject {
  if (obj.kind && obj.apiVersion) return obj;
  return { ...obj, kind: def.kind, apiVersion: apiVersionOf(def) };
}
