// Bearer tokens, kubeadm's shape: `<id>.<secret>`, a public 6-character id and a secret (16 characters for join
// tokens, as kubeadm's bootstrap tokens; 32 for the others). Only sha256(secret) is ever stored; checking a token
// compares hashes in constant time. A token has a role, which decides the user and groups it authenticates as:
//   admin  skiff-admin (the one made at first start) or token:<id>    system:masters
//   view   token:<id>                                                 skiff:viewers
//   node   system:node:<name> (made when an agent joins)              system:nodes
//   join   system:bootstrap:<id> (exchanged once per node for a node token)   system:bootstrappers
// Pure: ids and secrets come from crypto's random source, times from the caller.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import {
  AUTHENTICATED_GROUP,
  BOOTSTRAPPERS_GROUP,
  MASTERS_GROUP,
  NODES_GROUP,
  VIEWERS_GROUP,
  nodeUserName,
  type UserInfo,
} from './identities.js';

export const TOKEN_ROLES = ['admin', 'view', 'node', 'join'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];
/** Roles `skiff token create` hands out (node tokens only come from joining). */
export const CREATABLE_ROLES: TokenRole[] = ['admin', 'view', 'join'];

export function isTokenRole(value: unknown): value is TokenRole {
  return typeof value === 'string' && (TOKEN_ROLES as readonly string[]).includes(value);
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16,64})$/;
export const TOKEN_ID_RE = /^[a-z0-9]{6}$/;

/** What is stored about a token: everything but the secret, which is kept as its hash. */
export interface TokenRecord {
  id: string;
  role: TokenRole;
  user: string;
  description?: string;
  /** For node tokens: the node it speaks for. */
  nodeName?: string;
  /** `sha256:<hex>` of the secret. */
  secretHash: string;
  /** RFC 3339. */
  created: string;
  /** RFC 3339; absent = never expires. */
  expires?: string;
}

function randomString(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

export function generateTokenId(): string {
  return randomString(6);
}

export function generateSecret(role: TokenRole): string {
  return randomString(role === 'join' ? 16 : 32);
}

export function parseToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

export function hashSecret(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex')}`;
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(record: Pick<TokenRecord, 'secretHash'>, secret: string): boolean {
  const want = Buffer.from(record.secretHash, 'utf8');
  const got = Buffer.from(hashSecret(secret), 'utf8');
  return want.length === got.length && timingSafeEqual(want, got);
}

export function isExpired(record: Pick<TokenRecord, 'expires'>, now: number): boolean {
  return record.expires !== undefined && Date.parse(record.expires) <= now;
}

/** The user a token of this role authenticates as (skiff-admin is passed in by the caller that makes it). */
export function defaultUser(role: TokenRole, id: string, nodeName?: string): string {
  if (role === 'node') {
    if (!nodeName) throw new Error('a node token needs a node name');
    return nodeUserName(nodeName);
  }
  if (role === 'join') return `system:bootstrap:${id}`;
  return `token:${id}`;
}

export function groupsOf(role: TokenRole): string[] {
  switch (role) {
    case 'admin':
      return [MASTERS_GROUP, AUTHENTICATED_GROUP];
    case 'view':
      return [VIEWERS_GROUP, AUTHENTICATED_GROUP];
    case 'node':
      return [NODES_GROUP, AUTHENTICATED_GROUP];
    case 'join':
      return [BOOTSTRAPPERS_GROUP, AUTHENTICATED_GROUP];
  }
}

export function userOf(record: TokenRecord): UserInfo {
  return { name: record.user, groups: groupsOf(record.role) };
}

/** Why a token presented as a bearer credential is refused, or undefined when it authenticates. */
export function tokenProblem(
  record: TokenRecord | undefined,
  secret: string,
  now: number,
): string | undefined {
  if (!record || !secretMatches(record, secret)) return 'invalid bearer token';
  if (isExpired(record, now)) return 'token has expired';
  return undefined;
}

/** A Go-style duration for `token list` (`23h59m`, `6d`); `<forever>` when none. */
export function formatTtl(record: Pick<TokenRecord, 'expires'>, now: number): string {
  if (record.expires === undefined) return '<forever>';
  const ms = Date.parse(record.expires) - now;
  if (ms <= 0) return '<expired>';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d >= 2) return `${d}d`;
  if (d >= 1 || h >= 1) return `${d * 24 + h}h${m ? `${m}m` : ''}`;
  if (m >= 1) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  return `${s}s`;
}
