// Durability under kill -9: a child process (src/store/crash-writer.ts) creates pods through SqliteStore and
// prints each name once its create resolved; we SIGKILL it mid-stream, reopen the store, and every acknowledged
// pod must be there, the revision must count every committed write, and the file must pass integrity_check.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const writer = path.join(root, 'dist/src/store/crash-writer.js');
const dirs: string[] = [];

afterEach(() => {
  while (dirs.length) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
});

beforeAll(() => {
  // Compile just the writer and what it imports (a few files, ~2 s) into dist/, with the project's compiler
  // settings, so other folders' work in progress cannot break or slow this test.
  execFileSync(
    'npx',
    [
      'tsc',
      ...['--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--lib', 'ES2023'],
      ...['--types', 'node', '--strict', '--esModuleInterop', '--skipLibCheck', '--sourceMap'],
      ...['--rootDir', '.', '--outDir', 'dist', 'src/store/crash-writer.ts'],
    ],
    { cwd: root, stdio: 'pipe' },
  );
});

/** Runs the writer until it has acknowledged `killAfter` creates, then SIGKILLs it. Returns the acknowledged names. */
function writeAndKill(
  dataDir: string,
  killAfter: number,
): Promise<{ acked: string[]; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    let partial = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      acked.push(...lines);
      if (acked.length >= killAfter && child.exitCode === null) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}: ${stderr}`));
      else resolve({ acked, signal });
    });
  });
}

describe('SqliteStore under kill -9', () => {
  it.each([1, 150, 600])('keeps every acknowledged write when killed after %i acks', async (killAfter) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-crash-'));
    dirs.push(dataDir);
    const { acked, signal } = await writeAndKill(dataDir, killAfter);
    expect(signal).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(killAfter);

    const db = new Database(path.join(dataDir, 'state.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    const store = SqliteStore.open({ dataDir });
    try {
      for (const name of acked) {
        const pod = await store.get({ group: '', resource: 'pods', namespace: 'default', name });
        expect(pod?.metadata.name).toBe(name);
      }
      // Writes past the last ack may also have committed, but never a hole: pod-0 … pod-(n-1), revision n.
      const { items, revision } = await store.list({ group: '', resource: 'pods', namespace: 'default' });
      expect(revision).toBe(items.length);
      expect(items.length).toBeGreaterThanOrEqual(acked.length);
      const names = new Set(items.map((o) => o.metadata.name));
      for (let i = 0; i < items.length; i++) expect(names.has(`pod-${i}`)).toBe(true);
      // The store keeps working after the crash.
      const next = await store.create(
        { group: '', resource: 'pods', namespace: 'default', name: 'after-crash' },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'after-crash', namespace: 'default' } },
      );
      expect(next.metadata.resourceVersion).toBe(String(revision + 1));
    } finally {
      await store.close();
    }
  });
});
