// `skiff token` and `skiff kubeconfig` against a secure in-process API server (HTTPS, tokens, roles), reached the
// way a user reaches it: through a kubeconfig.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startApiServer, type RunningApiServer } from '../../apiserver/server.js';
import { MemoryStore } from '../../store/memory-store.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { testCli } from '../cli-test-support.js';
import { renderKubeconfig } from '../kubeconfig.js';
import { renderTokenList } from './token.js';

const dir = mkdtempSync(join(tmpdir(), 'skiff-cli-token-'));
const clock = new FakeClock(Date.now());
let api: RunningApiServer;
let files: Record<string, string>;

const cli = (extra: Record<string, string> = {}) => testCli({ files: { ...files, ...extra }, clock });

beforeAll(async () => {
  api = await startApiServer({
    listen: '127.0.0.1:0',
    store: new MemoryStore(),
    clock,
    security: { dataDir: dir },
  });
  files = {
    '/admin.kubeconfig': renderKubeconfig({
      server: api.url,
      name: 'skiff',
      token: api.credentials!.adminToken,
      caPem: api.credentials!.caPem,
    }),
    '/ca.crt': api.credentials!.caPem,
  };
});

afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('skiff token', () => {
  it('creates a view token that reads and cannot write', async () => {
    const made = await cli().run(
      '--kubeconfig',
      '/admin.kubeconfig',
      'token',
      'create',
      '--description',
      'bob',
    );
    expect(made.code).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{32}$/);
    const asBob = (...args: string[]) =>
      cli().run('--server', api.url, '--certificate-authority', '/ca.crt', '--token', token, ...args);
    expect((await asBob('get', 'pods')).stderr).toBe('No resources found in default namespace.\n');
    const denied = await asBob('run', 'x', '--image', 'busybox');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toBe(
      `Error from server (Forbidden): pods is forbidden: User "token:${token.slice(0, 6)}" cannot create resource ` +
        '"pods" in API group "" in the namespace "default"\n',
    );
  });

  it('creates join tokens, kubeadm style, and prints the join command with the CA hash', async () => {
    const plain = await cli().run(
      '--kubeconfig',
      '/admin.kubeconfig',
      'token',
      'create',
      '--join',
      '--ttl',
      '1h',
    );
    expect(plain.stdout).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}\n$/);
    const cmd = await cli().run(
      '--kubeconfig',
      '/admin.kubeconfig',
      'token',
      'create',
      '--join',
      '--print-join-command',
    );
    expect(cmd.stdout).toMatch(
      new RegExp(
        `^skiff agent --master ${api.url} --token [a-z0-9]{6}\\.[a-z0-9]{16} --ca-cert-hash ${api.credentials!.caCertHash}\\n$`,
      ),
    );
    const bad = await cli().run(
      '--kubeconfig',
      '/admin.kubeconfig',
      'token',
      'create',
      '--join',
      '--role',
      'admin',
    );
    expect(bad.stderr).toBe('error: --join and --role do not go together (a join token has the join role)\n');
    const forever = await cli().run(
      '--kubeconfig',
      '/admin.kubeconfig',
      'token',
      'create',
      '--join',
      '--ttl',
      '0',
    );
    expect(forever.stderr).toBe('error: a join token must expire: give --ttl > 0\n');
  });

  it('lists tokens without secrets and revokes one at once', async () => {
    const made = (
      await cli().run(
        '--kubeconfig',
        '/admin.kubeconfig',
        'token',
        'create',
        '--role',
        'admin',
        '--ttl',
        '2h',
      )
    ).stdout.trim();
    const id = made.slice(0, 6);
    const list = await cli().run('--kubeconfig', '/admin.kubeconfig', 'token', 'list');
    expect(list.stdout.split('\n')[0]).toMatch(/^ID +ROLE +USER +TTL +EXPIRES +DESCRIPTION$/);
    expect(list.stdout).toMatch(new RegExp(`${id} +admin +token:${id} +2h +\\S+ +<none>`));
    expect(list.stdout).toMatch(
      / +admin +skiff-admin +<forever> +<never> +admin credential made by the master/,
    );
    expect(list.stdout).not.toContain(made.slice(7));
    expect((await cli().run('--kubeconfig', '/admin.kubeconfig', 'token', 'revoke', made)).stdout).toBe(
      `token "${id}" revoked\n`,
    );
    const after = await cli().run(
      '--server',
      api.url,
      '--certificate-authority',
      '/ca.crt',
      '--token',
      made,
      'get',
      'pods',
    );
    expect(after.stderr).toBe('error: You must be logged in to the server (Unauthorized)\n');
    const again = await cli().run('--kubeconfig', '/admin.kubeconfig', 'token', 'revoke', id);
    expect(again.stderr).toBe(`Error from server (NotFound): tokens.auth.skiff.io "${id}" not found\n`);
  });

  it('is for admins only', async () => {
    const view = (await cli().run('--kubeconfig', '/admin.kubeconfig', 'token', 'create')).stdout.trim();
    const res = await cli().run(
      '--server',
      api.url,
      '--certificate-authority',
      '/ca.crt',
      '--token',
      view,
      'token',
      'list',
    );
    expect(res.stderr).toBe(
      `Error from server (Forbidden): forbidden: User "token:${view.slice(0, 6)}" cannot get path "/skiff/v1/tokens"\n`,
    );
  });

  it('renders an empty list', () => {
    expect(renderTokenList([], 0)).toBe('No tokens.\n');
  });
});

describe('skiff kubeconfig', () => {
  it('copies what the admin kubeconfig says, CA and token included', async () => {
    const res = await cli().run('--kubeconfig', '/admin.kubeconfig', 'kubeconfig');
    const cfg = parse(res.stdout);
    expect(cfg.clusters[0].cluster).toEqual({
      server: api.url,
      'certificate-authority-data': Buffer.from(api.credentials!.caPem).toString('base64'),
    });
    expect(cfg.users[0].user).toEqual({ token: api.credentials!.adminToken });
  });

  it('fetches the CA of a remote master and checks it against --ca-cert-hash', async () => {
    const ok = await cli().run(
      '--server',
      api.url,
      '--token',
      'abcdef.0123456789abcdef',
      'kubeconfig',
      '--ca-cert-hash',
      api.credentials!.caCertHash,
    );
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe('');
    expect(
      Buffer.from(parse(ok.stdout).clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
    ).toBe(api.credentials!.caPem);
    const wrong = await cli().run(
      '--server',
      api.url,
      '--token',
      't',
      'kubeconfig',
      '--ca-cert-hash',
      `sha256:${'1'.repeat(64)}`,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/the server's CA has hash sha256:[0-9a-f]{64}, not sha256:1111/);
    const tofu = await cli().run('--server', api.url, '--token', 't', 'kubeconfig');
    expect(tofu.stderr).toBe(
      `warning: trusting the CA ${api.url} sent (${api.credentials!.caCertHash}); pass --ca-cert-hash to check it\n`,
    );
  });
});
