import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { HttpApiClient } from './http-api-client.js';
import { LineSplitter, errorFromResponse, parseWatchLine } from './http-response.js';
import { NODES, PODS, type WatchEvent } from './api-client.js';
import { ApiError } from '../common/errors.js';
import type { KubeObject } from '../api/types.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

const pod = (name: string, rv = '1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', resourceVersion: rv },
});

describe('HttpApiClient', () => {
  let server: http.Server;
  let seen: Seen[];
  let handler: Handler;
  let client: HttpApiClient;
  let base: string;

  beforeEach(async () => {
    seen = [];
    handler = (_req, res, body) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(body || JSON.stringify(pod('echo')));
    };
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        handler(req, res, body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new HttpApiClient({ server: base, token: 'sekret', userAgent: 'skiff-test/1' });
  });

  afterEach(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  describe('CRUD requests', () => {
    it('get builds the namespaced object path and sends auth and user agent', async () => {
      const obj = await client.get(PODS, 'default', 'web-1');
      expect(obj.metadata.name).toBe('echo');
      expect(seen[0]).toMatchObject({ method: 'GET', url: '/api/v1/namespaces/default/pods/web-1' });
      expect(seen[0].headers.authorization).toBe('Bearer sekret');
      expect(seen[0].headers['user-agent']).toBe('skiff-test/1');
      expect(seen[0].headers.accept).toBe('application/json');
    });

    it('list passes selectors and resourceVersion, and cluster-scoped paths have no namespace', async () => {
      handler = (_q, res) =>
        res.end(JSON.stringify({ kind: 'NodeList', metadata: { resourceVersion: '7' }, items: [] }));
      const list = await client.list(NODES, undefined, {
        labelSelector: 'role in (a,b)',
        fieldSelector: 'metadata.name=n1',
        resourceVersion: '0',
      });
      expect(list.metadata.resourceVersion).toBe('7');
      const url = new URL(seen[0].url, base);
      expect(url.pathname).toBe('/api/v1/nodes');
      expect(url.searchParams.get('labelSelector')).toBe('role in (a,b)');
      expect(url.searchParams.get('fieldSelector')).toBe('metadata.name=n1');
      expect(url.searchParams.get('resourceVersion')).toBe('0');
    });

    it('create POSTs JSON to the collection, with dryRun and fieldManager', async () => {
      const created = await client.create(PODS, 'default', pod('p'), { dryRun: true, fieldManager: 'skiff' });
      expect(created.metadata.name).toBe('p');
      expect(seen[0].method).toBe('POST');
      const url = new URL(seen[0].url, base);
      expect(url.pathname).toBe('/api/v1/namespaces/default/pods');
      expect(url.searchParams.get('dryRun')).toBe('All');
      expect(url.searchParams.get('fieldManager')).toBe('skiff');
      expect(seen[0].headers['content-type']).toBe('application/json');
      expect(JSON.parse(seen[0].body).metadata.name).toBe('p');
    });

    it('update and updateStatus PUT to the object and its status subresource', async () => {
      await client.update(PODS, 'default', pod('p'));
      await client.updateStatus(PODS, 'default', pod('p'));
      expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
        'PUT /api/v1/namespaces/default/pods/p',
        'PUT /api/v1/namespaces/default/pods/p/status',
      ]);
    });

    it.each([
      ['json', 'application/json-patch+json'],
      ['merge', 'application/merge-patch+json'],
      ['strategic', 'application/strategic-merge-patch+json'],
      ['apply', 'application/apply-patch+yaml'],
    ] as const)('patch type %s sends Content-Type %s', async (type, contentType) => {
      handler = (_q, res) => res.end(JSON.stringify(pod('p')));
      await client.patch(PODS, 'default', 'p', type, { metadata: { labels: { a: 'b' } } });
      expect(seen[0].method).toBe('PATCH');
      expect(seen[0].headers['content-type']).toBe(contentType);
      expect(JSON.parse(seen[0].body)).toEqual({ metadata: { labels: { a: 'b' } } });
    });

    it('patch of a subresource goes to its path', async () => {
      handler = (_q, res) => res.end(JSON.stringify(pod('p')));
      await client.patch(PODS, 'default', 'p', 'merge', { status: {} }, { subresource: 'status' });
      expect(seen[0].url).toBe('/api/v1/namespaces/default/pods/p/status');
    });

    it('delete sends DeleteOptions and returns the Status or object', async () => {
      handler = (_q, res) =>
        res.end(
          JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Success', metadata: {}, code: 200 }),
        );
      const out = await client.delete(PODS, 'default', 'p', { gracePeriodSeconds: 0 });
      expect(out.kind).toBe('Status');
      expect(seen[0].method).toBe('DELETE');
      expect(JSON.parse(seen[0].body)).toEqual({
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        gracePeriodSeconds: 0,
      });
    });

    it('createSubresource POSTs to pods/binding, and group resources use /apis', async () => {
      handler = (_q, res) => res.writeHead(201).end('{"kind":"Status","status":"Success","code":201}');
      await client.createSubresource(PODS, 'ns1', 'p', 'binding', { target: { name: 'n1' } });
      await client.get({ group: 'apps', version: 'v1', resource: 'deployments' }, 'ns1', 'web');
      expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
        'POST /api/v1/namespaces/ns1/pods/p/binding',
        'GET /apis/apps/v1/namespaces/ns1/deployments/web',
      ]);
    });

    it('keeps a path prefix of the server URL', async () => {
      const prefixed = new HttpApiClient({ server: `${base}/k8s/` });
      await prefixed.get(PODS, 'default', 'x');
      prefixed.close();
      expect(seen[0].url).toBe('/k8s/api/v1/namespaces/default/pods/x');
    });
  });

  describe('errors', () => {
    it('turns a Status body into an ApiError with code, reason and details', async () => {
      handler = (_q, res) =>
        res.writeHead(404, { 'Content-Type': 'application/json' }).end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            message: 'pods "nope" not found',
            reason: 'NotFound',
            details: { name: 'nope', kind: 'pods' },
            code: 404,
          }),
        );
      const err = await client.get(PODS, 'default', 'nope').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ code: 404, reason: 'NotFound', message: 'pods "nope" not found' });
      expect((err as ApiError).details).toEqual({ name: 'nope', kind: 'pods' });
    });

    it('a 409 Conflict keeps its reason', async () => {
      handler = (_q, res) =>
        res
          .writeHead(409)
          .end(JSON.stringify({ kind: 'Status', reason: 'Conflict', message: 'stale', code: 409 }));
      await expect(client.update(PODS, 'default', pod('p'))).rejects.toMatchObject({
        code: 409,
        reason: 'Conflict',
      });
    });

    it('a non-JSON error body becomes an ApiError with the HTTP code and the text', async () => {
      handler = (_q, res) => res.writeHead(502, { 'Content-Type': 'text/plain' }).end('bad gateway\n');
      await expect(client.get(PODS, 'default', 'p')).rejects.toMatchObject({
        code: 502,
        reason: 'InternalError',
        message: 'bad gateway',
      });
    });

    it('a refused connection is a 503 ServiceUnavailable ApiError with the cause kept', async () => {
      const port = (server.address() as AddressInfo).port;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      const dead = new HttpApiClient({ server: `http://127.0.0.1:${port}` });
      const err = (await dead.get(PODS, 'default', 'p').catch((e: unknown) => e)) as ApiError;
      dead.close();
      expect(err).toBeInstanceOf(ApiError);
      expect(err.code).toBe(503);
      expect(err.reason).toBe('ServiceUnavailable');
      expect(err.message).toMatch(/ECONNREFUSED/);
      expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
      server.listen(0); // afterEach closes it again
    });

    it('times out a request that gets no answer', async () => {
      handler = () => undefined; // never answers
      const slow = new HttpApiClient({ server: base, requestTimeoutMs: 50 });
      await expect(slow.get(PODS, 'default', 'p')).rejects.toMatchObject({ code: 503, message: /timed out/ });
      slow.close();
    });
  });

  describe('watch', () => {
    const events = (names: string[]) =>
      names.map((n, i) => JSON.stringify({ type: 'ADDED', object: pod(n, String(i + 1)) }) + '\n').join('');

    it('sends the watch query and parses events split across chunks and several per chunk', async () => {
      const text =
        events(['a', 'b', 'c']) +
        JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } });
      // Cut the stream at awkward places: mid-JSON, right after a newline, inside a multi-byte character.
      const cuts = [5, 40, text.indexOf('\n') + 1, text.length - 3];
      handler = (_q, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        let from = 0;
        const writeNext = (i: number) => {
          if (i === cuts.length) {
            res.end(text.slice(from)); // last line has no trailing newline
            return;
          }
          res.write(text.slice(from, cuts[i]));
          from = cuts[i];
          setTimeout(() => writeNext(i + 1), 5);
        };
        writeNext(0);
      };
      const got: WatchEvent[] = [];
      const w = client.watch(
        PODS,
        'default',
        {
          resourceVersion: '5',
          allowWatchBookmarks: true,
          timeoutSeconds: 321,
          labelSelector: 'app=web',
          fieldSelector: 'spec.nodeName=n1',
        },
        (e) => got.push(e),
      );
      await w.done;
      expect(
        got.map((e) => `${e.type}:${e.object.metadata.name ?? e.object.metadata.resourceVersion}`),
      ).toEqual(['ADDED:a', 'ADDED:b', 'ADDED:c', 'BOOKMARK:9']);
      const url = new URL(seen[0].url, base);
      expect(url.pathname).toBe('/api/v1/namespaces/default/pods');
      expect(Object.fromEntries(url.searchParams)).toEqual({
        watch: 'true',
        resourceVersion: '5',
        allowWatchBookmarks: 'true',
        timeoutSeconds: '321',
        labelSelector: 'app=web',
        fieldSelector: 'spec.nodeName=n1',
      });
    });

    it('keeps multi-byte characters intact across chunk boundaries', async () => {
      const line = JSON.stringify({ type: 'ADDED', object: pod('ünïcödé-✓') }) + '\n';
      const buf = Buffer.from(line);
      const cut = buf.indexOf(Buffer.from('✓')) + 1; // inside the 3-byte character
      handler = (_q, res) => {
        res.writeHead(200);
        res.write(buf.subarray(0, cut));
        setTimeout(() => res.end(buf.subarray(cut)), 5);
      };
      const got: WatchEvent[] = [];
      await client.watch(PODS, undefined, {}, (e) => got.push(e)).done;
      expect(got[0].object.metadata.name).toBe('ünïcödé-✓');
    });

    it('stop() aborts the request and resolves done', async () => {
      let closed!: () => void;
      const serverSawClose = new Promise<void>((r) => (closed = r));
      handler = (_q, res) => {
        res.writeHead(200);
        res.write(events(['a']));
        res.on('close', () => closed());
      };
      const got: WatchEvent[] = [];
      const w = client.watch(PODS, 'default', {}, (e) => {
        got.push(e);
        w.stop();
      });
      await w.done;
      await serverSawClose;
      expect(got).toHaveLength(1);
    });

    it('an HTTP error at watch start rejects done with the ApiError', async () => {
      handler = (_q, res) =>
        res.writeHead(410).end(
          JSON.stringify({
            kind: 'Status',
            reason: 'Expired',
            message: 'too old resource version',
            code: 410,
          }),
        );
      const w = client.watch(PODS, 'default', { resourceVersion: '1' }, () => undefined);
      await expect(w.done).rejects.toMatchObject({ code: 410, reason: 'Expired' });
    });

    it('a connection dropped mid-stream rejects done', async () => {
      handler = (_q, res) => {
        res.writeHead(200);
        res.write(events(['a']));
        setTimeout(() => res.socket?.destroy(), 10);
      };
      const got: WatchEvent[] = [];
      const w = client.watch(PODS, 'default', {}, (e) => got.push(e));
      await expect(w.done).rejects.toMatchObject({ code: 503 });
      expect(got).toHaveLength(1);
    });

    it('a malformed line rejects done', async () => {
      handler = (_q, res) => res.writeHead(200).end('{"type":"ADDED","object":{}}\nnot json\n');
      const got: WatchEvent[] = [];
      const w = client.watch(PODS, 'default', {}, (e) => got.push(e));
      await expect(w.done).rejects.toThrow(/malformed watch event/);
      expect(got).toHaveLength(1);
    });
  });

  describe('CLI helpers', () => {
    it('rawRequest returns status, headers and the raw body without throwing on errors', async () => {
      handler = (_q, res) => res.writeHead(418, { 'X-Test': 'yes' }).end('teapot');
      const res = await client.rawRequest('POST', '/custom', {
        query: { a: ['1', '2'], skip: undefined },
        body: 'raw text',
        headers: { 'Content-Type': 'text/plain' },
      });
      expect(res.status).toBe(418);
      expect(res.headers['x-test']).toBe('yes');
      expect(res.body.toString()).toBe('teapot');
      expect(seen[0].url).toBe('/custom?a=1&a=2');
      expect(seen[0].body).toBe('raw text');
      expect(seen[0].headers['content-type']).toBe('text/plain');
    });

    it('stream resolves with the open response and delivers chunks as they come', async () => {
      handler = (_q, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('line 1\n');
        setTimeout(() => res.end('line 2\n'), 10);
      };
      const res = await client.stream('/api/v1/namespaces/default/pods/p/log', { follow: 'true' });
      const chunks: string[] = [];
      for await (const c of res) chunks.push(String(c));
      expect(chunks.join('')).toBe('line 1\nline 2\n');
      expect(seen[0].url).toBe('/api/v1/namespaces/default/pods/p/log?follow=true');
    });

    it('stream rejects with the ApiError on an error status', async () => {
      handler = (_q, res) =>
        res
          .writeHead(400)
          .end(JSON.stringify({ kind: 'Status', reason: 'BadRequest', message: 'no container', code: 400 }));
      await expect(client.stream('/api/v1/namespaces/default/pods/p/log', {})).rejects.toMatchObject({
        code: 400,
        message: 'no container',
      });
    });

    it('websocket connects with the protocols, query and auth header', async () => {
      const wss = new WebSocketServer({ server, handleProtocols: (protocols) => [...protocols][0] });
      const upgraded = new Promise<http.IncomingMessage>((resolve) =>
        wss.on('connection', (sock, req) => {
          sock.send('hello');
          resolve(req);
        }),
      );
      const ws = client.websocket(
        '/api/v1/namespaces/default/pods/p/exec',
        { command: ['sh', '-c', 'echo hi'], stdout: 'true' },
        ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
      );
      const msg = await new Promise<string>((resolve, reject) => {
        ws.on('message', (d) => resolve(String(d)));
        ws.on('error', reject);
      });
      const req = await upgraded;
      expect(msg).toBe('hello');
      expect(ws.protocol).toBe('v5.channel.k8s.io');
      expect(req.url).toBe(
        '/api/v1/namespaces/default/pods/p/exec?command=sh&command=-c&command=echo+hi&stdout=true',
      );
      expect(req.headers.authorization).toBe('Bearer sekret');
      ws.close();
      await new Promise((r) => wss.close(r));
    });
  });
});

