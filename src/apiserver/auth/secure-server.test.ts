// A secure API server for real (HTTPS on loopback, over a MemoryStore): 401 without a credential, 403 for what a
// role may not do — with kubectl's messages —, the admin credential in admin.kubeconfig, tokens made and revoked
// through /skiff/v1/tokens, a node joining with a join token and then held to its own objects, an expired join
// token refused, the exec upgrade guarded, and the loopback-only plain HTTP port.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { HttpApiClient } from '../../client/http-api-client.js';
import { loadKubeconfig } from '../../cli/kubeconfig.js';
import { MemoryStore } from '../../store/memory-store.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { checkInsecureListen } from '../listen-address.js';
import { startApiServer, type RunningApiServer } from '../server.js';
import { createCertificateRequest, generatePrivateKey, isIssuedBy } from './pki.js';

const dir = mkdtempSync(join(tmpdir(), 'skiff-secure-'));
const store = new MemoryStore();
const clock = new FakeClock(Date.now());
let api: RunningApiServer;
let admin: HttpApiClient;
const clients: HttpApiClient[] = [];

function client(token?: string): HttpApiClient {
  const c = new HttpApiClient({ server: api.url, token, ca: api.credentials!.caPem });
  clients.push(c);
  return c;
}

async function call(c: HttpApiClient, method: string, path: string, body?: unknown) {
  const res = await c.rawRequest(method, path, body === undefined ? {} : { body });
  const text = res.body.toString('utf8');
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const pod = (name: string, nodeName?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...(nodeName ? { nodeName } : {}) },
});

async function newToken(role: string, ttlSeconds?: number): Promise<string> {
  const res = await call(admin, 'POST', '/skiff/v1/tokens', { role, ...(ttlSeconds ? { ttlSeconds } : {}) });
  expect(res.status).toBe(201);
  return res.json.token as string;
}

async function joinAs(nodeName: string, joinToken: string) {
  const csr = await createCertificateRequest(generatePrivateKey(), `system:node:${nodeName}`);
  return call(client(joinToken), 'POST', '/skiff/v1/join', { nodeName, certificateRequest: csr });
}

