// Owners the collector has confirmed absent with a live GET (Kubernetes' absentOwnerCache). A uid is never reused,
// so "this owner does not exist" stays true forever; remembering it saves one GET per further dependent of a
// deleted owner. Bounded, least recently used first out.
import type { OwnerReference } from '../../api/types.js';

export const ABSENT_OWNER_CACHE_SIZE = 500;

/** The coordinates looked up: the same uid under another name or namespace is another question. */
export function absentOwnerKey(ref: OwnerReference, namespace: string | undefined): string {
  return `${ref.apiVersion}|${ref.kind}|${namespace ?? ''}|${ref.name}|${ref.uid}`;
}

export class AbsentOwnerCache {
  private readonly keys = new Map<string, true>();

  constructor(private readonly capacity = ABSENT_OWNER_CACHE_SIZE) {}

  has(key: string): boolean {
    if (!this.keys.has(key)) return false;
    // Refresh: a Map iterates in insertion order, so re-inserting makes it the most recently used.
    this.keys.delete(key);
    this.keys.set(key, true);
    return true;
  }

  add(key: string): void {
    this.keys.delete(key);
    this.keys.set(key, true);
    while (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next().value as string;
      this.keys.delete(oldest);
    }
  }

  size(): number {
    return this.keys.size;
  }
}
