// Fetching what `get` prints: the server renders Tables (KUBECTL-API.md §5) when asked with kubectl's Accept
// header. Should a server answer with a plain object or list instead, the same columns are computed here from the
// resource definition, so the output looks the same either way.
import type { ResourceDef } from '../api/resource-def.js';
import type { KubeList, KubeObject, Table, TableRow } from '../api/types.js';
import { resourcePath } from '../client/api-client.js';
import { errorFromResponse } from '../client/http-response.js';
import { ApiError } from '../common/errors.js';
import type { CliClient, Query } from './context.js';
import { refOf } from './resources.js';

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

export interface TableQuery {
  namespace?: string;
  name?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export async function fetchTable(
  client: CliClient,
  def: ResourceDef,
  q: TableQuery,
  now: number,
): Promise<Table> {
  const query: Query = q.name
    ? {}
    : {
        limit: '500',
        labelSelector: q.labelSelector || undefined,
        fieldSelector: q.fieldSelector || undefined,
      };
  const path = resourcePath(refOf(def), q.namespace, q.name);
  const res = await client.rawRequest('GET', path, { query, headers: { Accept: TABLE_ACCEPT } });
  if (res.status < 200 || res.status > 299) throw errorFromResponse(res.status, res.body);
  let body: unknown;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch {
    throw new ApiError(500, 'InternalError', `the server sent a response that is not JSON (GET ${path})`);
  }
  const obj = body as Partial<Table> & Partial<KubeList>;
  if (obj.kind === 'Table') return { ...(obj as Table), rows: obj.rows ?? [] };
  const items = Array.isArray(obj.items) ? obj.items : [body as KubeObject];
  return tableFromObjects(def, items, now, obj.metadata?.resourceVersion);
}

/** The Table the server would send, computed from the resource's own printer. */
export function tableFromObjects(
  def: ResourceDef,
  items: KubeObject[],
  now: number,
  resourceVersion?: string,
): Table {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: resourceVersion ? { resourceVersion } : {},
    columnDefinitions: def.columns,
    rows: items.map((o) => rowOf(def, o, now)),
  };
}

export function rowOf(def: ResourceDef, obj: KubeObject, now: number): TableRow {
  return {
    cells: def.row(obj, { now }),
    object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata },
  };
}
