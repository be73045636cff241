// The ApiClient over HTTP(S), used by agents and the CLI: the Kubernetes REST paths of resourcePath(), JSON bodies,
// the four patch Content-Types, Status errors turned back into ApiErrors, and watches as newline-delimited JSON.
// node's http/https with keep-alive agents (not fetch) so a custom CA and insecureSkipTLSVerify can be set per client.
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { WebSocket } from 'ws';
import type { DeleteOptions, KubeList, KubeObject, Status } from '../api/types.js';
import { ApiError } from '../common/errors.js';
import {
  errorFromResponse,
  isSuccess,
  LineSplitter,
  parseWatchLine,
  readBody,
  transportError,
} from './http-response.js';
import {
  PATCH_CONTENT_TYPES,
  resourcePath,
  type ApiClient,
  type ListOptions,
  type PatchType,
  type ResourceRef,
  type WatchEvent,
  type WatchHandle,
  type WatchOptions,
  type WriteOpts,
} from './api-client.js';

export interface HttpApiClientOptions {
  /** Base URL: http://127.0.0.1:6443 or https://master:6443 (a path prefix is kept). */
  server: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** PEM of the CA that signed the server certificate (https only). */
  ca?: string | Buffer;
  insecureSkipTLSVerify?: boolean;
  userAgent?: string;
  /** Per-request timeout for ordinary (non-streaming) calls; default 30 s. */
  requestTimeoutMs?: number;
}

