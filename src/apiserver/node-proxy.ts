// How the master reaches a node's agent for logs, exec and attach (the kubelet API shape, see the agent):
//   GET  https://<ip>:<port>/containerLogs/<ns>/<pod>/<container>?follow=…   → raw log bytes
//   GET  wss://<ip>:<port>/exec|attach/<ns>/<pod>/<container>?command=…      → v5.channel.k8s.io frames
// With TLS (the master always has it) the master presents its kubelet-client certificate — the agent accepts no
// one else — and accepts only an agent certificate from the cluster CA whose CN is system:node:<that node>: the
// agent's certificate carries no addresses, so the node's identity, not its IP, is what is checked.
// NodeProxy is the seam: HttpNodeProxy is the real adapter; tests can inject a fake agent.
import http from 'node:http';
import https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import type { Readable } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import type { KubeObject, NodeAddress, Status } from '../api/types.js';
import { ApiError, fromStatus, serviceUnavailable } from '../common/errors.js';
import { nodeUserName } from './auth/identities.js';

export interface NodeEndpoint {
  nodeName: string;
  host: string;
  port: number;
}

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

export interface LogResponse {
  statusCode: number;
  contentType: string;
  body: Readable;
}

/** One message-oriented connection to the agent's exec/attach endpoint (binary frames, channel byte first). */
export interface NodeChannel {
  /** The subprotocol the agent chose. */
  readonly protocol: string;
  send(data: Buffer): void;
  close(code?: number, reason?: string): void;
  /** Messages that arrive before a handler is set are kept and handed over when it is. */
  onMessage(handler: (data: Buffer) => void): void;
  onClose(handler: (code: number, reason: string) => void): void;
}

export interface NodeProxy {
  /** Resolves when the agent answers (any status); rejects when it cannot be reached. */
  containerLogs(
    node: NodeEndpoint,
    target: ContainerRef,
    query: URLSearchParams,
    signal: AbortSignal,
  ): Promise<LogResponse>;
  /** Resolves once the agent accepted the WebSocket; rejects with an ApiError otherwise. */
  openStream(
    node: NodeEndpoint,
    kind: 'exec' | 'attach',
    target: ContainerRef,
    query: URLSearchParams,
    protocols: string[],
  ): Promise<NodeChannel>;
}

export const DEFAULT_AGENT_PORT = 10250;

/** The master's TLS material towards the agents: the cluster CA and its client certificate (all PEM). */
export interface NodeProxyTls {
  ca: string;
  cert: string;
  key: string;
}

/** Accepts the agent's certificate only if it names the node we meant to reach. */
export function agentIdentityCheck(nodeName: string) {
  return (_host: string, cert: PeerCertificate): Error | undefined => {
    const cn = cert?.subject?.CN;
    return cn === nodeUserName(nodeName)
      ? undefined
      : new Error(
          `the agent's certificate is for ${JSON.stringify(cn ?? '')}, not ${nodeUserName(nodeName)}`,
        );
  };
}

/** Where a node's agent listens: InternalIP (else Hostname) and the kubelet endpoint port. */
export function nodeEndpoint(node: KubeObject): NodeEndpoint {
  const name = node.metadata.name ?? '';
  const addresses: NodeAddress[] = node.status?.addresses ?? [];
  const address =
    addresses.find((a) => a.type === 'InternalIP')?.address ??
    addresses.find((a) => a.type === 'Hostname')?.address;
  if (!address) throw serviceUnavailable(`node "${name}" has no address to reach its agent`);
  const port = Number(node.status?.daemonEndpoints?.kubeletEndpoint?.Port) || DEFAULT_AGENT_PORT;
  return { nodeName: name, host: address, port };
}

function containerPath(kind: string, t: ContainerRef): string {
  return `/${kind}/${[t.namespace, t.pod, t.container].map(encodeURIComponent).join('/')}`;
}

