// A bounded LRU cache of committed rows (revision + JSON) for the SQLite store, so the hot reads — the token every
// request authenticates with, the namespace every create checks, gets of recent objects — skip SQLite. Bounded by
// the JSON it holds, not by count, so large objects cannot make it grow without limit. Only committed state goes
// in: the store fills it from reads outside a transaction and from writes after their commit.
import type { StoreKey } from './store.js';
import type { StoredRow } from './versioned-store.js';

// Small on purpose: the hot rows (tokens, namespaces, recent objects) are few, and its speed-up measured within the
// noise (BENCHMARKS.md), so it must not cost the master's footprint much (1 Mi characters ≈ 2 MB of strings).
export const DEFAULT_ROW_CACHE_CHARS = 1024 * 1024;

export function rowCacheKey(key: StoreKey): string {
  return `${key.group}\u0000${key.resource}\u0000${key.namespace}\u0000${key.name}`;
}

export class RowCache {
  /** Map order is recency order: the first entry is the least recently used. */
  private readonly rows = new Map<string, StoredRow>();
  private chars = 0;

  constructor(private readonly maxChars = DEFAULT_ROW_CACHE_CHARS) {}

  get(key: string): StoredRow | undefined {
    const row = this.rows.get(key);
    if (row) {
      this.rows.delete(key);
      this.rows.set(key, row);
    }
    return row;
  }

  set(key: string, row: StoredRow): void {
    this.delete(key);
    if (row.json.length > this.maxChars) return;
    this.rows.set(key, { revision: row.revision, json: row.json });
    this.chars += row.json.length;
    for (const [oldest, old] of this.rows) {
      if (this.chars <= this.maxChars) break;
      this.rows.delete(oldest);
      this.chars -= old.json.length;
    }
  }

  delete(key: string): void {
    const row = this.rows.get(key);
    if (!row) return;
    this.rows.delete(key);
    this.chars -= row.json.length;
  }

  /** Entries and the JSON characters they hold (tests, metrics). */
  size(): { rows: number; chars: number } {
    return { rows: this.rows.size, chars: this.chars };
  }
}
