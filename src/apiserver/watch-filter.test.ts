import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import type { StoreEvent } from '../store/store.js';
import { filterStoreEvent } from './watch-filter.js';

const obj = (app: string, rv: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', labels: { app }, resourceVersion: rv },
});
const key = { group: '', resource: 'configmaps', namespace: 'default', name: 'c' };
const isWeb = (o: KubeObject) => o.metadata.labels?.app === 'web';

describe('filterStoreEvent', () => {
  it('passes everything through without a filter', () => {
    const ev: StoreEvent = {
      type: 'MODIFIED',
      key,
      object: obj('x', '2'),
      prevObject: obj('y', '1'),
      revision: 2,
    };
    expect(filterStoreEvent(ev, undefined)).toEqual({ type: 'MODIFIED', object: ev.object });
  });

  it.each([
    ['ADDED', undefined, 'web', 'ADDED'],
    ['ADDED', undefined, 'db', undefined],
    ['MODIFIED', 'db', 'web', 'ADDED'],
    ['MODIFIED', 'web', 'web', 'MODIFIED'],
    ['MODIFIED', 'web', 'db', 'DELETED'],
    ['MODIFIED', 'db', 'db', undefined],
    ['DELETED', 'web', 'web', 'DELETED'],
    ['DELETED', 'db', 'db', undefined],
  ] as const)('%s %s → %s gives %s', (type, before, after, expected) => {
    const ev: StoreEvent = {
      type,
      key,
      object: obj(after, '5'),
      prevObject: before ? obj(before, '4') : undefined,
      revision: 5,
    };
    expect(filterStoreEvent(ev, isWeb)?.type).toBe(expected);
  });

  it('a leaving object is DELETED with its previous content at the change’s resourceVersion', () => {
    const prev = obj('web', '4');
    const ev: StoreEvent = { type: 'MODIFIED', key, object: obj('db', '5'), prevObject: prev, revision: 5 };
    const out = filterStoreEvent(ev, isWeb)!;
    expect(out.object.metadata).toMatchObject({ labels: { app: 'web' }, resourceVersion: '5' });
    expect(prev.metadata.resourceVersion).toBe('4'); // the shared store object is untouched
  });
});