export type Query = Record<string, string | string[] | undefined>;

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RawRequestOptions {
  query?: Query;
  /** A Buffer or string is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** A request that failed on a reused keep-alive socket the server had closed (see rawRequest). */
class StaleSocketError extends Error {
  constructor(readonly apiError: ApiError) {
    super(apiError.message);
  }
}

export class HttpApiClient implements ApiClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly secure: boolean;
  private readonly timeoutMs: number;

  constructor(private readonly opts: HttpApiClientOptions) {
    this.base = new URL(opts.server);
    this.secure = this.base.protocol === 'https:';
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.agent = this.secure
      ? new https.Agent({
          keepAlive: true,
          ca: opts.ca,
          rejectUnauthorized: !opts.insecureSkipTLSVerify,
        })
      : new http.Agent({ keepAlive: true });
  }

  /** Closes idle keep-alive sockets (open streams are left alone). */
  close(): void {
    this.agent.destroy();
  }

  // ---- ApiClient ----------------------------------------------------------------------------------

  get<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string) {
    return this.json<T>('GET', resourcePath(ref, namespace, name));
  }

  list<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    opts: ListOptions = {},
  ) {
    return this.json<KubeList<T>>('GET', resourcePath(ref, namespace), {
      query: {
        labelSelector: opts.labelSelector || undefined,
        fieldSelector: opts.fieldSelector || undefined,
        resourceVersion: opts.resourceVersion,
      },
    });
  }

  create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts?: WriteOpts,
  ) {
    return this.json<T>('POST', resourcePath(ref, namespace), { body: obj, query: writeQuery(opts) });
  }

  update<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, obj: T) {
    return this.json<T>('PUT', resourcePath(ref, namespace, nameOf(obj)), { body: obj });
  }

  updateStatus<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, obj: T) {
    return this.json<T>('PUT', resourcePath(ref, namespace, nameOf(obj), 'status'), { body: obj });
  }

  patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: { subresource?: string } & WriteOpts = {},
  ) {
    return this.json<T>('PATCH', resourcePath(ref, namespace, name, opts.subresource), {
      body: patch,
      query: writeQuery(opts),
      headers: { 'Content-Type': PATCH_CONTENT_TYPES[type] },
    });
  }

  delete<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    opts?: DeleteOptions,
  ) {
    return this.json<T | Status>('DELETE', resourcePath(ref, namespace, name), {
      body: opts ? { kind: 'DeleteOptions', apiVersion: 'v1', ...opts } : undefined,
    });
  }

  createSubresource<R = unknown>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    subresource: string,
    body: unknown,
  ) {
    return this.json<R>('POST', resourcePath(ref, namespace, name, subresource), { body });
  }

  watch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
  ): WatchHandle {
    const query: Query = {
      watch: 'true',
      resourceVersion: opts.resourceVersion,
      labelSelector: opts.labelSelector || undefined,
      fieldSelector: opts.fieldSelector || undefined,
      allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined,
      timeoutSeconds: opts.timeoutSeconds !== undefined ? String(opts.timeoutSeconds) : undefined,
    };
    let stopped = false;
    let req: http.ClientRequest | undefined;
    let settle: { resolve: () => void; reject: (e: unknown) => void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // Nobody has to await `done`; an unobserved failure must not become an unhandled rejection.
    done.catch(() => undefined);
    let finished = false;
    const finish = (err?: unknown) => {
      if (finished) return;
      finished = true;
      if (err === undefined || stopped) settle.resolve();
      else settle.reject(err);
    };

    req = this.send('GET', resourcePath(ref, namespace), { query }, false, (res) => {
      if (!isSuccess(res.statusCode)) {
        readBody(res).then(
          (body) => finish(errorFromResponse(res.statusCode ?? 0, body)),
          (e) => finish(transportError(e)),
        );
        return;
      }
      const lines = new LineSplitter();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (finished) return;
        try {
          for (const line of lines.push(chunk)) onEvent(parseWatchLine<T>(line));
        } catch (e) {
          finish(e);
          req?.destroy();
        }
      });
      res.on('end', () => {
        try {
          const last = lines.end();
          if (last !== undefined && !finished) onEvent(parseWatchLine<T>(last));
          finish();
        } catch (e) {
          finish(e);
        }
      });
      res.on('aborted', () => finish(transportError(new Error('watch stream aborted'))));
      res.on('error', (e) => finish(transportError(e)));
      res.on('close', () => {
        if (!res.complete) finish(transportError(new Error('watch stream closed before its end')));
      });
    });
    req.on('error', (e) => finish(transportError(e)));
    if (opts.timeoutSeconds) {
      // The server ends the watch after timeoutSeconds; a socket silent for longer than that is dead (NAT, crash).
      const idleMs = (opts.timeoutSeconds + 60) * 1000;
      req.setTimeout(idleMs, () => req?.destroy(new Error(`watch silent for ${idleMs / 1000} s`)));
    }

    return {
      stop: () => {
        stopped = true;
        finish();
        req?.destroy();
        req = undefined;
      },
      done,
    };
  }

  // ---- helpers for the CLI ------------------------------------------------------------------------

  /** Any request; the body comes back raw, whatever the status (no ApiError). */
  rawRequest(method: string, path: string, opts: RawRequestOptions = {}): Promise<RawResponse> {
    return this.rawRequestOnce(method, path, opts).catch((err: unknown) => {
      // A keep-alive socket the server closed as idle just as we reused it: the request never reached the server.
      // Retry once on a new socket, as Node's docs advise, for reads only (a write might have been received).
      if (!(err instanceof StaleSocketError)) throw err;
      if (method !== 'GET' && method !== 'HEAD') throw err.apiError;
      return this.rawRequestOnce(method, path, opts).catch((e: unknown) => {
        throw e instanceof StaleSocketError ? e.apiError : e;
      });
    });
  }

  private rawRequestOnce(method: string, path: string, opts: RawRequestOptions): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const req = this.send(method, path, opts, true, (res) => {
        readBody(res).then(
          (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }),
          (e) => reject(transportError(e)),
        );
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && e.code === 'ECONNRESET';
        reject(stale ? new StaleSocketError(transportError(e)) : transportError(e));
      });
    });
  }

  /** A streaming GET (pods/log?follow=true): resolves with the open response once the status is 2xx. */
  stream(path: string, query: Query): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = this.send('GET', path, { query, headers: { Accept: '*/*' } }, false, (res) => {
        if (isSuccess(res.statusCode)) return resolve(res);
        readBody(res).then(
          (body) => reject(errorFromResponse(res.statusCode ?? 0, body)),
          (e) => reject(transportError(e)),
        );
      });
      req.on('error', (e) => reject(transportError(e)));
    });
  }

  /** A websocket to the server (pods/exec, pods/attach), e.g. protocols ['v5.channel.k8s.io']. */
  websocket(path: string, query: Query, protocols: string[]): WebSocket {
    const url = this.url(path, query);
    url.protocol = this.secure ? 'wss:' : 'ws:';
    // ws is required here, at the first exec/attach, not with the client: daemons that never open one skip it.
    const { WebSocket: Socket } = createRequire(import.meta.url)('ws') as typeof import('ws');
    return new Socket(url, protocols, {
      headers: this.headers(),
      ca: this.opts.ca,
      rejectUnauthorized: !this.opts.insecureSkipTLSVerify,
    });
  }

  // ---- plumbing -----------------------------------------------------------------------------------

  private async json<T>(method: string, path: string, opts: RawRequestOptions = {}): Promise<T> {
    const res = await this.rawRequest(method, path, opts);
    if (!isSuccess(res.status)) throw errorFromResponse(res.status, res.body);
    if (res.body.length === 0) return undefined as T;
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch {
      throw new ApiError(
        500,
        'InternalError',
        `the server sent a response that is not JSON (${method} ${path}): ${snippet(res.body)}`,
      );
    }
  }

  private url(path: string, query: Query = {}): URL {
    const url = new URL(this.base.toString());
    url.pathname = url.pathname.replace(/\/$/, '') + path;
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item);
    }
    return url;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = {};
    if (this.opts.userAgent) h['User-Agent'] = this.opts.userAgent;
    if (this.opts.token) h.Authorization = `Bearer ${this.opts.token}`;
    return h;
  }

  private send(
    method: string,
    path: string,
    opts: RawRequestOptions,
    timeout: boolean,
    onResponse: (res: IncomingMessage) => void,
  ): http.ClientRequest {
    const url = this.url(path, opts.query);
    const headers: Record<string, string> = { Accept: 'application/json', ...this.headers() };
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      payload =
        Buffer.isBuffer(opts.body) || typeof opts.body === 'string'
          ? Buffer.from(opts.body)
          : Buffer.from(JSON.stringify(opts.body));
      headers['Content-Type'] = 'application/json';
    }
    Object.assign(headers, opts.headers);
    if (payload) headers['Content-Length'] = String(payload.length);
    const request = this.secure ? https.request : http.request;
    const req = request(url, { method, headers, agent: this.agent }, onResponse);
    if (timeout && this.timeoutMs > 0) {
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(new Error(`request timed out after ${this.timeoutMs} ms: ${method} ${path}`)),
      );
    }
    req.end(payload);
    return req;
  }
}

function snippet(body: Buffer): string {
  const s = body.toString('utf8');
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

function nameOf(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new ApiError(400, 'BadRequest', 'metadata.name is required');
  return name;
}

function writeQuery(opts?: WriteOpts): Query {
  return {
    dryRun: opts?.dryRun ? 'All' : undefined,
    fieldManager: opts?.fieldManager,
  };
}
