import { describe, expect, it } from 'vitest';
import type { Table, TableColumnDefinition } from '../api/types.js';
import {
  formatLines,
  noResourcesMessage,
  printTable,
  StreamingTablePrinter,
  tableCells,
  tableRowCells,
} from './print-table.js';

const col = (name: string, priority = 0, format = ''): TableColumnDefinition => ({
  name,
  type: 'string',
  format,
  description: '',
  priority,
});

const podTable: Table = {
  kind: 'Table',
  apiVersion: 'meta.k8s.io/v1',
  metadata: { resourceVersion: '42' },
  columnDefinitions: [
    col('Name', 0, 'name'),
    col('Ready'),
    col('Status'),
    col('Restarts'),
    col('Age'),
    col('IP', 1),
    col('Node', 1),
  ],
  rows: [
    {
      cells: ['web-1', '1/1', 'Running', 0, '5m', '10.244.0.5', 'node-1'],
      object: { metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web', tier: 'fe' } } },
    },
    {
      cells: ['db', '0/1', 'Pending', 0, '10s', '<none>', '<none>'],
      object: { metadata: { name: 'db', namespace: 'shop' } },
    },
  ],
};

describe('printTable', () => {
  it('prints upper-case headers and the priority-0 columns, padded by three spaces', () => {
    expect(printTable(podTable)).toBe(
      [
        'NAME    READY   STATUS    RESTARTS   AGE',
        'web-1   1/1     Running   0          5m',
        'db      0/1     Pending   0          10s',
        '',
      ].join('\n'),
    );
  });

  it('adds the priority-1 columns with -o wide', () => {
    expect(printTable(podTable, { wide: true })).toBe(
      [
        'NAME    READY   STATUS    RESTARTS   AGE   IP           NODE',
        'web-1   1/1     Running   0          5m    10.244.0.5   node-1',
        'db      0/1     Pending   0          10s   <none>       <none>',
        '',
      ].join('\n'),
    );
  });

  it('puts NAMESPACE first for -A, reading it from row.object.metadata', () => {
    expect(printTable(podTable, { withNamespace: true }).split('\n').slice(0, 3)).toEqual([
      'NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE',
      'default     web-1   1/1     Running   0          5m',
      'shop        db      0/1     Pending   0          10s',
    ]);
  });

  it('appends LABELS for --show-labels, sorted, <none> when absent', () => {
    expect(printTable(podTable, { showLabels: true }).split('\n').slice(0, 3)).toEqual([
      'NAME    READY   STATUS    RESTARTS   AGE   LABELS',
      'web-1   1/1     Running   0          5m    app=web,tier=fe',
      'db      0/1     Pending   0          10s   <none>',
    ]);
  });

  it('prefixes the name column (format "name") with the kind when several kinds are printed', () => {
    const svc: Table = {
      ...podTable,
      columnDefinitions: [col('Name', 0, 'name'), col('Type'), col('Cluster-IP'), col('Age')],
      rows: [{ cells: ['web', 'ClusterIP', '10.96.0.10', '1d'], object: { metadata: { name: 'web' } } }],
    };
    expect(printTable(svc, { kindPrefix: 'service' })).toBe(
      'NAME          TYPE        CLUSTER-IP   AGE\nservice/web   ClusterIP   10.96.0.10   1d\n',
    );
  });

  it('prints nothing for an empty table', () => {
    expect(printTable({ ...podTable, rows: [] })).toBe('');
  });

  it('omits headers on request and renders missing cells as <none>', () => {
    const t = {
      columnDefinitions: [col('Name', 0, 'name'), col('X')],
      rows: [{ cells: ['a', null as never] }],
    };
    expect(tableCells(t, { noHeaders: true })).toEqual([['a', '<none>']]);
  });
});

describe('StreamingTablePrinter (get -w)', () => {
  it('keeps the widths of what it printed before and widens a column for a longer cell', () => {
    const p = new StreamingTablePrinter();
    const first = p.print(tableCells(podTable));
    expect(first).toBe(printTable(podTable));
    const row = tableRowCells(podTable.columnDefinitions, {
      cells: ['web-1', '0/1', 'Terminating', 0, '6m', '', ''],
      object: { metadata: { name: 'web-1' } },
    });
    expect(p.print([row])).toBe('web-1   0/1     Terminating   0          6m\n');
  });
});

describe('helpers', () => {
  it('formats arbitrary lines like the table printer', () => {
    expect(
      formatLines([
        ['NAME', 'KIND'],
        ['pods', 'Pod'],
      ]),
    ).toBe('NAME   KIND\npods   Pod\n');
  });

  it('says where nothing was found', () => {
    expect(noResourcesMessage('default')).toBe('No resources found in default namespace.');
    expect(noResourcesMessage(undefined)).toBe('No resources found');
  });
});
