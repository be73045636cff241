// How `skiff get` prints a meta.k8s.io/v1 Table, following kubectl's table printer: upper-case headers, priority>0
// columns only with -o wide, NAMESPACE first with -A, LABELS last with --show-labels (both read from
// row.object.metadata), `kind/name` in the Name column when several kinds are printed, and Go tabwriter spacing.
import type { ObjectMeta, Table, TableColumnDefinition, TableRow } from '../api/types.js';
import { formatLabels } from '../api/format.js';
import { TABLE_LAYOUT, tabwrite, width } from './tabwriter.js';

export interface TableOptions {
  /** -o wide: include the priority > 0 columns. */
  wide?: boolean;
  /** Prepend a NAMESPACE column (-A on a namespaced resource). */
  withNamespace?: boolean;
  /** Append a LABELS column (--show-labels). */
  showLabels?: boolean;
  /** `pod`, `deployment.apps`: prefix for the name cells when several kinds are printed. */
  kindPrefix?: string;
  noHeaders?: boolean;
}

/** The header line and one line per row, as cells, exactly as kubectl would print them. */
export function tableCells(
  table: Pick<Table, 'columnDefinitions' | 'rows'>,
  opts: TableOptions = {},
): string[][] {
  const shown = visibleColumns(table.columnDefinitions, opts.wide ?? false);
  const nameIndex = nameColumnIndex(table.columnDefinitions);
  const lines: string[][] = [];
  if (!opts.noHeaders) {
    const header = shown.map((i) => table.columnDefinitions[i].name.toUpperCase());
    lines.push(decorate(header, 'NAMESPACE', 'LABELS', opts));
  }
  for (const row of table.rows) lines.push(rowCells(row, shown, nameIndex, opts));
  return lines;
}

/** One data row (no header), for watch events printed under an earlier header. */
export function tableRowCells(
  columns: TableColumnDefinition[],
  row: TableRow,
  opts: TableOptions = {},
): string[] {
  return rowCells(row, visibleColumns(columns, opts.wide ?? false), nameColumnIndex(columns), opts);
}

/** The whole table as text (ending in a newline), or '' when it has no rows. */
export function printTable(
  table: Pick<Table, 'columnDefinitions' | 'rows'>,
  opts: TableOptions = {},
): string {
  if (table.rows.length === 0) return '';
  return formatLines(tableCells(table, opts));
}

/** Lines of cells → aligned text, as kubectl's tabwriter prints them. */
export function formatLines(lines: string[][]): string {
  return tabwrite(lines.map((cells) => cells.join('\t')).join('\n') + '\n', TABLE_LAYOUT);
}

/**
 * Prints rows that arrive one at a time (`get -w`) under the widths of what was printed before. A cell wider than
 * its column widens the column from then on (kubectl's tabwriter would let it run into the next column).
 */
export class StreamingTablePrinter {
  private widths: number[] = [];

  print(lines: string[][]): string {
    for (const cells of lines) {
      cells.slice(0, -1).forEach((cell, j) => {
        const w = Math.max(TABLE_LAYOUT.minWidth, width(cell) + TABLE_LAYOUT.padding);
        this.widths[j] = Math.max(this.widths[j] ?? 0, w);
      });
    }
    return lines
      .map((cells) =>
        cells.map((c, j) => (j < cells.length - 1 ? c + ' '.repeat(this.widths[j] - width(c)) : c)).join(''),
      )
      .map((l) => l + '\n')
      .join('');
  }
}

/** `No resources found in default namespace.` (or without the namespace for -A and cluster-scoped kinds). */
export function noResourcesMessage(namespace: string | undefined): string {
  return namespace ? `No resources found in ${namespace} namespace.` : 'No resources found';
}

function visibleColumns(columns: TableColumnDefinition[], wide: boolean): number[] {
  const out: number[] = [];
  columns.forEach((c, i) => {
    if (wide || (c.priority ?? 0) === 0) out.push(i);
  });
  return out;
}

function nameColumnIndex(columns: TableColumnDefinition[]): number {
  return columns.findIndex((c) => c.format === 'name');
}

function rowCells(row: TableRow, shown: number[], nameIndex: number, opts: TableOptions): string[] {
  const cells = shown.map((i) => {
    const text = cellText(row.cells[i]);
    return i === nameIndex && opts.kindPrefix ? `${opts.kindPrefix}/${text}` : text;
  });
  const meta = metadataOf(row);
  return decorate(cells, meta?.namespace ?? '', formatLabels(meta?.labels), opts);
}

function decorate(cells: string[], namespace: string, labels: string, opts: TableOptions): string[] {
  const out = opts.withNamespace ? [namespace, ...cells] : [...cells];
  if (opts.showLabels) out.push(labels);
  return out;
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '<none>';
  return String(cell);
}

function metadataOf(row: TableRow): ObjectMeta | undefined {
  const obj = row.object as { metadata?: ObjectMeta } | undefined;
  return obj?.metadata;
}
