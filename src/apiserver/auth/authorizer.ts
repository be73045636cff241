// Authorization: may this user do this? Three roles, by group (Kubernetes' built-in cluster roles):
//   system:masters   (admin tokens, the insecure loopback port)   everything
//   skiff:viewers    (view tokens)      get/list/watch of every resource except Secrets (so pods/log, not exec)
//   system:nodes     (node tokens)      the Node authorizer's table, see node-authorizer.ts
//   system:bootstrappers (join tokens)  POST /skiff/v1/join only
// Every authenticated user may read discovery, /version and /openapi; anyone may read the public paths (health,
// /version, /skiff/v1/cluster-info). A refusal becomes 403 with the message kubectl prints:
//   pods "x" is forbidden: User "system:node:n1" cannot update resource "pods/status" in API group "" in the
//   namespace "default": no relationship found between node 'n1' and this object
import { forbiddenRequest, qualifiedResource, type ApiError } from '../../common/errors.js';
import {
  AUTHENTICATED_GROUP,
  BOOTSTRAPPERS_GROUP,
  MASTERS_GROUP,
  VIEWERS_GROUP,
  nodeNameOf,
  type UserInfo,
} from './identities.js';
import { authorizeNode, type NodeGraph } from './node-authorizer.js';
import { resourceWithSubresource, type RequestAttributes } from './request-info.js';

export type Decision = { allowed: true } | { allowed: false; reason?: string };

export interface AuthorizationRequest {
  user: UserInfo;
  attributes: RequestAttributes;
  /** metadata.name of the object a create sends, when the body says. */
  objectName?: string;
}

export interface Authorizer {
  authorize(request: AuthorizationRequest): Promise<Decision>;
}

/** Paths anyone may GET, credentials or not (Kubernetes' system:public-info-viewer, plus the join discovery). */
export const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/skiff/v1/cluster-info']);
export const JOIN_PATH = '/skiff/v1/join';

function isPublic(attrs: RequestAttributes): boolean {
  return (
    attrs.kind === 'nonResource' && attrs.verb === 'get' && PUBLIC_PATHS.has(attrs.path.replace(/\/$/, ''))
  );
}

/** Discovery documents every authenticated user may read (Kubernetes' system:discovery). */
function isDiscovery(path: string): boolean {
  return /^\/(api|apis)(\/.*)?$/.test(path) || path === '/version' || /^\/openapi\/v[23](\/.*)?$/.test(path);
}

/** True when the request needs no credentials at all. */
export function isAnonymousAllowed(attrs: RequestAttributes): boolean {
  return isPublic(attrs);
}

const allow: Decision = { allowed: true };

export function createAuthorizer(deps: { graph: NodeGraph }): Authorizer {
  return {
    async authorize({ user, attributes: a, objectName }) {
      if (user.groups.includes(MASTERS_GROUP)) return allow;
      if (isPublic(a)) return allow;
      if (a.kind === 'nonResource') {
        if (a.verb === 'get' && isDiscovery(a.path) && user.groups.includes(AUTHENTICATED_GROUP))
          return allow;
        if (a.verb === 'post' && a.path === JOIN_PATH && user.groups.includes(BOOTSTRAPPERS_GROUP))
          return allow;
        return { allowed: false };
      }
      if (user.groups.includes(VIEWERS_GROUP)) {
        const read = ['get', 'list', 'watch'].includes(a.verb);
        const secret = a.group === '' && a.resource === 'secrets';
        if (read && !secret) return allow;
      }
      const node = nodeNameOf(user);
      if (node) return authorizeNode(node, a, deps.graph, objectName);
      return { allowed: false };
    },
  };
}

/** The 403 Status for a refused request, worded as the Kubernetes API server words it. */
export function forbiddenError(user: UserInfo, attrs: RequestAttributes, reason?: string): ApiError {
  const suffix = reason ? `: ${reason}` : '';
  if (attrs.kind === 'nonResource') {
    return forbiddenRequest(
      `forbidden: User "${user.name}" cannot ${attrs.verb} path "${attrs.path}"${suffix}`,
    );
  }
  const qualified = qualifiedResource({ group: attrs.group, resource: attrs.resource });
  const subject = attrs.name !== undefined ? `${qualified} "${attrs.name}"` : qualified;
  const scope =
    attrs.namespace !== undefined ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  return forbiddenRequest(
    `${subject} is forbidden: User "${user.name}" cannot ${attrs.verb} resource "${resourceWithSubresource(attrs)}" ` +
      `in API group "${attrs.group}" ${scope}${suffix}`,
    { ...(attrs.name !== undefined ? { name: attrs.name } : {}), group: attrs.group, kind: attrs.resource },
  );
}