function hostPort(node: NodeEndpoint): string {
  return node.host.includes(':') ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`;
}

function unreachable(node: NodeEndpoint, err: unknown): ApiError {
  const why = err instanceof Error ? err.message : String(err);
  return serviceUnavailable(
    `unable to reach the agent of node "${node.nodeName}" at ${hostPort(node)}: ${why}`,
  );
}

/** How long connecting to an agent may take before the request fails. */
const CONNECT_TIMEOUT_MS = 10_000;

export class HttpNodeProxy implements NodeProxy {
  constructor(private readonly opts: { tls?: NodeProxyTls } = {}) {}

  private tlsOptions(node: NodeEndpoint): https.RequestOptions {
    const tls = this.opts.tls;
    // No pooled sockets (agent: false): a connection checked as one node must never serve a request for another.
    return tls
      ? {
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          checkServerIdentity: agentIdentityCheck(node.nodeName),
          agent: false,
        }
      : {};
  }

  containerLogs(
    node: NodeEndpoint,
    target: ContainerRef,
    query: URLSearchParams,
    signal: AbortSignal,
  ): Promise<LogResponse> {
    const qs = query.toString();
    const scheme = this.opts.tls ? 'https' : 'http';
    const url = `${scheme}://${hostPort(node)}${containerPath('containerLogs', target)}${qs ? `?${qs}` : ''}`;
    const get = this.opts.tls ? https.get : http.get;
    return new Promise((resolve, reject) => {
      const req = get(url, { signal, ...this.tlsOptions(node) }, (res) => {
        resolve({
          statusCode: res.statusCode ?? 502,
          contentType: res.headers['content-type'] ?? 'text/plain',
          body: res,
        });
      });
      req.on('socket', (socket) => {
        socket.setTimeout(CONNECT_TIMEOUT_MS, () => req.destroy(new Error('connection timed out')));
        socket.once('connect', () => socket.setTimeout(0));
      });
      req.on('error', (err) => reject(unreachable(node, err)));
    });
  }

  openStream(
    node: NodeEndpoint,
    kind: 'exec' | 'attach',
    target: ContainerRef,
    query: URLSearchParams,
    protocols: string[],
  ): Promise<NodeChannel> {
    const qs = query.toString();
    const scheme = this.opts.tls ? 'wss' : 'ws';
    const url = `${scheme}://${hostPort(node)}${containerPath(kind, target)}${qs ? `?${qs}` : ''}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, {
        handshakeTimeout: CONNECT_TIMEOUT_MS,
        ...this.tlsOptions(node),
      });
      const channel = new WebSocketChannel(ws);
      ws.once('open', () => resolve(channel));
      ws.once('error', (err) => reject(unreachable(node, err)));
      // The agent refused the upgrade: it answers a Status (unknown pod/container, …), which we pass on.
      ws.once('unexpected-response', (req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          req.destroy();
          reject(agentRefusal(res.statusCode ?? 502, Buffer.concat(chunks)));
        });
        res.on('error', (err) => reject(unreachable(node, err)));
      });
    });
  }
}

function agentRefusal(code: number, body: Buffer): ApiError {
  try {
    const status = JSON.parse(body.toString('utf8')) as Partial<Status>;
    if (status && typeof status === 'object' && status.message) return fromStatus(status, code);
  } catch {
    // not a Status
  }
  return new ApiError(
    code >= 400 ? code : 502,
    code === 404 ? 'NotFound' : 'InternalError',
    body.toString('utf8').trim() || `the agent answered HTTP ${code}`,
  );
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** A ws WebSocket as a NodeChannel, holding early messages until someone listens. */
export class WebSocketChannel implements NodeChannel {
  private messageHandler: ((data: Buffer) => void) | undefined;
  private closeHandler: ((code: number, reason: string) => void) | undefined;
  private readonly early: Buffer[] = [];
  private closed: { code: number; reason: string } | undefined;

  constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const buf = toBuffer(data);
      if (this.messageHandler) this.messageHandler(buf);
      else this.early.push(buf);
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8') };
      this.closeHandler?.(code, this.closed.reason);
    });
    // Errors are followed by 'close'; without a listener they would be thrown.
    ws.on('error', () => undefined);
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  send(data: Buffer): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data, { binary: true });
  }

  close(code = 1000, reason = ''): void {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(code, reason);
    }
  }

  onMessage(handler: (data: Buffer) => void): void {
    this.messageHandler = handler;
    for (const buf of this.early.splice(0)) handler(buf);
  }

  onClose(handler: (code: number, reason: string) => void): void {
    this.closeHandler = handler;
    if (this.closed) handler(this.closed.code, this.closed.reason);
  }
}
