// The agent's HTTP API, called by the master's API server for `kubectl logs`, `exec` and `attach` (the kubelet's
// port 10250):
//   GET /healthz                                          → ok
//   GET /containerLogs/<ns>/<pod>/<container>?follow&tailLines&previous&timestamps&sinceSeconds&sinceTime&limitBytes
//                                                         → 200 text/plain, raw log bytes (streamed while following)
//   GET /exec/<ns>/<pod>/<container>?command=…&stdin&stdout&stderr&tty    WebSocket, see exec-stream.ts
//   GET /attach/<ns>/<pod>/<container>?stdin&stdout&stderr&tty             WebSocket, see exec-stream.ts
// Failures before streaming are meta/v1 Status objects with the matching HTTP code.
// With `tls` (every agent that joined) it is HTTPS and answers only the master's client certificate (server-auth.ts);
// /healthz stays open.
// Express (the routes, agent-app.ts) and ws (the exec/attach upgrade) are loaded at the first request that needs
// them: most agents are never asked for logs or a shell, and together they are ~15 MiB of an idle agent's RSS.
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { Clock } from '../../src/common/clock.js';
import { badRequest, notFound, toStatus } from '../../src/common/errors.js';
import type { Logger } from '../../src/common/logger.js';
import type { ContainerRuntime, InteractiveOptions } from '../runtime/container-runtime.js';
import { findContainer, type PodLookup } from './container-lookup.js';
import { relaySession, STREAM_PROTOCOLS } from './exec-stream.js';
import { agentTlsOptions, checkMasterClient, type AgentServingTls } from './server-auth.js';

export interface AgentServerDeps {
  runtime: ContainerRuntime;
  pods: PodLookup;
  nodeName: string;
  clock: Clock;
  log: Logger;
  /** Serve HTTPS for the master only; without it (tests), plain HTTP for anyone. */
  tls?: AgentServingTls;
}

/** A query flag: kubectl sends "true", the kubelet's own clients "1". */
export const flag = (v: unknown) => v === 'true' || v === '1';

/** Writes an HTTP error response on a socket whose upgrade we refuse. */
function refuse(socket: Duplex, err: unknown): void {
  const status = toStatus(err);
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${http.STATUS_CODES[status.code] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\nConnection: close\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

const STREAM_PATH = /^\/(exec|attach)\/([^/]+)\/([^/]+)\/([^/]+)$/;

/** The agent server: the Express app plus the WebSocket upgrade for exec and attach. Not yet listening. */
export function createAgentServer(deps: AgentServerDeps): http.Server {
  let app: Promise<http.RequestListener> | undefined;
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    app ??= import('./agent-app.js').then((m) => m.createAgentApp(deps));
    app.then(
      (handle) => handle(req, res),
      (err: unknown) => {
        deps.log.error({ err: (err as Error).message }, 'agent API unavailable');
        res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify(toStatus(err)));
      },
    );
  };
  const server = deps.tls
    ? https.createServer(agentTlsOptions(deps.tls), onRequest)
    : http.createServer(onRequest);
  let wss: Promise<WebSocketServer> | undefined;
  const webSockets = () =>
    (wss ??= import('ws').then(
      ({ WebSocketServer }) =>
        new WebSocketServer({
          noServer: true,
          handleProtocols: (offered) => STREAM_PROTOCOLS.find((p) => offered.has(p)) ?? false,
        }),
    ));
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://agent');
      const m = STREAM_PATH.exec(url.pathname);
      try {
        if (deps.tls) checkMasterClient(req);
        if (!m) throw notFound({ group: '', resource: 'path' }, url.pathname);
        if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
          throw badRequest('only WebSocket streaming (v5.channel.k8s.io) is supported');
        }
        const offered = String(req.headers['sec-websocket-protocol'] ?? '')
          .split(',')
          .map((s) => s.trim());
        if (!STREAM_PROTOCOLS.some((p) => offered.includes(p))) {
          throw badRequest(
            `unsupported streaming protocols ${JSON.stringify(offered)}; supported: ${STREAM_PROTOCOLS.join(', ')}`,
          );
        }
        const [, verb, ns, pod, container] = m.map(decodeURIComponent);
        const q = url.searchParams;
        // kubectl's names (stdin, stdout, …) and the kubelet's own (input, output, error), as "true" or "1".
        const param = (a: string, b: string) => q.get(a) ?? q.get(b);
        const opts: InteractiveOptions = {
          stdin: flag(param('stdin', 'input')),
          stdout: param('stdout', 'output') === null ? true : flag(param('stdout', 'output')),
          stderr: flag(param('stderr', 'error')),
          tty: flag(q.get('tty')),
        };
        const command = q.getAll('command');
        if (verb === 'exec' && command.length === 0) throw badRequest('you must specify at least 1 command');
        const c = await findContainer(deps, ns, pod, container, false);
        if (c.state !== 'running') {
          throw badRequest(`container ${container} is not running (state: ${c.state}); cannot ${verb}`);
        }
        (await webSockets()).handleUpgrade(req, socket, head, (ws) => {
          const open = () =>
            verb === 'exec' ? deps.runtime.exec(c.id, command, opts) : deps.runtime.attach(c.id, opts);
          void relaySession(ws, open, deps.log);
        });
      } catch (err) {
        deps.log.debug({ url: req.url, err: (err as Error).message }, 'stream request refused');
        refuse(socket, err);
      }
    })();
  });
  return server;
}
