// Object keys, as client-go's cache.MetaNamespaceKeyFunc writes them: `namespace/name`, or `name` for
// cluster-scoped objects. Informer caches, work queues and controllers all use this one format.
import type { KubeObject } from '../api/types.js';

export function keyFor(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function objectKey(obj: Pick<KubeObject, 'metadata'>): string {
  return keyFor(obj.metadata.namespace, obj.metadata.name ?? '');
}

/** The inverse of objectKey: `ns/name` → {namespace:'ns', name:'name'}; `name` → {name:'name'}. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
