import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../api/registry.js';
import type { CliClient } from './context.js';
import { fetchTable, TABLE_ACCEPT } from './tables.js';

/** Answers every request with one fixed body, recording what was asked. */
function clientAnswering(status: number, body: unknown) {
  const calls: { path: string; query?: unknown; headers?: Record<string, string> }[] = [];
  const client = {
    rawRequest: async (
      _method: string,
      path: string,
      opts: { query?: unknown; headers?: Record<string, string> } = {},
    ) => {
      calls.push({ path, query: opts.query, headers: opts.headers });
      return { status, headers: {}, body: Buffer.from(JSON.stringify(body)) };
    },
  } as unknown as CliClient;
  return { client, calls };
}

const podDef = defaultRegistry().resolve('pods')!;
const NOW = Date.parse('2026-01-01T00:05:00Z');

describe('fetchTable', () => {
  it('asks for a Table with kubectl’s Accept header, limit and selectors', async () => {
    const table = {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '9' },
      columnDefinitions: [],
      rows: [],
    };
    const { client, calls } = clientAnswering(200, table);
    expect(await fetchTable(client, podDef, { namespace: 'dev', labelSelector: 'app=web' }, NOW)).toEqual(
      table,
    );
    expect(calls).toEqual([
      {
        path: '/api/v1/namespaces/dev/pods',
        query: { limit: '500', labelSelector: 'app=web', fieldSelector: undefined },
        headers: { Accept: TABLE_ACCEPT },
      },
    ]);
  });

  it('computes the same columns itself when the server answers with a plain list', async () => {
    const list = {
      apiVersion: 'v1',
      kind: 'PodList',
      metadata: { resourceVersion: '12' },
      items: [
        {
          metadata: {
            name: 'web',
            namespace: 'default',
            creationTimestamp: '2026-01-01T00:00:00Z',
            labels: { a: 'b' },
          },
          spec: { containers: [{ name: 'c', image: 'x' }] },
          status: { phase: 'Pending' },
        },
      ],
    };
    const { client } = clientAnswering(200, list);
    const t = await fetchTable(client, podDef, { namespace: 'default' }, NOW);
    expect(t.metadata.resourceVersion).toBe('12');
    expect(t.columnDefinitions.map((c) => c.name).slice(0, 5)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
    ]);
    expect(t.rows[0].cells.slice(0, 5)).toEqual(['web', '0/1', 'Pending', '0', '5m']);
    expect(t.rows[0].object).toMatchObject({ metadata: { namespace: 'default', labels: { a: 'b' } } });
  });

  it('throws the server’s Status as an ApiError', async () => {
    const { client } = clientAnswering(404, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      message: 'pods "x" not found',
      code: 404,
    });
    await expect(fetchTable(client, podDef, { namespace: 'default', name: 'x' }, NOW)).rejects.toMatchObject({
      reason: 'NotFound',
      message: 'pods "x" not found',
    });
  });
});
