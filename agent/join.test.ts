// Joining a real (in-process, HTTPS) master: the CA pinned by its hash, the credential saved with private
// permissions and used on the next start without a join token, a wrong pin or an expired join token refused, and a
// node whose master was reset joining again.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpApiClient } from '../src/client/http-api-client.js';
import { systemClock } from '../src/common/clock.js';
import { certificateInfo, isIssuedBy } from '../src/apiserver/auth/pki.js';
import { startApiServer, type RunningApiServer } from '../src/apiserver/server.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { FakeClock } from '../test/fakes/fake-clock.js';
import { RecordingLogger } from '../test/fakes/recording-logger.js';
import { ensureNodeCredentials, readSavedCredentials, type JoinOptions } from './join.js';

const tmp = mkdtempSync(join(tmpdir(), 'skiff-join-'));
const serverClock = new FakeClock(Date.now());
let api: RunningApiServer;
let n = 0;

async function master(name: string): Promise<RunningApiServer> {
  return startApiServer({
    listen: '127.0.0.1:0',
    store: new MemoryStore(),
    clock: serverClock,
    security: { dataDir: join(tmp, name) },
  });
}

async function joinToken(server = api, ttlMs = 600_000): Promise<string> {
  return (await server.credentials!.tokens.create({ role: 'join', ttlMs })).token;
}

function options(over: Partial<JoinOptions> = {}): JoinOptions & { logger: RecordingLogger } {
  return {
    masterUrl: api.url,
    nodeName: 'n1',
    dataDir: join(tmp, `agent-${n++}`),
    clock: systemClock,
    logger: new RecordingLogger(),
    ...over,
  } as JoinOptions & { logger: RecordingLogger };
}

async function works(url: string, token: string, ca: string): Promise<number> {
  const c = new HttpApiClient({ server: url, token, ca });
  try {
    return (await c.rawRequest('GET', '/api/v1/nodes')).status;
  } finally {
    c.close();
  }
}

beforeAll(async () => {
  api = await master('master-a');
});

afterAll(async () => {
  await api.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('joining the cluster', () => {
  it('pins the CA by its hash, exchanges the join token and saves the credential privately', async () => {
    const opts = options({ joinToken: await joinToken(), caCertHash: api.credentials!.caCertHash });
    const creds = await ensureNodeCredentials(opts);
    expect(creds.nodeName).toBe('n1');
    expect(creds.caPem).toBe(api.credentials!.caPem);
    expect(certificateInfo(creds.serving.cert).commonName).toBe('system:node:n1');
    expect(isIssuedBy(creds.serving.cert, creds.caPem)).toBe(true);
    expect(await works(api.url, creds.token, creds.caPem)).toBe(200);
    const mode = (f: string) => statSync(join(opts.dataDir, f)).mode & 0o777;
    expect(mode('pki')).toBe(0o700);
    expect(mode('pki/agent.key')).toBe(0o600);
    expect(mode('node-token')).toBe(0o600);
    expect(opts.logger.records.map((r) => r.msg)).toContain('joined the cluster');
    expect(opts.logger.records.some((r) => r.level === 'warn')).toBe(false);

    // The next start needs no join token and no master: the saved credential is used as it is.
    const again = await ensureNodeCredentials({
      ...opts,
      joinToken: undefined,
      masterUrl: 'https://127.0.0.1:1',
    });
    expect(again).toEqual(creds);
    expect(readSavedCredentials(opts.dataDir)).toEqual(creds);
  });

  it('refuses a master whose CA does not have the pinned hash', async () => {
    const opts = options({ joinToken: await joinToken(), caCertHash: `sha256:${'0'.repeat(64)}` });
    await expect(ensureNodeCredentials(opts)).rejects.toThrow(/not the pinned sha256:0000/);
    expect(readSavedCredentials(opts.dataDir)).toBeUndefined();
  });

  it('trusts the CA on first use without a hash, and says so', async () => {
    const opts = options({ joinToken: await joinToken() });
    const creds = await ensureNodeCredentials(opts);
    expect(creds.caPem).toBe(api.credentials!.caPem);
    const warning = opts.logger.records.find((r) => r.level === 'warn');
    expect(warning?.msg).toMatch(/trusting the CA the master sent on first use/);
    expect(warning?.fields.caCertHash).toBe(api.credentials!.caCertHash);
  });

  it('takes the CA from --ca-file, checking it against the hash when both are given', async () => {
    const creds = await ensureNodeCredentials(
      options({
        joinToken: await joinToken(),
        caPem: api.credentials!.caPem,
        caCertHash: api.credentials!.caCertHash,
      }),
    );
    expect(creds.caPem).toBe(api.credentials!.caPem);
    const other = await master('master-other');
    try {
      await expect(
        ensureNodeCredentials(options({ joinToken: await joinToken(), caPem: other.credentials!.caPem })),
      ).rejects.toThrow(/not signed by the cluster CA the agent trusts/);
      await expect(
        ensureNodeCredentials(
          options({
            joinToken: await joinToken(),
            caPem: other.credentials!.caPem,
            caCertHash: api.credentials!.caCertHash,
          }),
        ),
      ).rejects.toThrow(/the CA in --ca-file has hash/);
    } finally {
      await other.close();
    }
  });

  it('refuses an expired or revoked join token with the 401 explained', async () => {
    const expiring = await joinToken(api, 1000);
    await serverClock.advance(2000);
    await expect(
      ensureNodeCredentials(options({ joinToken: expiring, caCertHash: api.credentials!.caCertHash })),
    ).rejects.toThrow(/refused the join token \(401 Unauthorized: expired, revoked or mistyped\)/);
    const revoked = await joinToken();
    await api.credentials!.tokens.revoke(revoked.slice(0, 6));
    await expect(
      ensureNodeCredentials(options({ joinToken: revoked, caCertHash: api.credentials!.caCertHash })),
    ).rejects.toThrow(/refused the join token/);
  });

  it('cannot start without a credential or a join token', async () => {
    await expect(ensureNodeCredentials(options())).rejects.toThrow(
      /no node credential in .* --token <join token>/,
    );
  });

  it('joins again when its master was reset (new CA) and it is given a new join token', async () => {
    const opts = options({ joinToken: await joinToken(), caCertHash: api.credentials!.caCertHash });
    const first = await ensureNodeCredentials(opts);
    const reset = await master('master-reset');
    try {
      const second = await ensureNodeCredentials({
        ...opts,
        masterUrl: reset.url,
        joinToken: await joinToken(reset),
        caCertHash: reset.credentials!.caCertHash,
      });
      expect(second.caPem).toBe(reset.credentials!.caPem);
      expect(second.token).not.toBe(first.token);
      expect(await works(reset.url, second.token, second.caPem)).toBe(200);
      expect(readSavedCredentials(opts.dataDir)).toEqual(second);
    } finally {
      await reset.close();
    }
  });

  it('joins again under a new node name', async () => {
    const opts = options({ joinToken: await joinToken(), caCertHash: api.credentials!.caCertHash });
    await ensureNodeCredentials(opts);
    const renamed = await ensureNodeCredentials({ ...opts, nodeName: 'n9' });
    expect(renamed.nodeName).toBe('n9');
    expect(certificateInfo(renamed.serving.cert).commonName).toBe('system:node:n9');
  });
});
