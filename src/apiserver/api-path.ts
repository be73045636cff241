// Parses a Kubernetes REST path into what it names, the way the real API server's RequestInfo does:
//   /api/v1/namespaces/{ns}/{resource}[/{name}[/{subresource}]]      (core group)
//   /apis/{group}/{version}/{resource}[/{name}[/{subresource}]]       (cluster-scoped, or all namespaces)
//   /api, /apis, /apis/{group}, /api/v1, /apis/{group}/{version}       (discovery)
// Pure: the routes decide what to do with the result.

export type ApiPath =
  | { kind: 'root'; legacy: boolean } // /api (legacy=true) or /apis
  | { kind: 'group'; group: string } // /apis/{group}
  | { kind: 'groupVersion'; group: string; version: string } // /api/v1, /apis/{g}/{v}
  | {
      kind: 'resource';
      group: string;
      version: string;
      /** The namespace segment, when the path has one. */
      namespace?: string;
      resource: string;
      name?: string;
      subresource?: string;
      /** The legacy /watch/ prefix was used (…/v1/watch/namespaces/ns/pods). */
      watchPrefix: boolean;
    };

/** Namespaces have subresources of their own; `namespaces/x/status` is not a resource called "status". */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** undefined when the path is not an API path (or has too many segments). */
export function parseApiPath(path: string): ApiPath | undefined {
  let parts: string[];
  try {
    parts = path
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
  const prefix = parts.shift();
  let group: string;
  let version: string | undefined;
  if (prefix === 'api') {
    if (parts.length === 0) return { kind: 'root', legacy: true };
    group = '';
    version = parts.shift();
  } else if (prefix === 'apis') {
    if (parts.length === 0) return { kind: 'root', legacy: false };
    group = parts.shift() as string;
    if (parts.length === 0) return { kind: 'group', group };
    version = parts.shift();
  } else {
    return undefined;
  }
  if (version === undefined) return undefined;
  if (parts.length === 0) return { kind: 'groupVersion', group, version };

  let watchPrefix = false;
  if (parts[0] === 'watch') {
    watchPrefix = true;
    parts.shift();
  }
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1];
    // /namespaces/{ns}/{resource}… names a resource inside the namespace; /namespaces/{name}[/status] is the
    // Namespace object itself.
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  if (parts.length === 0 || parts.length > 3) return undefined;
  const [resource, name, subresource] = parts;
  return { kind: 'resource', group, version, namespace, resource, name, subresource, watchPrefix };
}
