// The master's key for Secrets at rest: <dataDir>/encryption.key, 32 random bytes, owner-only (0600), created on
// first start. It sits beside state.db like k3s keeps its encryption config beside its database: whoever can read
// the data dir as root can read both, but a copied or leaked state.db alone reveals no Secret.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KEY_BYTES } from './aes-gcm.js';

export const ENCRYPTION_KEY_FILE = 'encryption.key';

export interface LoadedKey {
  key: Buffer;
  file: string;
  /** True when this call generated the key. */
  created: boolean;
  /** True when the file was readable by others and has been made owner-only. */
  tightened: boolean;
}

/**
 * Reads the key, or creates it when `mayCreate` allows (the caller refuses when encrypted data already exists: a
 * new key could never read it). Throws when the file is missing and may not be created, or does not hold 32 bytes.
 */
export function loadOrCreateKey(dataDir: string, mayCreate: (file: string) => void = () => {}): LoadedKey {
  const file = path.join(dataDir, ENCRYPTION_KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    mayCreate(file);
    createKeyFile(file);
    return { key: readKey(file), file, created: true, tightened: false };
  }
  let tightened = false;
  if ((fs.statSync(file).mode & 0o077) !== 0) {
    fs.chmodSync(file, 0o600);
    tightened = true;
  }
  return { key: readKey(file), file, created: false, tightened };
}

function readKey(file: string): Buffer {
  const key = fs.readFileSync(file);
  if (key.length !== KEY_BYTES) {
    throw new Error(`${file} must hold ${KEY_BYTES} bytes (an AES-256 key), but it holds ${key.length}`);
  }
  return key;
}

/** Writes a temporary file (0600, synced), then links it into place: never a half-written key, never overwritten. */
function createKeyFile(file: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, randomBytes(KEY_BYTES));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir); // the new name survives a crash too
  } finally {
    fs.closeSync(dir);
  }
}
