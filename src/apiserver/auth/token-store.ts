// Where tokens live: objects in the cluster store under a group of their own (auth.skiff.io/tokens, cluster-scoped,
// one per token id), like Kubernetes keeps bootstrap tokens as Secrets in kube-system — but no route serves that
// group, so they are reachable only through /skiff/v1/tokens (admins) and never leave the master. They survive
// restarts with the store; the secret is never stored, only its sha256. Each authentication reads the store, so a
// revocation (a delete) counts from the next request. Expired tokens are refused at once and removed at the next
// `create` (Kubernetes' token cleaner).
import type { KubeObject } from '../../api/types.js';
import type { Clock } from '../../common/clock.js';
import { isApiError, notFound, unauthorized } from '../../common/errors.js';
import type { Store, StoreKey } from '../../store/store.js';
import type { UserInfo } from './identities.js';
import {
  defaultUser,
  generateSecret,
  generateTokenId,
  hashSecret,
  isExpired,
  isTokenRole,
  parseToken,
  tokenProblem,
  userOf,
  type TokenRecord,
  type TokenRole,
} from './tokens.js';

export const TOKEN_GROUP = 'auth.skiff.io';
export const TOKEN_RESOURCE = 'tokens';
const GR = { group: TOKEN_GROUP, resource: TOKEN_RESOURCE };

export interface CreateTokenOptions {
  role: TokenRole;
  /** Lifetime; absent = never expires. */
  ttlMs?: number;
  description?: string;
  /** Overrides the role's default user name (the first admin token is `skiff-admin`). */
  user?: string;
  /** Node tokens: the node they speak for. */
  nodeName?: string;
}

/** What a caller may see of a token: everything but the secret's hash. */
export type TokenInfo = Omit<TokenRecord, 'secretHash'>;

export interface IssuedToken {
  /** `<id>.<secret>`, shown once. */
  token: string;
  info: TokenInfo;
}

function keyOf(id: string): StoreKey {
  return { group: TOKEN_GROUP, resource: TOKEN_RESOURCE, namespace: '', name: id };
}

function toObject(record: TokenRecord): KubeObject {
  const { id, ...spec } = record;
  return {
    apiVersion: `${TOKEN_GROUP}/v1`,
    kind: 'Token',
    metadata: { name: id, creationTimestamp: record.created },
    spec,
  };
}

function fromObject(obj: KubeObject): TokenRecord | undefined {
  const spec = obj.spec as Partial<TokenRecord> | undefined;
  const id = obj.metadata?.name;
  if (!id || !spec || !isTokenRole(spec.role) || typeof spec.secretHash !== 'string') return undefined;
  return {
    id,
    role: spec.role,
    user: String(spec.user ?? ''),
    secretHash: spec.secretHash,
    created: String(spec.created ?? ''),
    ...(spec.description ? { description: String(spec.description) } : {}),
    ...(spec.nodeName ? { nodeName: String(spec.nodeName) } : {}),
    ...(spec.expires ? { expires: String(spec.expires) } : {}),
  };
}

export function publicInfo(record: TokenRecord): TokenInfo {
  const { secretHash: _hash, ...info } = record;
  return info;
}

export class TokenStore {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  async create(opts: CreateTokenOptions): Promise<IssuedToken> {
    await this.pruneExpired();
    const now = this.deps.clock.now();
    for (;;) {
      const id = generateTokenId();
      const secret = generateSecret(opts.role);
      const record: TokenRecord = {
        id,
        role: opts.role,
        user: opts.user ?? defaultUser(opts.role, id, opts.nodeName),
        secretHash: hashSecret(secret),
        created: new Date(now).toISOString(),
        ...(opts.description ? { description: opts.description } : {}),
        ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
        ...(opts.ttlMs !== undefined ? { expires: new Date(now + opts.ttlMs).toISOString() } : {}),
      };
      try {
        await this.deps.store.create(keyOf(id), toObject(record));
        return { token: `${id}.${secret}`, info: publicInfo(record) };
      } catch (err) {
        if (!isApiError(err, 'AlreadyExists')) throw err;
        // 36^6 ids: a collision is rare; draw another.
      }
    }
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const obj = await this.deps.store.get(keyOf(id));
    return obj ? fromObject(obj) : undefined;
  }

  async list(): Promise<TokenRecord[]> {
    const { items } = await this.deps.store.list({ group: TOKEN_GROUP, resource: TOKEN_RESOURCE });
    return items.map(fromObject).filter((r): r is TokenRecord => r !== undefined);
  }

  /** Deletes a token; 404 when there is none with that id. */
  async revoke(id: string): Promise<TokenRecord> {
    const record = await this.get(id);
    if (!record) throw notFound(GR, id);
    try {
      await this.deps.store.delete(keyOf(id));
    } catch (err) {
      if (isApiError(err, 'NotFound')) throw notFound(GR, id);
      throw err;
    }
    return record;
  }

  /** Revokes every node token of `nodeName` but `keepId` (a node that joins again replaces its credential). */
  async revokeNodeTokens(nodeName: string, keepId?: string): Promise<void> {
    for (const r of await this.list()) {
      if (r.role === 'node' && r.nodeName === nodeName && r.id !== keepId) await this.revokeQuietly(r.id);
    }
  }

  async pruneExpired(): Promise<void> {
    const now = this.deps.clock.now();
    for (const r of await this.list()) if (isExpired(r, now)) await this.revokeQuietly(r.id);
  }

  /** The record and user behind a bearer token; 401 Unauthorized for anything unknown, wrong or expired. */
  async authenticate(token: string): Promise<{ record: TokenRecord; user: UserInfo }> {
    const parsed = parseToken(token);
    if (!parsed) throw unauthorized();
    const record = await this.get(parsed.id);
    if (tokenProblem(record, parsed.secret, this.deps.clock.now()) || !record) throw unauthorized();
    return { record, user: userOf(record) };
  }

  private async revokeQuietly(id: string): Promise<void> {
    await this.deps.store.delete(keyOf(id)).catch((err: unknown) => {
      if (!isApiError(err, 'NotFound')) throw err;
    });
  }
}
