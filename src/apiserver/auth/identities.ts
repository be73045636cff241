// Who is who in a skiff cluster: the user names and groups the authenticator hands out and the authorizer checks,
// and the certificate common names the master and the agents recognise each other by. Kubernetes' own names where
// Kubernetes has one (system:masters, system:nodes, system:node:<name>, system:bootstrappers, system:anonymous).

export interface UserInfo {
  name: string;
  groups: string[];
}

/** Everything (Kubernetes' cluster-admin binding). */
export const MASTERS_GROUP = 'system:masters';
/** Read-only, no Secrets (Kubernetes' `view` role). */
export const VIEWERS_GROUP = 'skiff:viewers';
/** Agents (the Node authorizer's group). */
export const NODES_GROUP = 'system:nodes';
/** Holders of a join token: they may only exchange it for a node credential. */
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
export const AUTHENTICATED_GROUP = 'system:authenticated';
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';

/** The user of the admin token created at the master's first start. */
export const ADMIN_USER = 'skiff-admin';
/** Requests on the loopback-only --insecure-listen port (Kubernetes' old insecure port user). */
export const INSECURE_USER: UserInfo = {
  name: 'system:unsecured',
  groups: [MASTERS_GROUP, AUTHENTICATED_GROUP],
};
export const ANONYMOUS_USER: UserInfo = { name: 'system:anonymous', groups: [UNAUTHENTICATED_GROUP] };

export const NODE_USER_PREFIX = 'system:node:';

export function nodeUserName(nodeName: string): string {
  return `${NODE_USER_PREFIX}${nodeName}`;
}

/** The node a user speaks for (`system:node:<name>` in the nodes group), or undefined. */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.groups.includes(NODES_GROUP) || !user.name.startsWith(NODE_USER_PREFIX)) return undefined;
  const name = user.name.slice(NODE_USER_PREFIX.length);
  return name === '' ? undefined : name;
}

/** The CN of the client certificate the API server presents to agents (logs, exec, attach). */
export const KUBELET_CLIENT_CN = 'skiff-apiserver-kubelet-client';
/** The CN of the API server's serving certificate and of the cluster CA. */
export const APISERVER_CN = 'skiff-apiserver';
export const CA_CN = 'skiff-ca';
