// The smallest OpenAPI v3 that makes kubectl's apply/create/replace validation work (KUBECTL-API.md §4): per
// group-version, one PATCH operation per kind carrying x-kubernetes-group-version-kind and a fieldValidation
// query parameter, and no requestBody (so kubectl falls back to its compiled-in strategic-merge schemas).
import { createHash } from 'node:crypto';
import type { Registry } from '../api/registry.js';
import type { ResourceDef } from '../api/resource-def.js';

/** 'api/v1' or 'apis/apps/v1': the key of a group-version in /openapi/v3. */
export function openApiPathKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function objectPath(def: ResourceDef): string {
  const base = `/${openApiPathKey(def.group, def.version)}`;
  return def.namespaced
    ? `${base}/namespaces/{namespace}/${def.resource}/{name}`
    : `${base}/${def.resource}/{name}`;
}

export function openApiGroupVersionDocument(registry: Registry, group: string, version: string) {
  const defs = registry.all().filter((d) => d.group === group && d.version === version);
  const paths: Record<string, unknown> = {};
  for (const def of defs) {
    paths[objectPath(def)] = {
      patch: {
        'x-kubernetes-group-version-kind': { group: def.group, version: def.version, kind: def.kind },
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
        responses: {},
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'skiff', version: 'v1.32.0' },
    components: { schemas: {} },
    paths,
  };
}

export interface OpenApiDocuments {
  /** GET /openapi/v3 */
  index: { paths: Record<string, { serverRelativeURL: string }> };
  /** GET /openapi/v3/{key}: the serialized document, by path key. */
  documents: Map<string, string>;
}

/** Builds every document once; the hash in serverRelativeURL changes only when the registry does. */
export function buildOpenApi(registry: Registry): OpenApiDocuments {
  const index: OpenApiDocuments['index'] = { paths: {} };
  const documents = new Map<string, string>();
  for (const g of registry.groups()) {
    for (const v of g.versions) {
      const key = openApiPathKey(g.group, v);
      const json = JSON.stringify(openApiGroupVersionDocument(registry, g.group, v));
      const hash = createHash('sha256').update(json).digest('hex').slice(0, 32).toUpperCase();
      documents.set(key, json);
      index.paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
  }
  return { index, documents };
}
