// Security by default, end to end: a real master (HTTPS, its own CA) and an agent that joined with a join token,
// driven by stock kubectl. The kubeconfig `skiff kubeconfig` writes works with no extra flags (get, apply, logs,
// exec); a view token is Forbidden to create; no token is Unauthorized; the agent's node credential cannot touch
// another node's pod, a Deployment or a Secret; an expired join token is refused; the agent API answers only the
// master.
import https from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKubeconfig } from '../../src/cli/kubeconfig.js';
import { CLI, Cluster, KUBECTL, requireBuild, run, waitFor, type RunResult } from './harness.js';

const cluster = new Cluster();
let node = '';

beforeAll(async () => {
  requireBuild();
  await cluster.startMaster();
  node = await cluster.startAgent();
});

afterAll(async () => {
  await cluster.destroy();
});

/** Stock kubectl with a kubeconfig of our own and its own cache dir (or another kubeconfig's: `cache`). */
function kubectl(kubeconfig: string, args: string[], input?: string, cache = kubeconfig): Promise<RunResult> {
  return run(KUBECTL, ['--cache-dir', join(cluster.dir, `cache-${cache.split('/').pop()}`), ...args], {
    env: { KUBECONFIG: kubeconfig },
    input,
  });
}

function writeKubeconfig(name: string, text: string): string {
  const path = join(cluster.dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

const podYaml = (name: string, nodeName?: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 2
${nodeName ? `  nodeName: ${nodeName}\n` : ''}  containers:
    - name: main
      image: skiff/busybox:1
      command: ['sh', '-c', 'echo hello from ${name}; sleep 3600']
`;

describe('security by default', () => {
  it('the kubeconfig from `skiff kubeconfig` works with stock kubectl over HTTPS, no extra flags', async () => {
    const out = await cluster.skiff(['kubeconfig']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`server: ${cluster.url}`);
    expect(out.stdout).toContain('certificate-authority-data:');
    expect(out.stdout).toMatch(/token: \S+/);
    const kc = writeKubeconfig('admin.kubeconfig', out.stdout);

    const nodes = await kubectl(kc, ['get', 'nodes']);
    expect(nodes.stderr).toBe('');
    expect(nodes.stdout).toMatch(new RegExp(`${node}\\s+Ready`));
    const applied = await kubectl(kc, ['apply', '-f', '-'], podYaml('secure-web'));
    expect(applied.stdout).toBe('pod/secure-web created\n');
    await waitFor(
      'secure-web Running',
      async () =>
        (await cluster.getJson('/api/v1/namespaces/default/pods/secure-web'))?.status?.phase === 'Running',
      60_000,
    );
    await waitFor(
      'its log',
      async () => (await kubectl(kc, ['logs', 'secure-web'])).stdout === 'hello from secure-web\n',
    );
    const exec = await kubectl(kc, ['exec', 'secure-web', '--', 'sh', '-c', 'echo from exec; id -u']);
    expect(exec.stderr).toBe('');
    expect(exec.stdout).toBe('from exec\n0\n');
  });

  it('a view token reads but is Forbidden to create', async () => {
    const token = (
      await cluster.skiff(['token', 'create', '--role', 'view', '--description', 'e2e viewer'])
    ).stdout.trim();
    // How a remote user gets a kubeconfig: the master's address, the token, and the CA pinned by its hash.
    const hash = /--ca-cert-hash (\S+)/.exec(
      (await cluster.skiff(['token', 'create', '--join', '--print-join-command'])).stdout,
    )![1];
    const out = await run(process.execPath, [
      CLI,
      '--server',
      cluster.url,
      '--token',
      token,
      'kubeconfig',
      '--ca-cert-hash',
      hash,
    ]);
    expect(out.stderr).toBe('');
    const kc = writeKubeconfig('view.kubeconfig', out.stdout);
    const list = await kubectl(kc, ['get', 'pods']);
    expect(list.stderr).toBe('');
    expect(list.stdout).toMatch(/secure-web/);
    const created = await kubectl(kc, ['create', 'deployment', 'nope', '--image', 'skiff/busybox:1']);
    expect(created.code).not.toBe(0);
    expect(created.stderr).toBe(
      `error: failed to create deployment: deployments.apps is forbidden: User "token:${token.slice(0, 6)}" cannot ` +
        'create resource "deployments" in API group "apps" in the namespace "default"\n',
    );
    const run1 = await kubectl(kc, ['run', 'nope', '--image', 'skiff/busybox:1']);
    expect(run1.stderr).toMatch(
      /^Error from server \(Forbidden\): pods is forbidden: User "token:\w{6}" cannot create/,
    );
    const secrets = await kubectl(kc, ['get', 'secrets']);
    expect(secrets.stderr).toMatch(/^Error from server \(Forbidden\): secrets is forbidden/);
    const exec = await kubectl(kc, ['exec', 'secure-web', '--', 'true']);
    expect(exec.stderr).toMatch(/forbidden: User "token:\w{6}" cannot create resource "pods\/exec"/);
  });

  it('no token, or a revoked one: 401, and kubectl must log in', async () => {
    const raw = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      https
        .get(`${cluster.url}/api/v1/namespaces/default/pods`, { ca: cluster.caPem }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
    expect(raw.code).toBe(401);
    expect(JSON.parse(raw.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });

    // A kubeconfig user without a token. (With no credential of any kind kubectl first prompts for a username on
    // stdin; a username and password — which skiff does not accept — make it send the request as it is.)
    const tokenless = writeKubeconfig(
      'tokenless.kubeconfig',
      renderKubeconfig({ server: cluster.url, name: 'anon', caPem: cluster.caPem }).replace(
        'user: {}',
        'user: {username: nobody, password: guess}',
      ),
    );
    // With discovery cached (as it is for anyone who used the cluster before), the refused request is the GET.
    const r = await kubectl(tokenless, ['get', 'pods'], undefined, 'admin.kubeconfig');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe('error: You must be logged in to the server (Unauthorized)\n');
    // With an empty cache kubectl's discovery fails first and words the same 401 in its own way.
    const cold = await kubectl(tokenless, ['get', 'pods']);
    expect(cold.stderr.trimEnd().split('\n').at(-1)).toMatch(
      /^error: You must be logged in to the server \(/,
    );

    const token = (await cluster.skiff(['token', 'create', '--role', 'admin'])).stdout.trim();
    const kc = writeKubeconfig(
      'revoked.kubeconfig',
      renderKubeconfig({ server: cluster.url, name: 'revoked', caPem: cluster.caPem, token }),
    );
    expect((await kubectl(kc, ['get', 'pods'])).code).toBe(0);
    expect((await cluster.skiff(['token', 'revoke', token.slice(0, 6)])).code).toBe(0);
    const revoked = await kubectl(kc, ['get', 'pods']);
    expect(revoked.stderr.trimEnd().split('\n').at(-1)).toBe(
      'error: You must be logged in to the server (Unauthorized)',
    );
  });

  it("the agent's node credential cannot change another node's pod, any Deployment or any Secret", async () => {
    const nodeToken = readFileSync(join(cluster.dir, 'agent-n1', 'node-token'), 'utf8').trim();
    const kc = writeKubeconfig(
      'node.kubeconfig',
      renderKubeconfig({ server: cluster.url, name: 'node', caPem: cluster.caPem, token: nodeToken }),
    );
    const admin = join(cluster.dir, 'admin.kubeconfig');
    expect((await kubectl(admin, ['apply', '-f', '-'], podYaml('elsewhere', 'some-other-node'))).code).toBe(
      0,
    );
    const user = `system:node:${node}`;
    const del = await kubectl(kc, ['delete', 'pod', 'elsewhere', '--wait=false']);
    expect(del.stderr).toBe(
      `Error from server (Forbidden): pods "elsewhere" is forbidden: User "${user}" cannot delete resource "pods" ` +
        `in API group "" in the namespace "default": no relationship found between node '${node}' and this object\n`,
    );
    const label = await kubectl(kc, ['label', 'pod', 'secure-web', 'x=y']);
    expect(label.stderr).toMatch(/^Error from server \(Forbidden\): pods "secure-web" is forbidden/);
    const deploy = await kubectl(kc, ['create', 'deployment', 'evil', '--image', 'skiff/busybox:1']);
    expect(deploy.stderr).toMatch(/deployments\.apps is forbidden: User "system:node:\S+" cannot create/);
    const secret = await kubectl(kc, ['get', 'secret', 'anything']);
    expect(secret.stderr).toMatch(/^Error from server \(Forbidden\): secrets "anything" is forbidden/);
    // its own Node it may read and update
    expect((await kubectl(kc, ['get', 'node', node])).code).toBe(0);
  });

  it('refuses an expired join token', async () => {
    const token = (await cluster.skiff(['token', 'create', '--join', '--ttl', '1s'])).stdout.trim();
    await new Promise((r) => setTimeout(r, 1500));
    const agent = await run(
      process.execPath,
      [
        CLI,
        'agent',
        '--master',
        cluster.url,
        '--token',
        token,
        '--node-name',
        `${cluster.id}-late`,
        '--data-dir',
        join(cluster.dir, 'agent-late'),
        '--pod-network',
        'bridge',
        '--no-proxy',
      ],
      { timeoutMs: 30_000 },
    );
    expect(agent.code).not.toBe(0);
    expect(agent.stderr + agent.stdout).toMatch(/refused the join token \(401 Unauthorized/);
  });

  it('the agent API answers only the master', async () => {
    const n = await cluster.getJson(`/api/v1/nodes/${node}`);
    const port = n.status.daemonEndpoints.kubeletEndpoint.Port as number;
    const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      https
        .get(
          {
            host: '127.0.0.1',
            port,
            path: '/containerLogs/default/secure-web/main',
            ca: cluster.caPem,
            checkServerIdentity: () => undefined,
          },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
          },
        )
        .on('error', reject);
    });
    expect(status.code).toBe(401);
    expect(JSON.parse(status.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
  });
});
