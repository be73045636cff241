// AES-256-GCM for values at rest, as Kubernetes' aesgcm encryption provider does it
// (k8s.io/apiserver/pkg/storage/value/encrypt/aes): a fresh random 12-byte nonce per write, the 16-byte tag
// appended, and the storage key as additional authenticated data, so a ciphertext copied onto another object's row
// fails to decrypt. The stored text names the scheme and the key, like Kubernetes' `k8s:enc:aescbc:v1:key1:` prefix:
//   k8s:enc:aesgcm:v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>
// The key id is a fingerprint of the key (not the key), so a master with the wrong key says so.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export const ENVELOPE_PREFIX = 'k8s:enc:aesgcm:v1:';
export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A value that could not be decrypted (wrong key, tampered or truncated data, not an envelope at all). */
export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

/** The key's public name: the first 8 bytes of its SHA-256, in hex. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function isEnvelope(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ENVELOPE_PREFIX);
}

export class AesGcm {
  readonly keyId: string;
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`an AES-256 key has ${KEY_BYTES} bytes, not ${key.length}`);
    this.key = Buffer.from(key);
    this.keyId = keyIdOf(key);
  }

  /** Encrypts `plaintext`, bound to `context` (the storage key). */
  encrypt(plaintext: Buffer, context: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const sealed = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `${ENVELOPE_PREFIX}${this.keyId}:${sealed.toString('base64')}`;
  }

  /** The plaintext of an envelope written by encrypt() with the same key and context; DecryptionError otherwise. */
  decrypt(envelope: string, context: string): Buffer {
    if (!isEnvelope(envelope)) throw new DecryptionError('the stored value is not an aesgcm envelope');
    const rest = envelope.slice(ENVELOPE_PREFIX.length);
    const colon = rest.indexOf(':');
    if (colon < 0) throw new DecryptionError('the stored value has no key id');
    const keyId = rest.slice(0, colon);
    if (keyId !== this.keyId) {
      throw new DecryptionError(
        `the value was encrypted with key ${keyId}, but this master has key ${this.keyId}`,
      );
    }
    const sealed = Buffer.from(rest.slice(colon + 1), 'base64');
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError('the stored value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new DecryptionError('message authentication failed');
    }
  }
}
