import { describe, expect, it } from 'vitest';
import { RowCache, rowCacheKey } from './row-cache.js';

const row = (revision: number, chars: number) => ({ revision, json: 'x'.repeat(chars) });

describe('RowCache', () => {
  it('keys rows by group, resource, namespace and name without collisions', () => {
    const a = rowCacheKey({ group: '', resource: 'pods', namespace: 'a', name: 'b/c' });
    const b = rowCacheKey({ group: '', resource: 'pods', namespace: 'a/b', name: 'c' });
    expect(a).not.toBe(b);
  });

  it('keeps at most maxChars of JSON, dropping the least recently used rows first', () => {
    const cache = new RowCache(30);
    cache.set('a', row(1, 10));
    cache.set('b', row(2, 10));
    cache.set('c', row(3, 10));
    expect(cache.get('a')?.revision).toBe(1); // a is now the most recent
    cache.set('d', row(4, 10));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.revision).toBe(1);
    expect(cache.size()).toEqual({ rows: 3, chars: 30 });
  });

  it('replaces a row, forgets deleted rows, and never keeps a row larger than the whole cache', () => {
    const cache = new RowCache(30);
    cache.set('a', row(1, 10));
    cache.set('a', row(2, 20));
    expect(cache.get('a')?.revision).toBe(2);
    expect(cache.size()).toEqual({ rows: 1, chars: 20 });
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    cache.set('big', row(3, 31));
    expect(cache.size()).toEqual({ rows: 0, chars: 0 });
  });
});
