// How one store change looks to a filtered watch (Kubernetes' cacheWatcher.convertToWatchEvent): an object that
// starts matching the selectors is ADDED, one that stops matching is DELETED (with its previous content and the
// change's resourceVersion), one that never matched is not sent at all.
import type { KubeObject } from '../api/types.js';
import type { StoreEvent } from '../store/store.js';
import type { ObjectFilter } from './object-filter.js';

export interface ObjectWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

export function filterStoreEvent(
  event: StoreEvent,
  filter: ObjectFilter | undefined,
): ObjectWatchEvent | undefined {
  if (!filter) return { type: event.type, object: event.object };
  switch (event.type) {
    case 'ADDED':
      return filter(event.object) ? { type: 'ADDED', object: event.object } : undefined;
    case 'DELETED':
      return filter(event.prevObject ?? event.object) ? { type: 'DELETED', object: event.object } : undefined;
    case 'MODIFIED': {
      const now = filter(event.object);
      if (!event.prevObject) return now ? { type: 'MODIFIED', object: event.object } : undefined;
      const before = filter(event.prevObject);
      if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: event.object };
      if (!before) return undefined;
      const left = structuredClone(event.prevObject);
      left.metadata.resourceVersion = String(event.revision);
      return { type: 'DELETED', object: left };
    }
  }
}
