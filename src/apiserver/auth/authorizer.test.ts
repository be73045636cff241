// The three roles as decision tables, the Node authorizer's rules over a small cluster graph, and the Forbidden
// messages kubectl prints.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { createAuthorizer, forbiddenError, type Decision } from './authorizer.js';
import { ANONYMOUS_USER, INSECURE_USER, type UserInfo } from './identities.js';
import type { NodeGraph } from './node-authorizer.js';
import { requestAttributes } from './request-info.js';
import { groupsOf } from './tokens.js';

function pod(
  ns: string,
  name: string,
  nodeName: string | undefined,
  spec: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: ns, name },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...(nodeName ? { nodeName } : {}), ...spec },
  };
}

const PODS = [
  pod('default', 'web-1', 'n1', {
    volumes: [
      { name: 'creds', secret: { secretName: 'db-creds' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } },
    ],
    containers: [{ name: 'c', image: 'x', envFrom: [{ configMapRef: { name: 'web-config' } }] }],
  }),
  pod('default', 'api-1', 'n2', { volumes: [{ name: 's', secret: { secretName: 'api-key' } }] }),
  pod('default', 'pending', undefined),
];

const graph: NodeGraph = {
  pod: async (ns, name) => PODS.find((p) => p.metadata.namespace === ns && p.metadata.name === name),
  podsOnNode: async (node, ns) =>
    PODS.filter((p) => p.metadata.namespace === ns && p.spec?.nodeName === node),
};

const authorizer = createAuthorizer({ graph });
const user = (role: 'admin' | 'view' | 'join', name = `token:abc123`): UserInfo => ({
  name,
  groups: groupsOf(role),
});
const node = (name: string): UserInfo => ({ name: `system:node:${name}`, groups: groupsOf('node') });

async function decide(u: UserInfo, method: string, url: string, objectName?: string): Promise<Decision> {
  return authorizer.authorize({ user: u, attributes: requestAttributes(method, url), objectName });
}

const allowed = async (u: UserInfo, method: string, url: string, objectName?: string) =>
  (await decide(u, method, url, objectName)).allowed;

describe('admin and view', () => {
  it('admins (and the insecure loopback port) may do everything', async () => {
    for (const u of [user('admin'), INSECURE_USER]) {
      expect(await allowed(u, 'POST', '/apis/apps/v1/namespaces/default/deployments')).toBe(true);
      expect(await allowed(u, 'GET', '/api/v1/namespaces/default/secrets/db-creds')).toBe(true);
      expect(await allowed(u, 'GET', '/api/v1/namespaces/default/pods/web-1/exec')).toBe(true);
      expect(await allowed(u, 'DELETE', '/skiff/v1/tokens/abcdef')).toBe(true);
    }
  });

  it.each([
    ['GET', '/api/v1/namespaces/default/pods', true],
    ['GET', '/api/v1/pods?watch=true', true],
    ['GET', '/apis/apps/v1/namespaces/default/deployments/web', true],
    ['GET', '/api/v1/namespaces/default/pods/web-1/log', true],
    ['GET', '/apis/apps/v1/namespaces/default/deployments/web/scale', true],
    ['GET', '/api/v1/nodes', true],
    ['GET', '/api', true],
    ['GET', '/openapi/v3', true],
    ['POST', '/api/v1/namespaces/default/pods', false],
    ['PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', false],
    ['DELETE', '/api/v1/namespaces/default/pods/web-1', false],
    ['GET', '/api/v1/namespaces/default/pods/web-1/exec?command=sh', false],
    ['GET', '/api/v1/namespaces/default/secrets', false],
    ['GET', '/api/v1/namespaces/default/secrets/db-creds', false],
    ['GET', '/skiff/v1/tokens', false],
    ['POST', '/skiff/v1/join', false],
  ])('view: %s %s → %s', async (method, url, want) => {
    expect(await allowed(user('view'), method, url)).toBe(want);
  });

  it('join tokens may only join; anyone may read the public paths', async () => {
    const join = user('join', 'system:bootstrap:abcdef');
    expect(await allowed(join, 'POST', '/skiff/v1/join')).toBe(true);
    expect(await allowed(join, 'GET', '/api/v1/namespaces/default/pods')).toBe(false);
    expect(await allowed(join, 'POST', '/skiff/v1/tokens')).toBe(false);
    for (const path of ['/version', '/healthz', '/skiff/v1/cluster-info'])
      expect(await allowed(ANONYMOUS_USER, 'GET', path)).toBe(true);
    expect(await allowed(ANONYMOUS_USER, 'GET', '/api')).toBe(false);
    expect(await allowed(ANONYMOUS_USER, 'GET', '/api/v1/namespaces/default/pods')).toBe(false);
  });
});