describe('pure helpers', () => {
  it('LineSplitter joins split lines and skips blank ones', () => {
    const s = new LineSplitter();
    expect(s.push('{"a"')).toEqual([]);
    expect(s.push(':1}\n\n{"b":2}\n{"c"')).toEqual(['{"a":1}', '{"b":2}']);
    expect(s.push(':3}')).toEqual([]);
    expect(s.end()).toBe('{"c":3}');
    expect(s.end()).toBeUndefined();
  });

  it('parseWatchLine rejects lines that are not events', () => {
    expect(parseWatchLine('{"type":"DELETED","object":{"metadata":{}}}').type).toBe('DELETED');
    expect(() => parseWatchLine('{"type":"ADDED"}')).toThrow(ApiError);
    expect(() => parseWatchLine('[1]')).toThrow(ApiError);
  });

  it.each([
    [404, '', 'NotFound', 'HTTP 404'],
    [500, 'boom', 'InternalError', 'boom'],
    [422, '{"message":"bad"}', 'Invalid', 'bad'],
    [429, 'slow down', 'TooManyRequests', 'slow down'],
  ])('errorFromResponse(%i, %j) → %s', (code, body, reason, message) => {
    const err = errorFromResponse(code, Buffer.from(body));
    expect(err).toMatchObject({ code, reason, message });
  });
});

describe('HttpApiClient on a keep-alive socket the server dropped', () => {
  // The server answers the first request on a connection and resets the connection when a second one arrives on
  // it — what a client sees when the server closed an idle keep-alive socket just as the client reused it.
  let server: http.Server;
  let url = '';
  const seen: string[] = [];
  beforeEach(async () => {
    seen.length = 0;
    const served = new WeakSet<object>();
    server = http.createServer((req, res) => {
      seen.push(req.method ?? '');
      if (served.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      served.add(req.socket);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p' } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('retries a read once on a new socket', async () => {
    const client = new HttpApiClient({ server: url });
    await client.get(PODS, 'default', 'p');
    const again = await client.get(PODS, 'default', 'p');
    expect(again.metadata.name).toBe('p');
    expect(seen).toEqual(['GET', 'GET', 'GET']);
    client.close();
  });

  it('does not repeat a write, and reports the reset as the server being unreachable', async () => {
    const client = new HttpApiClient({ server: url });
    await client.get(PODS, 'default', 'p');
    const err = await client
      .create(PODS, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(503);
    expect(seen).toEqual(['GET', 'POST']);
    client.close();
  });
});
