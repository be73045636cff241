import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENCRYPTION_KEY_FILE, loadOrCreateKey } from './encryption-key.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-key-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('loadOrCreateKey', () => {
  it('creates 32 random bytes, owner-only, on first start and reads the same key afterwards', () => {
    const first = loadOrCreateKey(dir);
    const file = path.join(dir, ENCRYPTION_KEY_FILE);
    expect(first).toMatchObject({ file, created: true, tightened: false });
    expect(first.key).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([ENCRYPTION_KEY_FILE]); // no temporary file left behind
    const again = loadOrCreateKey(dir);
    expect(again.created).toBe(false);
    expect(again.key.equals(first.key)).toBe(true);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-key-'));
    try {
      expect(loadOrCreateKey(other).key.equals(first.key)).toBe(false);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('makes a key file readable by others owner-only', () => {
    const { file } = loadOrCreateKey(dir);
    fs.chmodSync(file, 0o644);
    expect(loadOrCreateKey(dir).tightened).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a key file that does not hold 32 bytes', () => {
    fs.writeFileSync(path.join(dir, ENCRYPTION_KEY_FILE), 'short', { mode: 0o600 });
    expect(() => loadOrCreateKey(dir)).toThrow('must hold 32 bytes (an AES-256 key), but it holds 5');
  });

  it('lets the caller veto creating a key', () => {
    expect(() =>
      loadOrCreateKey(dir, () => {
        throw new Error('vetoed');
      }),
    ).toThrow('vetoed');
    expect(fs.existsSync(path.join(dir, ENCRYPTION_KEY_FILE))).toBe(false);
  });
});
