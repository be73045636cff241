// Tokens in the cluster store: shown once, kept only as hashes, refused once expired or revoked (at once), gone
// from the list after expiry, and one node credential per node.
import { beforeEach, describe, expect, it } from 'vitest';
import { isApiError } from '../../common/errors.js';
import { MemoryStore } from '../../store/memory-store.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { TOKEN_GROUP, TOKEN_RESOURCE, TokenStore } from './token-store.js';

let store: MemoryStore;
let clock: FakeClock;
let tokens: TokenStore;

beforeEach(() => {
  store = new MemoryStore();
  clock = new FakeClock(Date.parse('2026-06-01T00:00:00Z'));
  tokens = new TokenStore({ store, clock });
});

async function refusal(token: string): Promise<unknown> {
  return tokens.authenticate(token).then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('the token store', () => {
  it('authenticates a new token as its role’s user; only its hash is stored', async () => {
    const issued = await tokens.create({ role: 'view', description: 'for bob' });
    expect(issued.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{32}$/);
    expect(issued.info).toEqual({
      id: issued.token.slice(0, 6),
      role: 'view',
      user: `token:${issued.token.slice(0, 6)}`,
      description: 'for bob',
      created: '2026-06-01T00:00:00.000Z',
    });
    const { user, record } = await tokens.authenticate(issued.token);
    expect(user).toEqual({
      name: `token:${issued.info.id}`,
      groups: ['skiff:viewers', 'system:authenticated'],
    });
    expect(record.role).toBe('view');
    const stored = await store.list({ group: TOKEN_GROUP, resource: TOKEN_RESOURCE });
    const text = JSON.stringify(stored);
    expect(text).not.toContain(issued.token.slice(7));
    expect(text).toContain('sha256:');
  });

  it('refuses wrong, malformed, expired and revoked tokens with 401', async () => {
    const issued = await tokens.create({ role: 'join', ttlMs: 60_000 });
    expect(issued.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(issued.info.expires).toBe('2026-06-01T00:01:00.000Z');
    await tokens.authenticate(issued.token);
    for (const bad of [`${issued.info.id}.0000000000000000`, 'nonsense', 'zzzzzz.0123456789abcdef']) {
      expect(isApiError(await refusal(bad), 'Unauthorized')).toBe(true);
    }
    await clock.advance(60_000);
    expect(isApiError(await refusal(issued.token), 'Unauthorized')).toBe(true);

    const other = await tokens.create({ role: 'admin' });
    await tokens.authenticate(other.token);
    await tokens.revoke(other.info.id);
    expect(isApiError(await refusal(other.token), 'Unauthorized')).toBe(true);
  });

  it('lists tokens without secrets, and revoking an unknown id is 404', async () => {
    const a = await tokens.create({ role: 'admin', user: 'skiff-admin' });
    const b = await tokens.create({ role: 'view' });
    const list = await tokens.list();
    expect(list.map((r) => r.id).sort()).toEqual([a.info.id, b.info.id].sort());
    expect(list.find((r) => r.id === a.info.id)?.user).toBe('skiff-admin');
    const err = await tokens.revoke('nope00').catch((e: unknown) => e);
    expect(isApiError(err, 'NotFound')).toBe(true);
    expect((err as Error).message).toBe('tokens.auth.skiff.io "nope00" not found');
  });

  it('removes expired tokens when the next one is made', async () => {
    const old = await tokens.create({ role: 'join', ttlMs: 1000 });
    await clock.advance(2000);
    expect((await tokens.list()).map((r) => r.id)).toEqual([old.info.id]);
    await tokens.create({ role: 'view' });
    expect((await tokens.list()).map((r) => r.id)).not.toContain(old.info.id);
  });

  it('keeps one node credential per node', async () => {
    const first = await tokens.create({ role: 'node', nodeName: 'n1' });
    const other = await tokens.create({ role: 'node', nodeName: 'n2' });
    const second = await tokens.create({ role: 'node', nodeName: 'n1' });
    expect((await tokens.authenticate(second.token)).user.name).toBe('system:node:n1');
    await tokens.revokeNodeTokens('n1', second.info.id);
    expect(isApiError(await refusal(first.token), 'Unauthorized')).toBe(true);
    await tokens.authenticate(second.token);
    await tokens.authenticate(other.token);
  });
});