describe('the Node authorizer', () => {
  it.each([
    // reads every kubelet and kube-proxy needs
    ['GET', '/api/v1/nodes', undefined, true],
    ['GET', '/api/v1/nodes/n2', undefined, true],
    ['GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1&watch=true', undefined, true],
    ['GET', '/api/v1/services?watch=true', undefined, true],
    ['GET', '/api/v1/endpoints', undefined, true],
    ['GET', '/apis/discovery.k8s.io/v1/endpointslices', undefined, true],
    // its own Node, its status, its Lease
    ['POST', '/api/v1/nodes', 'n1', true],
    ['PUT', '/api/v1/nodes/n1', undefined, true],
    ['PUT', '/api/v1/nodes/n1/status', undefined, true],
    ['PATCH', '/api/v1/nodes/n1/status', undefined, true],
    ['POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', 'n1', true],
    ['GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', undefined, true],
    ['PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', undefined, true],
    // other nodes' Node and Lease
    ['POST', '/api/v1/nodes', 'n2', false],
    ['POST', '/api/v1/nodes', undefined, false],
    ['PUT', '/api/v1/nodes/n2', undefined, false],
    ['PUT', '/api/v1/nodes/n2/status', undefined, false],
    ['DELETE', '/api/v1/nodes/n1', undefined, false],
    ['PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n2', undefined, false],
    ['PUT', '/apis/coordination.k8s.io/v1/namespaces/default/leases/n1', undefined, false],
    // Events
    ['POST', '/api/v1/namespaces/default/events', 'x', true],
    ['PATCH', '/api/v1/namespaces/default/events/x', undefined, true],
    ['GET', '/api/v1/namespaces/default/events', undefined, false],
    // its pods: status and completing deletion; nobody else's
    ['PUT', '/api/v1/namespaces/default/pods/web-1/status', undefined, true],
    ['DELETE', '/api/v1/namespaces/default/pods/web-1', undefined, true],
    ['PUT', '/api/v1/namespaces/default/pods/api-1/status', undefined, false],
    ['DELETE', '/api/v1/namespaces/default/pods/api-1', undefined, false],
    ['PUT', '/api/v1/namespaces/default/pods/pending/status', undefined, false],
    ['PUT', '/api/v1/namespaces/default/pods/web-1', undefined, false],
    ['POST', '/api/v1/namespaces/default/pods', 'mirror', false],
    ['POST', '/api/v1/namespaces/default/pods/web-1/eviction', undefined, false],
    ['GET', '/api/v1/namespaces/default/pods/web-1/exec?command=sh', undefined, false],
    ['GET', '/api/v1/namespaces/default/pods/web-1/log', undefined, false],
    // what its pods use, and nothing else
    ['GET', '/api/v1/namespaces/default/secrets/db-creds', undefined, true],
    [
      'GET',
      '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Ddb-creds&watch=1',
      undefined,
      true,
    ],
    ['GET', '/api/v1/namespaces/default/configmaps/web-config', undefined, true],
    ['GET', '/api/v1/namespaces/default/persistentvolumeclaims/data-web-1', undefined, true],
    ['PATCH', '/api/v1/namespaces/default/persistentvolumeclaims/data-web-1', undefined, true],
    ['PATCH', '/api/v1/namespaces/default/persistentvolumeclaims/data-web-1/status', undefined, true],
    ['GET', '/api/v1/namespaces/default/secrets/api-key', undefined, false],
    ['GET', '/api/v1/namespaces/other/secrets/db-creds', undefined, false],
    ['GET', '/api/v1/namespaces/default/secrets', undefined, false],
    ['PUT', '/api/v1/namespaces/default/secrets/db-creds', undefined, false],
    ['DELETE', '/api/v1/namespaces/default/persistentvolumeclaims/data-web-1', undefined, false],
    // workloads and everything else
    ['POST', '/apis/apps/v1/namespaces/default/deployments', 'web', false],
    ['PATCH', '/apis/apps/v1/namespaces/default/deployments/web', undefined, false],
    ['GET', '/apis/apps/v1/namespaces/default/deployments', undefined, false],
    ['DELETE', '/api/v1/namespaces/default', undefined, false],
    ['GET', '/skiff/v1/tokens', undefined, false],
    // discovery
    ['GET', '/apis', undefined, true],
  ])('system:node:n1 %s %s (%s) → %s', async (method, url, objectName, want) => {
    expect(await allowed(node('n1'), method, url, objectName)).toBe(want);
  });

  it('says why a node was refused', async () => {
    expect(await decide(node('n1'), 'PUT', '/api/v1/namespaces/default/pods/api-1/status')).toEqual({
      allowed: false,
      reason: "no relationship found between node 'n1' and this object",
    });
    expect(await decide(node('n1'), 'PUT', '/api/v1/nodes/n2')).toEqual({
      allowed: false,
      reason: 'node "n1" is not allowed to modify node "n2"',
    });
  });
});

describe('Forbidden messages', () => {
  const n1 = node('n1');
  it('word the refusal as the Kubernetes API server does', () => {
    const status = (method: string, url: string, reason?: string) =>
      forbiddenError(n1, requestAttributes(method, url), reason).toStatus();
    expect(
      status(
        'PUT',
        '/api/v1/namespaces/default/pods/x/status',
        "no relationship found between node 'n1' and this object",
      ),
    ).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'pods "x" is forbidden: User "system:node:n1" cannot update resource "pods/status" in API group "" in the ' +
        'namespace "default": no relationship found between node \'n1\' and this object',
      reason: 'Forbidden',
      details: { name: 'x', group: '', kind: 'pods' },
      code: 403,
    });
    expect(status('POST', '/apis/apps/v1/namespaces/default/deployments').message).toBe(
      'deployments.apps is forbidden: User "system:node:n1" cannot create resource "deployments" in API group "apps" ' +
        'in the namespace "default"',
    );
    expect(status('GET', '/api/v1/nodes/n2').message).toBe(
      'nodes "n2" is forbidden: User "system:node:n1" cannot get resource "nodes" in API group "" at the cluster scope',
    );
    expect(status('GET', '/skiff/v1/tokens').message).toBe(
      'forbidden: User "system:node:n1" cannot get path "/skiff/v1/tokens"',
    );
  });
});