beforeAll(async () => {
  api = await startApiServer({
    listen: '127.0.0.1:0',
    store,
    clock,
    security: { dataDir: dir, insecureListen: '127.0.0.1:0' },
  });
  admin = client(api.credentials!.adminToken);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a secure API server', () => {
  it('serves HTTPS; without a credential only the public paths answer, everything else is 401', async () => {
    expect(api.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const anonymous = client();
    expect((await call(anonymous, 'GET', '/version')).status).toBe(200);
    expect((await anonymous.rawRequest('GET', '/readyz')).status).toBe(200);
    const info = await call(anonymous, 'GET', '/skiff/v1/cluster-info');
    expect(info.json).toMatchObject({
      certificateAuthority: api.credentials!.caPem,
      caCertHash: api.credentials!.caCertHash,
    });
    for (const path of ['/api', '/api/v1/namespaces/default/pods', '/skiff/v1/tokens']) {
      const res = await call(anonymous, 'GET', path);
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
    expect((await call(client('abcdef.0123456789abcdefghijklmnopqrstuv'), 'GET', '/api')).status).toBe(401);
  });

  it('writes admin.kubeconfig (0600) with the server, the CA and a working admin token', async () => {
    const path = api.credentials!.adminKubeconfig;
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const cfg = loadKubeconfig([{ path, text: readFileSync(path, 'utf8') }], () => undefined);
    expect(cfg).toEqual({
      server: api.url,
      caPem: api.credentials!.caPem,
      token: api.credentials!.adminToken,
      namespace: 'default',
    });
    expect((await call(admin, 'POST', '/api/v1/namespaces/default/pods', pod('by-admin'))).status).toBe(201);
  });

  it('a view token reads but cannot create, and cannot read Secrets', async () => {
    const view = client(await newToken('view'));
    const id = (await call(admin, 'GET', '/skiff/v1/tokens')).json.items.find(
      (t: { role: string }) => t.role === 'view',
    ).id;
    expect((await call(view, 'GET', '/api/v1/namespaces/default/pods')).status).toBe(200);
    const denied = await call(view, 'POST', '/api/v1/namespaces/default/pods', pod('nope'));
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({
      reason: 'Forbidden',
      message: `pods is forbidden: User "token:${id}" cannot create resource "pods" in API group "" in the namespace "default"`,
    });
    expect((await call(view, 'GET', '/api/v1/namespaces/default/secrets')).status).toBe(403);
    expect((await call(view, 'GET', '/skiff/v1/tokens')).status).toBe(403);
    expect((await call(admin, 'GET', '/api/v1/namespaces/default/pods/nope')).status).toBe(404);
  });

  it('a revoked token is refused from the next request on', async () => {
    const token = await newToken('admin');
    const c = client(token);
    expect((await call(c, 'GET', '/api')).status).toBe(200);
    const revoked = await call(admin, 'DELETE', `/skiff/v1/tokens/${token.slice(0, 6)}`);
    expect(revoked.json).toMatchObject({ kind: 'Status', status: 'Success' });
    expect((await call(c, 'GET', '/api')).status).toBe(401);
  });

  it('a node joins with a join token and may then change only what is its own', async () => {
    const joined = await joinAs('n1', await newToken('join', 600));
    expect(joined.status).toBe(201);
    expect(joined.json).toMatchObject({
      kind: 'NodeCredential',
      nodeName: 'n1',
      certificateAuthority: api.credentials!.caPem,
    });
    expect(isIssuedBy(joined.json.certificate, api.credentials!.caPem)).toBe(true);
    const n1 = client(joined.json.token);

    const nodeObj = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    expect((await call(n1, 'POST', '/api/v1/nodes', nodeObj('n1'))).status).toBe(201);
    const other = await call(n1, 'POST', '/api/v1/nodes', nodeObj('n2'));
    expect(other.status).toBe(403);
    expect(other.json.message).toBe(
      'nodes is forbidden: User "system:node:n1" cannot create resource "nodes" in API group "" at the cluster scope: ' +
        'node "n1" is not allowed to modify node "n2"',
    );

    await call(admin, 'POST', '/api/v1/namespaces/default/pods', pod('mine', 'n1'));
    await call(admin, 'POST', '/api/v1/namespaces/default/pods', pod('theirs', 'n2'));
    const mine = (await call(n1, 'GET', '/api/v1/namespaces/default/pods/mine')).json;
    mine.status = { phase: 'Running' };
    expect((await call(n1, 'PUT', '/api/v1/namespaces/default/pods/mine/status', mine)).status).toBe(200);
    const theirs = (await call(n1, 'GET', '/api/v1/namespaces/default/pods/theirs')).json;
    theirs.status = { phase: 'Failed' };
    const refused = await call(n1, 'PUT', '/api/v1/namespaces/default/pods/theirs/status', theirs);
    expect(refused.status).toBe(403);
    expect(refused.json.message).toBe(
      'pods "theirs" is forbidden: User "system:node:n1" cannot update resource "pods/status" in API group "" in ' +
        'the namespace "default": no relationship found between node \'n1\' and this object',
    );
    expect((await call(n1, 'DELETE', '/api/v1/namespaces/default/pods/theirs')).status).toBe(403);
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: pod('x').spec },
      },
    };
    expect((await call(n1, 'POST', '/apis/apps/v1/namespaces/default/deployments', deployment)).status).toBe(
      403,
    );
    expect((await call(n1, 'GET', '/api/v1/namespaces/default/secrets/anything')).status).toBe(403);
    expect((await call(n1, 'GET', '/api/v1/namespaces/default/secrets')).status).toBe(403);
    // the join token does nothing but join
    expect(
      (await call(client(await newToken('join', 60)), 'GET', '/api/v1/namespaces/default/pods')).status,
    ).toBe(403);
  });

  it('joining again replaces the node’s credential; an expired join token is refused with 401', async () => {
    const joinToken = await newToken('join', 60);
    const first = await joinAs('n3', joinToken);
    const second = await joinAs('n3', joinToken);
    expect((await call(client(first.json.token), 'GET', '/api')).status).toBe(401);
    expect((await call(client(second.json.token), 'GET', '/api')).status).toBe(200);
    await clock.advance(61_000);
    const late = await joinAs('n4', joinToken);
    expect(late.status).toBe(401);
    expect(late.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
  });

  it('refuses bad join and token requests with a Status', async () => {
    const joinToken = await newToken('join', 600);
    const bad = await call(client(joinToken), 'POST', '/skiff/v1/join', {
      nodeName: 'Bad_Name',
      certificateRequest: 'x',
    });
    expect(bad.status).toBe(422);
    const noCsr = await call(client(joinToken), 'POST', '/skiff/v1/join', {
      nodeName: 'n5',
      certificateRequest: 'x',
    });
    expect(noCsr.status).toBe(400);
    expect((await call(admin, 'POST', '/skiff/v1/tokens', { role: 'node' })).status).toBe(400);
    expect((await call(admin, 'POST', '/skiff/v1/tokens', { role: 'join', ttlSeconds: 0 })).status).toBe(400);
    expect((await call(admin, 'DELETE', '/skiff/v1/tokens/zzzzzz')).status).toBe(404);
  });

  it('authenticates the exec WebSocket upgrade', async () => {
    await call(admin, 'POST', '/api/v1/namespaces/default/pods', pod('shell', 'n1'));
    const status = (token?: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(
          `${api.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/shell/exec?command=sh&stdout=true`,
          ['v5.channel.k8s.io'],
          { ca: api.credentials!.caPem, headers: token ? { Authorization: `Bearer ${token}` } : {} },
        );
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', reject);
      });
    expect(await status()).toBe(401);
    expect(await status(await newToken('view'))).toBe(403);
  });

  it('serves plain HTTP only on the loopback port, as admin', async () => {
    expect(api.insecureUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const plain = new HttpApiClient({ server: api.insecureUrl! });
    clients.push(plain);
    expect((await call(plain, 'GET', '/api/v1/namespaces/default/pods')).status).toBe(200);
    expect(() => checkInsecureListen('0.0.0.0:8080')).toThrow(/must be a loopback address/);
    expect(() => checkInsecureListen('10.0.0.1:8080')).toThrow(/loopback/);
    expect(checkInsecureListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(checkInsecureListen('localhost:8080')).toEqual({ host: 'localhost', port: 8080 });
  });

  it('keeps its CA and admin credential across a restart', async () => {
    const before = api.credentials!;
    await api.close();
    api = await startApiServer({ listen: '127.0.0.1:0', store, clock, security: { dataDir: dir } });
    expect(api.credentials!.caPem).toBe(before.caPem);
    expect(api.credentials!.adminToken).toBe(before.adminToken);
    admin = client(before.adminToken);
    expect((await call(admin, 'GET', '/api')).status).toBe(200);
  });

  it('makes a new admin credential when admin.kubeconfig is lost, and revokes the old one', async () => {
    const before = api.credentials!;
    rmSync(before.adminKubeconfig);
    await api.close();
    api = await startApiServer({ listen: '127.0.0.1:0', store, clock, security: { dataDir: dir } });
    expect(api.credentials!.adminToken).not.toBe(before.adminToken);
    expect((await call(client(before.adminToken), 'GET', '/api')).status).toBe(401);
    admin = client(api.credentials!.adminToken);
    expect((await call(admin, 'GET', '/api')).status).toBe(200);
  });
});
