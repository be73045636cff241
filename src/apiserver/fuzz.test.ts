// The API server under fuzzing (issue 6): thousands of random and mutated manifests and patches (fuzz-requests.ts)
// against createApp over a MemoryStore, and a smaller run over a SqliteStore. For every request:
//   - no 5xx, and every error answer is a Status with the HTTP code;
//   - a rejected request leaves the store as it was: same revision, same objects (digest);
//   - no prototype pollution;
// and across the run no uncaught exception or unhandled rejection, and the server still answers afterwards.
// FUZZ_RUNS=N sets the MemoryStore run's size (the SQLite run is a sixth of it); the default keeps the file fast.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import type { ResourceRef } from '../client/api-client.js';
import { MemoryStore } from '../store/memory-store.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { createApp } from './app.js';
import { COLLECTIONS, fuzzRequest, MANIFESTS, type FuzzRequest } from './fuzz-requests.js';
import { ResourceService } from './resource-service.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
/** Generous: the store (and so each digest) grows during a run. */
const TIMEOUT_MS = Math.max(120_000, RUNS * 25);
const registry = defaultRegistry();
const PROTOTYPE_KEYS = [Object.prototype, Array.prototype, Function.prototype].map((p) =>
  Object.getOwnPropertyNames(p).sort().join(),
);

const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => uncaught.push(err);
beforeAll(() => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});
afterAll(() => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
});

/** The store's revision and a digest of every object of every resource. */
async function snapshot(store: Store): Promise<{ revision: number; digest: string }> {
  const hash = crypto.createHash('sha256');
  for (const def of registry.all()) {
    const { items } = await store.list({ group: def.group, resource: def.resource });
    hash.update(`${def.group}/${def.resource}:${JSON.stringify(items)}\n`);
  }
  return { revision: await store.revision(), digest: hash.digest('hex') };
}

function refOf(kind: string): ResourceRef {
  const m = MANIFESTS[kind] as KubeObject;
  const def = registry.byKind(m.apiVersion, m.kind)!;
  return { group: def.group, version: def.version, resource: def.resource };
}

/** Puts back any seed object a previous request deleted, so later requests keep hitting real objects. */
async function reseed(service: ResourceService): Promise<void> {
  for (const kind of Object.keys(MANIFESTS)) {
    const m = MANIFESTS[kind] as KubeObject;
    const namespace = COLLECTIONS[kind].includes('/namespaces/default/') ? 'default' : undefined;
    try {
      await service.get(refOf(kind), namespace, m.metadata.name ?? '');
    } catch {
      await service.create(refOf(kind), namespace, structuredClone(m)).catch(() => undefined);
    }
  }
}

function send(server: http.Server, r: FuzzRequest) {
  let req = request(server)[r.method.toLowerCase() as 'get'](r.path);
  for (const [k, v] of Object.entries(r.headers)) req = req.set(k, v);
  // Raw bytes, exactly as generated (supertest would re-encode objects).
  if (r.body !== undefined) req = req.send(r.body);
  return req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

interface Target {
  store: Store;
  service: ResourceService;
  server: http.Server;
}

async function target(store: Store): Promise<Target> {
  const clock = new FakeClock();
  const service = new ResourceService({ store, registry, clock });
  await service.ensureSystemNamespaces();
  await reseed(service);
  const server = http.createServer(createApp({ store, registry, clock, service }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { store, service, server };
}

async function fuzz(t: Target, numRuns: number, seed?: number): Promise<Record<number, number>> {
  const codes: Record<number, number> = {};
  await fc.assert(
    fc.asyncProperty(fuzzRequest, async (r) => {
      await reseed(t.service);
      const before = await snapshot(t.store);
      const res = await send(t.server, r);
      codes[res.status] = (codes[res.status] ?? 0) + 1;
      const what = `${r.method} ${r.path} (${r.headers['Content-Type'] ?? 'no content type'}) → ${res.status}`;
      const text = (res.body as Buffer).toString('utf8');
      expect(res.status, `${what}: ${text.slice(0, 500)}`).toBeLessThan(500);
      if (res.status >= 400) {
        const status = JSON.parse(text);
        expect(status, what).toMatchObject({ kind: 'Status', status: 'Failure', code: res.status });
        expect(text, what).not.toMatch(/\n\s+at .+:\d+:\d+/);
        expect(await snapshot(t.store), `${what}: ${status.message}`).toEqual(before);
      }
      const prototypes = [Object.prototype, Array.prototype, Function.prototype].map((p) =>
        Object.getOwnPropertyNames(p).sort().join(),
      );
      expect(prototypes, what).toEqual(PROTOTYPE_KEYS);
      expect(({} as Record<string, unknown>).polluted, what).toBeUndefined();
    }),
    { numRuns, seed, endOnFailure: true },
  );
  expect(uncaught).toEqual([]);
  // Still serving, and everything stored is readable.
  await request(t.server).get('/readyz').expect(200);
  for (const def of registry.all()) {
    const url = def.group
      ? `/apis/${def.group}/${def.version}/${def.resource}`
      : `/api/${def.version}/${def.resource}`;
    await request(t.server).get(url).expect(200);
  }
  return codes;
}

async function close(t: Target): Promise<void> {
  t.server.closeAllConnections();
  await new Promise((r) => t.server.close(r));
  await t.store.close();
}

describe('API server fuzzing', () => {
  it(
    `${RUNS} random requests over a MemoryStore: no 5xx, no crash, rejected requests change nothing`,
    async () => {
      const t = await target(new MemoryStore());
      try {
        const codes = await fuzz(t, RUNS);
        // The run covers both outcomes: plenty of refusals and real writes.
        expect(Object.keys(codes).some((c) => Number(c) >= 400)).toBe(true);
        expect(Object.keys(codes).some((c) => Number(c) < 300)).toBe(true);
      } finally {
        await close(t);
      }
    },
    TIMEOUT_MS,
  );

  it(
    `${Math.ceil(RUNS / 6)} random requests over a SqliteStore`,
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-fuzz-'));
      const t = await target(SqliteStore.open({ dataDir: dir }));
      try {
        await fuzz(t, Math.ceil(RUNS / 6));
      } finally {
        await close(t);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    TIMEOUT_MS,
  );
});
