import { describe, expect, it } from 'vitest';
import {
  defaultUser,
  formatTtl,
  generateSecret,
  generateTokenId,
  groupsOf,
  hashSecret,
  isExpired,
  parseToken,
  secretMatches,
  tokenProblem,
  type TokenRecord,
} from './tokens.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

function record(over: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id: 'abcdef',
    role: 'view',
    user: 'token:abcdef',
    secretHash: hashSecret('0123456789abcdef'),
    created: new Date(NOW).toISOString(),
    ...over,
  };
}

describe('tokens', () => {
  it("have kubeadm's shape: a 6-character id, a dot, a secret (16 for join tokens)", () => {
    expect(generateTokenId()).toMatch(/^[a-z0-9]{6}$/);
    expect(generateSecret('join')).toMatch(/^[a-z0-9]{16}$/);
    expect(generateSecret('admin')).toMatch(/^[a-z0-9]{32}$/);
    expect(new Set(Array.from({ length: 50 }, () => generateSecret('view'))).size).toBe(50);
    expect(parseToken('abcdef.0123456789abcdef')).toEqual({ id: 'abcdef', secret: '0123456789abcdef' });
    for (const bad of ['abcdef', 'ABCDEF.0123456789abcdef', 'abc.0123456789abcdef', 'abcdef.short', 'a b']) {
      expect(parseToken(bad)).toBeUndefined();
    }
  });

  it('are stored as sha256 of the secret and compared in constant time', () => {
    expect(hashSecret('s3cret')).toBe(
      'sha256:1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0',
    );
    expect(hashSecret('s3cret')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hashSecret('s3cret')).not.toContain('s3cret');
    expect(secretMatches(record(), '0123456789abcdef')).toBe(true);
    expect(secretMatches(record(), '0123456789abcdeg')).toBe(false);
    expect(secretMatches({ secretHash: 'sha256:short' }, 'x')).toBe(false);
  });

  it('expire at their expiry time, or never', () => {
    const expires = new Date(NOW + 1000).toISOString();
    expect(isExpired(record(), NOW + 10 ** 12)).toBe(false);
    expect(isExpired(record({ expires }), NOW + 999)).toBe(false);
    expect(isExpired(record({ expires }), NOW + 1000)).toBe(true);
    expect(tokenProblem(record({ expires }), '0123456789abcdef', NOW)).toBeUndefined();
    expect(tokenProblem(record({ expires }), '0123456789abcdef', NOW + 2000)).toBe('token has expired');
    expect(tokenProblem(record(), 'wrong', NOW)).toBe('invalid bearer token');
    expect(tokenProblem(undefined, 'x', NOW)).toBe('invalid bearer token');
  });

  it('authenticate as the user and groups of their role', () => {
    expect(defaultUser('view', 'abcdef')).toBe('token:abcdef');
    expect(defaultUser('admin', 'abcdef')).toBe('token:abcdef');
    expect(defaultUser('join', 'abcdef')).toBe('system:bootstrap:abcdef');
    expect(defaultUser('node', 'abcdef', 'node1')).toBe('system:node:node1');
    expect(() => defaultUser('node', 'abcdef')).toThrow(/node name/);
    expect(groupsOf('admin')).toEqual(['system:masters', 'system:authenticated']);
    expect(groupsOf('view')).toEqual(['skiff:viewers', 'system:authenticated']);
    expect(groupsOf('node')).toEqual(['system:nodes', 'system:authenticated']);
    expect(groupsOf('join')).toEqual(['system:bootstrappers', 'system:authenticated']);
  });

  it('show their time to live like kubeadm token list', () => {
    const at = (ms: number) => ({ expires: new Date(NOW + ms).toISOString() });
    expect(formatTtl({}, NOW)).toBe('<forever>');
    expect(formatTtl(at(-1), NOW)).toBe('<expired>');
    expect(formatTtl(at(45_000), NOW)).toBe('45s');
    expect(formatTtl(at(10 * 60_000), NOW)).toBe('10m');
    expect(formatTtl(at(24 * 3600_000 - 60_000), NOW)).toBe('23h59m');
    expect(formatTtl(at(30 * 24 * 3600_000), NOW)).toBe('30d');
  });
});
