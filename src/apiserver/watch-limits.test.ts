// Watch limits over a real socket: too many watches (per client address, in all) get 429 with Retry-After, a
// client that stops reading is dropped, and a watch without timeoutSeconds ends on its own.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../api/registry.js';
import { MemoryStore } from '../store/memory-store.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { createApp } from './app.js';
import { ResourceService } from './resource-service.js';
import { CONFIGMAPS, configMap } from './test-support.js';
import { MAX_BUFFERED_BYTES, MIN_WATCH_TIMEOUT_SECONDS } from './watch-stream.js';
import { WatchLimiter, type WatchLimits } from './watch-limiter.js';

const WATCH = '/api/v1/namespaces/default/configmaps?watch=true';
let servers: http.Server[] = [];

afterEach(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  servers = [];
});

async function serve(watchLimits?: WatchLimits) {
  const store = new MemoryStore();
  const registry = defaultRegistry();
  const clock = new FakeClock();
  const service = new ResourceService({ store, registry, clock });
  await service.ensureSystemNamespaces();
  const server = http.createServer(createApp({ store, registry, clock, service, watchLimits }));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { service, clock, port };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  res: http.IncomingMessage;
  req: http.ClientRequest;
}

function get(port: number, path: string, localAddress = '127.0.0.1'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, res, req }),
    );
    req.on('error', reject);
  });
}

function body(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    res.on('end', () => resolve(text));
  });
}

describe('watch limits', () => {
  it('429 TooManyRequests with Retry-After past the per-client and total limits; a closed watch frees its slot', async () => {
    const { port } = await serve({ perClient: 2, total: 3 });
    const a = await get(port, WATCH);
    const b = await get(port, WATCH);
    expect([a.status, b.status]).toEqual([200, 200]);
    const third = await get(port, WATCH);
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBe('1');
    const status = JSON.parse(await body(third.res));
    expect(status).toMatchObject({
      kind: 'Status',
      reason: 'TooManyRequests',
      code: 429,
      details: { retryAfterSeconds: 1 },
    });
    expect(status.message).toContain('2 watches are open from');

    const other = await get(port, WATCH, '127.0.0.2');
    expect(other.status).toBe(200);
    const overall = await get(port, WATCH, '127.0.0.3');
    expect(overall.status).toBe(429);
    expect(JSON.parse(await body(overall.res)).message).toContain('3 watches are open (limit 3)');

    a.req.destroy();
    let again: Answer;
    for (;;) {
      again = await get(port, WATCH);
      if (again.status === 200) break;
      await body(again.res);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(again.status).toBe(200);
    // Plain requests are not counted.
    expect((await get(port, '/api/v1/namespaces/default/configmaps')).status).toBe(200);
  });

  it('a watch refused for bad input gives its slot back', async () => {
    const { port } = await serve({ perClient: 1, total: 1 });
    for (let i = 0; i < 3; i++) {
      const bad = await get(port, `${WATCH}&resourceVersion=abc`);
      expect(bad.status).toBe(400);
      await body(bad.res);
    }
    expect((await get(port, WATCH)).status).toBe(200);
  });

  it('the limiter counts per client and gives slots back once', () => {
    const limiter = new WatchLimiter({ perClient: 1, total: 2 });
    const release = limiter.acquire('a');
    expect(() => limiter.acquire('a')).toThrow(/limit 1/);
    release();
    release();
    expect(limiter.count()).toBe(0);
    limiter.acquire('a');
    limiter.acquire('b');
    expect(() => limiter.acquire('c')).toThrow(/limit 2/);
    expect(limiter.count('a')).toBe(1);
  });
});

describe('slow and abandoned watch clients', () => {
  it('drops a client that stops reading once 16 MiB wait for it', async () => {
    const { port, service } = await serve();
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(`GET ${WATCH}&resourceVersion=1 HTTP/1.1\r\nHost: x\r\n\r\n`);
    socket.pause(); // never reads while the server writes
    await new Promise((r) => setTimeout(r, 50));
    const value = 'x'.repeat(1024 * 1024);
    const writes = Math.ceil((MAX_BUFFERED_BYTES * 2) / value.length);
    for (let i = 0; i < writes; i++)
      await service.create(CONFIGMAPS, 'default', configMap(`big-${i}`, { value }));
    // Now read what was sent: the stream ends before the last events.
    const received = await new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => {
        chunks.push(c);
        if (c.toString('latin1').endsWith('0\r\n\r\n')) resolve(Buffer.concat(chunks).toString('latin1'));
      });
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
      socket.resume();
    });
    socket.destroy();
    const events = received.split('"type":"ADDED"').length - 1;
    expect(received.startsWith('HTTP/1.1 200')).toBe(true);
    expect(events).toBeGreaterThan(0);
    expect(events).toBeLessThan(writes);
  }, 30_000);

  it('ends a watch that names no timeoutSeconds after 30 to 60 minutes', async () => {
    const { port, clock } = await serve();
    const w = await get(port, WATCH);
    expect(w.status).toBe(200);
    const ended = body(w.res);
    await clock.advance(MIN_WATCH_TIMEOUT_SECONDS * 1000 - 1000);
    let done = false;
    void ended.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    await clock.advance(MIN_WATCH_TIMEOUT_SECONDS * 1000 + 1000);
    await ended;
  });
});
