import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  unlinkSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA_DIR_NAME, writeAtomically } from './atomic-writer.js';
import type { Payload } from './volume-payload.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const payload = (files: Record<string, string | [string, number]>): Payload =>
  new Map(
    Object.entries(files).map(([p, v]) => {
      const [text, mode] = typeof v === 'string' ? [v, 0o644] : v;
      return [p, { data: Buffer.from(text), mode }];
    }),
  );
const read = (p: string) => readFileSync(join(dir, p), 'utf8');
const timestamped = () => readdirSync(dir).filter((e) => e.startsWith('..') && e !== DATA_DIR_NAME);

describe('writeAtomically', () => {
  it('writes a timestamped directory, ..data pointing at it, and a link per visible name', async () => {
    expect(
      await writeAtomically(
        dir,
        payload({ password: ['pw', 0o400], 'db/host': 'h' }),
        '2026_11_30_04_59_00.000',
      ),
    ).toBe(true);
    const [ts] = timestamped();
    expect(ts).toMatch(/^\.\.2026_11_30_04_59_00\.000\./);
    expect(readlinkSync(join(dir, DATA_DIR_NAME))).toBe(ts);
    expect(readlinkSync(join(dir, 'password'))).toBe('..data/password');
    expect(readlinkSync(join(dir, 'db'))).toBe('..data/db');
    expect(read('password')).toBe('pw');
    expect(read('db/host')).toBe('h');
    expect(statSync(join(dir, ts)).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, ts, 'db')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'password')).mode & 0o777).toBe(0o400);
    expect(statSync(join(dir, 'db/host')).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir).sort()).toEqual(['..data', ts, 'db', 'password'].sort());
  });

  it('changes nothing when the files already match', async () => {
    await writeAtomically(dir, payload({ a: '1' }), 's1');
    const before = timestamped();
    expect(await writeAtomically(dir, payload({ a: '1' }), 's2')).toBe(false);
    expect(timestamped()).toEqual(before);
  });

  it('swaps in new content, drops names that are gone and the old directory', async () => {
    await writeAtomically(dir, payload({ a: '1', b: '2' }), 's1');
    const [old] = timestamped();
    expect(await writeAtomically(dir, payload({ a: '10', c: '3' }), 's2')).toBe(true);
    const [now] = timestamped();
    expect(now).not.toBe(old);
    expect(timestamped()).toHaveLength(1);
    expect(read('a')).toBe('10');
    expect(read('c')).toBe('3');
    expect(existsSync(join(dir, 'b'))).toBe(false);
    // A mode change alone is a change too.
    expect(await writeAtomically(dir, payload({ a: ['10', 0o600], c: '3' }), 's3')).toBe(true);
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o600);
  });

  it('handles an empty payload (an optional volume whose object is missing)', async () => {
    await writeAtomically(dir, payload({ a: '1' }), 's1');
    expect(await writeAtomically(dir, new Map(), 's2')).toBe(true);
    expect(readdirSync(dir).filter((e) => !e.startsWith('..'))).toEqual([]);
  });

  it('repairs what an interrupted write left: leftover directories, a missing link', async () => {
    mkdirSync(join(dir, '..stale.abc'));
    await writeAtomically(dir, payload({ a: '1' }), 's1');
    expect(readdirSync(dir)).not.toContain('..stale.abc');
    unlinkSync(join(dir, 'a'));
    expect(await writeAtomically(dir, payload({ a: '1' }), 's2')).toBe(false);
    expect(lstatSync(join(dir, 'a')).isSymbolicLink()).toBe(true);
    expect(read('a')).toBe('1');
  });

  it('refuses paths that would escape the volume', async () => {
    await expect(writeAtomically(dir, payload({ '../escape': 'x' }), 's')).rejects.toThrow(
      "must not contain '..'",
    );
    expect(existsSync(join(dir, '..', 'escape'))).toBe(false);
  });
});
