// The cluster store in memory: same semantics as the SQLite store (they share VersionedStore), nothing on disk.
// Used by unit tests of the API server and controllers, and handy for a throwaway master.
import type { Logger } from '../common/logger.js';
import { inScope, type StoreEvent, type StoreKey, type StoreScope } from './store.js';
import { VersionedStore, type Change, type StoredRow } from './versioned-store.js';

interface Row extends StoredRow {
  namespace: string;
  name: string;
}

function resourceKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}

function objectKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

function byNamespaceThenName(a: Row, b: Row): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export class MemoryStore extends VersionedStore {
  /** group/resource → namespace+name → row, so a list only visits its own resource. */
  private readonly objects = new Map<string, Map<string, Row>>();
  /** The change log; revisions are consecutive, so changeLog[i].revision = changeLog[0].revision + i. */
  private changeLog: StoreEvent[] = [];

  constructor(opts: { historySize?: number; logger?: Logger } = {}) {
    super(opts);
  }

  protected readRow(key: StoreKey): StoredRow | undefined {
    return this.objects.get(resourceKey(key.group, key.resource))?.get(objectKey(key.namespace, key.name));
  }

  protected listJson(scope: StoreScope): string[] {
    const rows = this.objects.get(resourceKey(scope.group, scope.resource));
    if (!rows) return [];
    const selected: Row[] = [];
    for (const row of rows.values()) {
      if (scope.namespace === undefined || row.namespace === scope.namespace) selected.push(row);
    }
    return selected.sort(byNamespaceThenName).map((row) => row.json);
  }

  protected transaction(fn: () => void): void {
    fn(); // nothing here can fail half-way
  }

  protected apply({ event, json }: Change): void {
    const { key } = event;
    const rk = resourceKey(key.group, key.resource);
    const ok = objectKey(key.namespace, key.name);
    let rows = this.objects.get(rk);
    if (event.type === 'DELETED') {
      rows?.delete(ok);
      if (rows?.size === 0) this.objects.delete(rk);
    } else {
      if (!rows) this.objects.set(rk, (rows = new Map()));
      // The event's object doubles as the read-only parsed copy (it becomes the next event's prevObject).
      rows.set(ok, {
        revision: event.revision,
        json,
        object: event.object,
        namespace: key.namespace,
        name: key.name,
      });
    }
    this.changeLog.push(event);
  }

  protected changesAfter(scope: StoreScope, fromRevision: number): StoreEvent[] {
    const first = this.changeLog[0];
    if (!first) return [];
    const out: StoreEvent[] = [];
    for (let i = Math.max(0, fromRevision - first.revision + 1); i < this.changeLog.length; i++) {
      const event = this.changeLog[i];
      if (inScope(scope, event.key)) out.push(event);
    }
    return out;
  }

  protected trimLog(throughRevision: number): void {
    const first = this.changeLog[0];
    if (!first) return;
    this.changeLog = this.changeLog.slice(Math.max(0, throughRevision - first.revision + 1));
  }

  protected closeBackend(): void {
    this.objects.clear();
    this.changeLog = [];
  }
}
