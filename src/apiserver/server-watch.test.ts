import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store.js';
import { startApiServer, type RunningApiServer } from './server.js';
import { configMap, CONFIGMAPS, pod, PODS } from './test-support.js';

const TABLE =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

interface WatchClient {
  res: http.IncomingMessage;
  next(): Promise<any>;
  ended: Promise<void>;
  close(): void;
}

function openWatch(base: string, path: string, headers: Record<string, string> = {}): Promise<WatchClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${path}`, { headers }, (res) => {
      const queue: any[] = [];
      const waiters: ((v: any) => void)[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const ev = JSON.parse(line);
          const w = waiters.shift();
          if (w) w(ev);
          else queue.push(ev);
        }
      });
      const ended = new Promise<void>((r) => res.on('end', () => r()));
      resolve({
        res,
        next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r))),
        ended,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

let server: RunningApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(store = new MemoryStore()) {
  server = await startApiServer({ listen: '127.0.0.1:0', store });
  return { server, store };
}

describe('watch over HTTP', () => {
  it('streams chunked JSON lines: synthetic ADDED at RV 0, then live changes', async () => {
    const { server } = await start();
    await server.service.create(CONFIGMAPS, 'default', configMap('a'));
    const w = await openWatch(
      server.url,
      '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0',
    );
    expect(w.res.statusCode).toBe(200);
    expect(w.res.headers['content-type']).toBe('application/json');
    expect(w.res.headers['transfer-encoding']).toBe('chunked');
    const first = await w.next();
    expect(first).toMatchObject({
      type: 'ADDED',
      object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'a' } },
    });
    await server.service.create(CONFIGMAPS, 'default', configMap('b'));
    expect(await w.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'b' } } });
    await server.service.delete(CONFIGMAPS, 'default', 'a');
    const del = await w.next();
    expect(del.type).toBe('DELETED');
    expect(del.object.kind).toBe('ConfigMap');
    w.close();
  });

  it('resumes from a resourceVersion and stops the store watch when the client leaves', async () => {
    const { server, store } = await start();
    const a = await server.service.create(CONFIGMAPS, 'default', configMap('a'));
    await server.service.create(CONFIGMAPS, 'default', configMap('b'));
    const w = await openWatch(
      server.url,
      `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${a.metadata.resourceVersion}`,
    );
    expect(await w.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'b' } } });
    expect(store.watcherCount()).toBe(1);
    w.close();
    for (let i = 0; i < 50 && store.watcherCount() > 0; i++) await new Promise((r) => setImmediate(r));
    expect(store.watcherCount()).toBe(0);
  });

  it('answers a too-old resourceVersion with 200 and a 410 ERROR event, then ends', async () => {
    const { server } = await start(new MemoryStore({ historySize: 2 }));
    for (let i = 0; i < 10; i++) await server.service.create(CONFIGMAPS, 'default', configMap(`c${i}`));
    const w = await openWatch(
      server.url,
      '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2',
    );
    expect(w.res.statusCode).toBe(200);
    const ev = await w.next();
    expect(ev).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired', status: 'Failure' },
    });
    await w.ended;
  });

  it('honours timeoutSeconds (with a final bookmark) and keeps streams without it open', async () => {
    const { server } = await start();
    const open = await openWatch(server.url, '/api/v1/namespaces/default/pods?watch=true');
    const timed = await openWatch(
      server.url,
      '/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1&allowWatchBookmarks=true&fieldSelector=metadata.name%3Dx',
    );
    const bookmark = await timed.next();
    expect(bookmark).toMatchObject({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1' } });
    await timed.ended;
    await server.service.create(PODS, 'default', pod('late'));
    expect(await open.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'late' } } });
    open.close();
  });

  it('sends Table events (one row each) for kubectl get -w', async () => {
    const { server } = await start();
    await server.service.create(PODS, 'default', pod('web'));
    const w = await openWatch(server.url, '/api/v1/namespaces/default/pods/web?watch=true', {
      Accept: TABLE,
    });
    const ev = await w.next();
    expect(ev.type).toBe('ADDED');
    expect(ev.object.kind).toBe('Table');
    expect(ev.object.rows).toHaveLength(1);
    expect(ev.object.rows[0].cells[0]).toBe('web');
    expect(ev.object.rows[0].object.metadata.name).toBe('web');
    await server.service.bind('default', 'web', { target: { name: 'n1' } });
    const mod = await w.next();
    expect(mod.type).toBe('MODIFIED');
    expect(mod.object.rows[0].cells).toHaveLength(mod.object.columnDefinitions.length);
    await server.service.delete(PODS, 'default', 'web', { gracePeriodSeconds: 0 });
    const del = await w.next();
    expect(del.type).toBe('DELETED');
    expect(del.object.rows[0].cells[0]).toBe('web');
    w.close();
  });

  it('serializes one store event once for many watchers', async () => {
    const { server } = await start();
    const watchers = await Promise.all(
      Array.from({ length: 20 }, () =>
        openWatch(server.url, '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1'),
      ),
    );
    const stringify = JSON.stringify;
    let calls = 0;
    JSON.stringify = ((...args: Parameters<typeof stringify>) => {
      calls++;
      return stringify(...args);
    }) as typeof JSON.stringify;
    try {
      await server.service.create(CONFIGMAPS, 'default', configMap('shared'));
      const events = await Promise.all(watchers.map((w) => w.next()));
      expect(events.every((e) => e.object.metadata.name === 'shared')).toBe(true);
    } finally {
      JSON.stringify = stringify;
    }
    // the store writes its row (1) and the stream serializes the event once, not 20 times
    expect(calls).toBeLessThan(5);
    for (const w of watchers) w.close();
  });

  it('close() ends open watches so the process can exit', async () => {
    const { server: s } = await start();
    const w = await openWatch(s.url, '/api/v1/namespaces/default/pods?watch=true');
    await s.close();
    server = undefined;
    await w.ended;
  });

  it('rejects a bad selector with a 400 Status instead of a stream', async () => {
    const { server } = await start();
    const w = await openWatch(
      server.url,
      '/api/v1/namespaces/default/pods?watch=true&labelSelector=a%20in%20(',
    );
    expect(w.res.statusCode).toBe(400);
    w.close();
  });
});
