// What a request asks to do, in the terms authorization speaks (Kubernetes' RequestInfo): a verb on a resource
// (group, resource, subresource, namespace, name) or a verb on a plain path. Pure.
//   GET    object → get, collection → list, ?watch=true or /watch/ → watch
//   POST   create          PUT update          PATCH patch
//   DELETE object → delete, collection → deletecollection
//   pods/exec, pods/attach, pods/portforward → create, whatever the method (a WebSocket opens with GET)
// Discovery (/api, /apis/…), /version, /openapi and skiff's own /skiff/v1/… are plain paths.
import { parseApiPath } from '../api-path.js';

export interface ResourceAttributes {
  kind: 'resource';
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The fieldSelector of a list or watch (a node may watch one Secret by name). */
  fieldSelector?: string;
}

export interface NonResourceAttributes {
  kind: 'nonResource';
  verb: string;
  path: string;
}

export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

export function requestAttributes(method: string, rawUrl: string): RequestAttributes {
  const url = new URL(rawUrl, 'http://request');
  const m = method.toUpperCase();
  const path = parseApiPath(url.pathname);
  if (path?.kind !== 'resource') {
    return { kind: 'nonResource', verb: m.toLowerCase(), path: url.pathname };
  }
  const watching =
    path.watchPrefix || ['true', '1'].includes(url.searchParams.get('watch')?.toLowerCase() ?? '');
  let verb: string;
  if (path.subresource && CONNECT_SUBRESOURCES.has(path.subresource)) verb = 'create';
  else if (m === 'GET' || m === 'HEAD') verb = watching ? 'watch' : path.name ? 'get' : 'list';
  else if (m === 'POST') verb = 'create';
  else if (m === 'PUT') verb = 'update';
  else if (m === 'PATCH') verb = 'patch';
  else if (m === 'DELETE') verb = path.name ? 'delete' : 'deletecollection';
  else verb = m.toLowerCase();
  const fieldSelector = url.searchParams.get('fieldSelector') ?? undefined;
  return {
    kind: 'resource',
    verb,
    group: path.group,
    version: path.version,
    resource: path.resource,
    ...(path.subresource ? { subresource: path.subresource } : {}),
    ...(path.namespace !== undefined ? { namespace: path.namespace } : {}),
    ...(path.name !== undefined ? { name: path.name } : {}),
    ...(fieldSelector ? { fieldSelector } : {}),
  };
}

/** `pods`, `pods/status`: the resource as RBAC rules and Forbidden messages name it. */
export function resourceWithSubresource(a: ResourceAttributes): string {
  return a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
}

/** The one object a list/watch is narrowed to by `fieldSelector=metadata.name=<x>`, if that is all it says. */
export function singleNameSelector(fieldSelector: string | undefined): string | undefined {
  const m = /^metadata\.name==?([^,=!]+)$/.exec(fieldSelector ?? '');
  return m?.[1];
}
