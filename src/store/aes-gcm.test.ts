import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcm, DecryptionError, ENVELOPE_PREFIX, isEnvelope, keyIdOf } from './aes-gcm.js';

const key = randomBytes(32);
const cipher = new AesGcm(key);
const CONTEXT = 'secrets/default/db';

/** Flips one bit of the sealed bytes at `index` (negative: from the end). */
function flip(envelope: string, index: number): string {
  const cut = envelope.lastIndexOf(':') + 1;
  const sealed = Buffer.from(envelope.slice(cut), 'base64');
  sealed[index < 0 ? sealed.length + index : index] ^= 0x01;
  return envelope.slice(0, cut) + sealed.toString('base64');
}

describe('AesGcm', () => {
  it('round-trips any bytes, bound to the context', () => {
    for (const plain of [Buffer.alloc(0), Buffer.from('{"data":{"k":"dg=="}}'), randomBytes(70_000)]) {
      const envelope = cipher.encrypt(plain, CONTEXT);
      expect(cipher.decrypt(envelope, CONTEXT).equals(plain)).toBe(true);
    }
  });

  it('writes k8s:enc:aesgcm:v1:<key id>:<base64> and never the plaintext', () => {
    const envelope = cipher.encrypt(Buffer.from('correct horse battery staple'), CONTEXT);
    expect(envelope.startsWith(`${ENVELOPE_PREFIX}${keyIdOf(key)}:`)).toBe(true);
    expect(isEnvelope(envelope)).toBe(true);
    expect(cipher.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(envelope).not.toContain('horse');
    expect(envelope).not.toContain(Buffer.from('correct horse').toString('base64').slice(0, 12));
  });

  it('uses a fresh nonce for every write, so equal plaintexts never give equal ciphertexts', () => {
    const plain = Buffer.from('same value');
    const envelopes = Array.from({ length: 500 }, () => cipher.encrypt(plain, CONTEXT));
    const nonces = envelopes.map((e) =>
      Buffer.from(e.slice(e.lastIndexOf(':') + 1), 'base64')
        .subarray(0, 12)
        .toString('hex'),
    );
    expect(new Set(nonces).size).toBe(500);
    expect(new Set(envelopes).size).toBe(500);
  });

  it('detects tampering anywhere: nonce, ciphertext, tag', () => {
    const envelope = cipher.encrypt(Buffer.from('top secret value'), CONTEXT);
    for (const at of [0, 11, 12, 20, -1, -16]) {
      expect(() => cipher.decrypt(flip(envelope, at), CONTEXT)).toThrow(
        new DecryptionError('message authentication failed'),
      );
    }
  });

  it('refuses a ciphertext moved to another object (the context is authenticated)', () => {
    const envelope = cipher.encrypt(Buffer.from('v'), CONTEXT);
    expect(() => cipher.decrypt(envelope, 'secrets/default/other')).toThrow('message authentication failed');
  });

  it('refuses another key, naming both key ids', () => {
    const other = new AesGcm(randomBytes(32));
    const envelope = other.encrypt(Buffer.from('v'), CONTEXT);
    expect(() => cipher.decrypt(envelope, CONTEXT)).toThrow(
      `the value was encrypted with key ${other.keyId}, but this master has key ${cipher.keyId}`,
    );
    // A forged key id does not help either.
    const forged = envelope.replace(other.keyId, cipher.keyId);
    expect(() => cipher.decrypt(forged, CONTEXT)).toThrow('message authentication failed');
  });

  it('refuses what is not an envelope, or is truncated', () => {
    expect(() => cipher.decrypt('{"data":{}}', CONTEXT)).toThrow('not an aesgcm envelope');
    expect(() => cipher.decrypt(`${ENVELOPE_PREFIX}nokeyid`, CONTEXT)).toThrow('has no key id');
    expect(() => cipher.decrypt(`${ENVELOPE_PREFIX}${cipher.keyId}:AAAA`, CONTEXT)).toThrow('truncated');
  });

  it('takes only 32-byte keys', () => {
    expect(() => new AesGcm(randomBytes(16))).toThrow('an AES-256 key has 32 bytes, not 16');
  });
});
