// meta.k8s.io/v1 Tables: what `kubectl get` prints (KUBECTL-API.md §5). The columns and cells come from the
// kind's ResourceDef; this file adds what every table needs: the Name column's `format: "name"` (kubectl's
// `pod/` prefixes), one cell per column (wide ones too), and row.object = the metadata kubectl reads for
// NAMESPACE, LABELS and -L columns (or the full object with includeObject=Object).
import type { ResourceDef } from '../api/resource-def.js';
import type { KubeObject, Table, TableColumnDefinition, TableRow } from '../api/types.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  now: number;
  includeObject?: IncludeObject;
  /** list tables: the list's resourceVersion (kubectl get -w starts its watch there). */
  resourceVersion?: string;
}

export function parseIncludeObject(value: string | undefined): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

export function tableColumns(def: ResourceDef): TableColumnDefinition[] {
  return def.columns.map((c) => ({
    name: c.name,
    type: c.type,
    format: c.name === 'Name' ? 'name' : c.format,
    description: c.description,
    priority: c.priority,
  }));
}

function cellsOf(def: ResourceDef, obj: KubeObject, now: number): (string | number)[] {
  let cells: (string | number)[];
  try {
    cells = def.row(obj, { now });
  } catch {
    // A printer that cannot read an odd object still gives the row its name rather than failing the list.
    cells = def.columns.map((c) => (c.name === 'Name' ? (obj.metadata.name ?? '') : '<unknown>'));
  }
  const n = def.columns.length;
  if (cells.length === n) return cells;
  return Array.from({ length: n }, (_, i) => cells[i] ?? '');
}

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function tableRow(def: ResourceDef, obj: KubeObject, opts: TableOptions): TableRow {
  const object = rowObject(obj, opts.includeObject ?? 'Metadata');
  const row: TableRow = { cells: cellsOf(def, obj, opts.now) };
  if (object !== undefined) row.object = object;
  return row;
}

export function toTable(def: ResourceDef, objects: KubeObject[], opts: TableOptions): Table {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {},
    columnDefinitions: tableColumns(def),
    rows: objects.map((o) => tableRow(def, o, opts)),
  };
}
