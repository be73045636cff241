// pods/exec and pods/attach (KUBECTL-API.md §11.3): kubectl opens a WebSocket (subprotocol v5.channel.k8s.io)
// to the master; the master checks the pod, opens a WebSocket to the agent of the pod's node, and relays binary
// frames both ways verbatim (channel byte + data). The agent ends with a Status on channel 3 and closes.
// If the agent cannot be reached, the client gets a Failure Status on channel 3 and a normal close. The upgrade is
// authenticated and authorized like any request (verb create on pods/exec or pods/attach) before anything else.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { KubeObject, Status } from '../api/types.js';
import { ApiError, badRequest, toStatus } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { parseApiPath } from './api-path.js';
import type { RequestGuard } from './authentication.js';
import { nodeEndpoint, type NodeChannel, type NodeEndpoint, type NodeProxy } from './node-proxy.js';
import { checkStreamAllowed, chooseContainer } from './pod-containers.js';
import type { ResourceService } from './resource-service.js';
import { resourceNotFound } from './write-checks.js';

/** Remote-command subprotocols we relay, best first (v5 adds the close-stdin signal). */
export const STREAM_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const ERROR_CHANNEL = 3;

export interface ExecProxyDeps {
  service: ResourceService;
  nodeProxy: NodeProxy;
  logger: Logger;
  /** Authentication and authorization of the upgrade request (create on pods/exec, pods/attach). */
  guard?: RequestGuard;
}

export interface ExecProxy {
  /** Closes every relayed session (server shutdown). */
  close(): void;
}

/** The protocol to answer with, from the client's Sec-WebSocket-Protocol offer. */
export function chooseStreamProtocol(offered: Iterable<string>): string | undefined {
  const set = new Set(offered);
  return STREAM_PROTOCOLS.find((p) => set.has(p));
}

/** A channel-3 frame carrying a Status, as the kubelet sends it. */
export function statusFrame(status: Status | Record<string, unknown>): Buffer {
  return Buffer.concat([Buffer.from([ERROR_CHANNEL]), Buffer.from(JSON.stringify(status))]);
}

/** Handles the http server's 'upgrade' events for …/pods/{name}/exec and …/attach. */
export function attachExecProxy(server: http.Server, deps: ExecProxyDeps): ExecProxy {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => chooseStreamProtocol(protocols) ?? false,
  });
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    handleUpgrade(wss, deps, req, socket, head).catch((err) => {
      deps.logger.warn({ err, url: req.url }, 'exec upgrade failed');
      socket.destroy();
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    close() {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

interface StreamTarget {
  kind: 'exec' | 'attach';
  namespace: string;
  pod: string;
}

function streamTarget(url: string): StreamTarget | undefined {
  const path = parseApiPath(new URL(url, 'http://x').pathname);
  if (path?.kind !== 'resource' || path.group !== '' || path.version !== 'v1') return undefined;
  if (path.resource !== 'pods' || !path.namespace || !path.name) return undefined;
  if (path.subresource !== 'exec' && path.subresource !== 'attach') return undefined;
  return { kind: path.subresource, namespace: path.namespace, pod: path.name };
}

/** Answers a refused upgrade with a Status over the raw socket (no WebSocket was established). */
function refuse(socket: Duplex, err: unknown): void {
  const status = toStatus(err);
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${status.reason ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

async function handleUpgrade(
  wss: WebSocketServer,
  deps: ExecProxyDeps,
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  socket.on('error', () => undefined);
  const target = streamTarget(req.url ?? '/');
  if (!target) {
    refuse(socket, resourceNotFound());
    return;
  }
  let prepared: { node: NodeEndpoint; container: string; protocol: string };
  try {
    if (deps.guard) await deps.guard.authorize(await deps.guard.authenticate(req), req);
    prepared = await prepare(deps, req, target);
  } catch (err) {
    refuse(socket, err);
    return;
  }
  wss.handleUpgrade(req, socket, head, (client) => {
    relay(deps, client, target, prepared, new URL(req.url ?? '/', 'http://x').searchParams);
  });
}

async function prepare(deps: ExecProxyDeps, req: http.IncomingMessage, target: StreamTarget) {
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  const pod: KubeObject = await deps.service.get(
    { group: '', version: 'v1', resource: 'pods' },
    target.namespace,
    target.pod,
  );
  const container = chooseContainer(pod, query.get('container') ?? undefined);
  checkStreamAllowed(pod);
  const node = nodeEndpoint(
    await deps.service.get({ group: '', version: 'v1', resource: 'nodes' }, undefined, pod.spec.nodeName),
  );
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    // kubectl falls back to SPDY when a WebSocket upgrade fails; we speak WebSocket only.
    throw badRequest(
      `Upgrade request required: this server streams over WebSocket (${STREAM_PROTOCOLS[0]}), not ${req.headers.upgrade ?? 'plain HTTP'}`,
    );
  }
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const protocol = chooseStreamProtocol(offered);
  if (!protocol) {
    throw badRequest(
      `unsupported stream protocols ${JSON.stringify(offered.join(', '))}: this server speaks ${STREAM_PROTOCOLS.join(', ')}`,
    );
  }
  return { node, container, protocol };
}

/** Query parameters the agent understands (container is part of its path). */
function agentQuery(query: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of query) if (k !== 'container') out.append(k, v);
  return out;
}

function relay(
  deps: ExecProxyDeps,
  client: WebSocket,
  target: StreamTarget,
  prepared: { node: NodeEndpoint; container: string; protocol: string },
  query: URLSearchParams,
): void {
  const log = deps.logger.child({ pod: `${target.namespace}/${target.pod}`, container: prepared.container });
  const pending: Buffer[] = [];
  let agent: NodeChannel | undefined;
  let clientGone = false;
  let statusRelayed = false;

  client.on('message', (data: RawData) => {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (agent) agent.send(buf);
    else pending.push(buf);
  });
  client.on('close', () => {
    clientGone = true;
    agent?.close();
  });
  client.on('error', (err) => log.debug({ err }, 'exec client error'));

  const endWithFailure = (err: unknown) => {
    if (clientGone) return;
    client.send(statusFrame(toStatus(err)), { binary: true });
    client.close(1000);
  };

  deps.nodeProxy
    .openStream(
      prepared.node,
      target.kind,
      { namespace: target.namespace, pod: target.pod, container: prepared.container },
      agentQuery(query),
      [prepared.protocol],
    )
    .then((channel) => {
      if (clientGone) {
        channel.close();
        return;
      }
      agent = channel;
      for (const buf of pending.splice(0)) channel.send(buf);
      channel.onMessage((data) => {
        if (data[0] === ERROR_CHANNEL) statusRelayed = true;
        if (!clientGone) client.send(data, { binary: true });
      });
      channel.onClose((code, reason) => {
        if (clientGone) return;
        // An agent that vanished without its final Status must not look like a successful command.
        if (!statusRelayed && code !== 1000) {
          endWithFailure(
            new ApiError(500, 'InternalError', `the connection to the agent was lost (code ${code})`),
          );
          return;
        }
        client.close(validCloseCode(code), reason);
      });
    })
    .catch((err) => {
      log.warn({ err }, 'cannot open the agent stream');
      endWithFailure(err);
    });
}

/** Codes a server may send in a close frame (1005/1006 and friends only describe what happened locally). */
function validCloseCode(code: number): number {
  const sendable =
    (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  return sendable ? code : 1000;
}
