// Test kit for the Store contract suites (store-contract.test.ts, store-watch.test.ts): both implementations
// behind one factory type, plus small helpers. No test framework imports, so it is plain code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../api/types.js';
import { ApiError } from '../common/errors.js';
import { MemoryStore } from './memory-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store, StoreEvent, StoreKey, StoreScope } from './store.js';

export type StoreFactory = (opts?: { historySize?: number }) => Store;

/** Both implementations as [name, factory]; each store opened is closed (and its temp dir removed) via `track`. */
export function storeImplementations(track: (cleanup: () => unknown) => void): Array<[string, StoreFactory]> {
  const memory: StoreFactory = (opts) => {
    const store = new MemoryStore(opts);
    track(() => store.close());
    return store;
  };
  const sqlite: StoreFactory = (opts) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-store-'));
    track(() => fs.rmSync(dir, { recursive: true, force: true }));
    const store = SqliteStore.open({ dataDir: dir, ...opts });
    track(() => store.close());
    return store;
  };
  return [
    ['MemoryStore', memory],
    ['SqliteStore', sqlite],
  ];
}

export const podKey = (name: string, namespace = 'default'): StoreKey => ({
  group: '',
  resource: 'pods',
  namespace,
  name,
});

export const pods = (namespace?: string): StoreScope => ({ group: '', resource: 'pods', namespace });

export function pod(name: string, namespace = 'default', image = 'busybox:local'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image }] },
  };
}

/** The ApiError a promise rejects with; throws if it resolves or rejects with anything else. */
export async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const outcome = await p.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) throw new Error('expected a rejection, but the promise resolved');
  if (!(outcome.error instanceof ApiError)) throw outcome.error;
  return outcome.error;
}

/** Starts a watch that records its events. */
export function collect(
  store: Store,
  scope: StoreScope,
  from: number,
): { events: StoreEvent[]; stop: () => void } {
  const events: StoreEvent[] = [];
  const w = store.watch(scope, from, (e) => events.push(e));
  return { events, stop: () => w.stop() };
}

/** Events as `revision TYPE namespace/name`, for readable assertions. */
export const summary = (events: StoreEvent[]): string[] =>
  events.map((e) => `${e.revision} ${e.type} ${e.key.namespace}/${e.key.name}`);
