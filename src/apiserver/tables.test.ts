import { describe, expect, it } from 'vitest';
import type { ResourceDef } from '../api/resource-def.js';
import type { KubeObject } from '../api/types.js';
import { parseIncludeObject, toTable } from './tables.js';

const def = {
  kind: 'Thing',
  columns: [
    { name: 'Name', type: 'string', format: '', description: 'name', priority: 0 },
    { name: 'Size', type: 'integer', format: '', description: 'size', priority: 0 },
    { name: 'Extra', type: 'string', format: '', description: 'wide', priority: 1 },
  ],
  row: (o: KubeObject) => {
    if (o.spec?.broken) throw new Error('boom');
    return o.spec?.short ? [o.metadata.name ?? ''] : [o.metadata.name ?? '', o.spec?.size ?? 0, 'x'];
  },
} as unknown as ResourceDef;

const thing = (name: string, spec: object = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Thing',
  metadata: { name, labels: { a: 'b' } },
  spec,
});

describe('toTable', () => {
  it('forces format name on the Name column and keeps wide columns', () => {
    const t = toTable(def, [thing('a', { size: 3 })], { now: 0, resourceVersion: '9' });
    expect(t.metadata).toEqual({ resourceVersion: '9' });
    expect(t.columnDefinitions.map((c) => [c.name, c.format, c.priority])).toEqual([
      ['Name', 'name', 0],
      ['Size', '', 0],
      ['Extra', '', 1],
    ]);
    expect(t.rows[0].cells).toEqual(['a', 3, 'x']);
    expect(t.rows[0].object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'a', labels: { a: 'b' } },
    });
  });

  it('pads short rows and survives a printer that throws', () => {
    const t = toTable(def, [thing('short', { short: true }), thing('bad', { broken: true })], { now: 0 });
    expect(t.rows[0].cells).toEqual(['short', '', '']);
    expect(t.rows[1].cells[0]).toBe('bad');
    expect(t.rows[1].cells).toHaveLength(3);
  });

  it('includeObject controls row.object', () => {
    expect(toTable(def, [thing('a')], { now: 0, includeObject: 'Object' }).rows[0].object).toMatchObject({
      kind: 'Thing',
      spec: {},
    });
    expect(toTable(def, [thing('a')], { now: 0, includeObject: 'None' }).rows[0]).not.toHaveProperty(
      'object',
    );
    expect(parseIncludeObject(undefined)).toBe('Metadata');
    expect(parseIncludeObject('Object')).toBe('Object');
    expect(parseIncludeObject('weird')).toBe('Metadata');
  });

  it('an empty list has no rows', () => {
    expect(toTable(def, [], { now: 0 }).rows).toEqual([]);
  });
});
