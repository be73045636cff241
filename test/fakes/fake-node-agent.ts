// A tiny stand-in for a node agent's kubelet API, on a real port: container logs over HTTP and exec/attach over
// WebSocket (v5.channel.k8s.io), enough to test the master's proxying end to end without Docker.
//   logs:  set `logs["ns/pod/container"] = "text"`; with follow=true the stream stays open and `follow()` appends.
//   exec:  stdout gets "ran: <command…>"; stdin frames are echoed on stdout; on stdin EOF (or at once without
//          stdin) the channel-3 Status follows (command `exit N` → NonZeroExitCode N) and the socket closes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RecordedRequest {
  kind: 'logs' | 'exec' | 'attach';
  path: string;
  query: URLSearchParams;
  protocol?: string;
}

function status(code: number, reason: string, message: string) {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}

export class FakeNodeAgent {
  readonly logs: Record<string, string> = {};
  readonly requests: RecordedRequest[] = [];
  private readonly server = http.createServer((req, res) => this.onRequest(req, res));
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (p) => ['v5.channel.k8s.io', 'v4.channel.k8s.io'].find((x) => p.has(x)) ?? false,
  });
  private readonly following = new Map<string, http.ServerResponse[]>();
  port = 0;

  async start(): Promise<this> {
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://agent');
      const [, kind, ns, pod, container] = url.pathname.split('/');
      if ((kind !== 'exec' && kind !== 'attach') || !this.logs[`${ns}/${pod}/${container}`]) {
        const body = status(404, 'NotFound', `container ${container} of pod ${ns}/${pod} not found`);
        socket.end(
          `HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.requests.push({ kind, path: url.pathname, query: url.searchParams, protocol: ws.protocol });
        this.exec(ws, url.searchParams);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Appends to a followed log stream. */
  follow(key: string, text: string): void {
    for (const res of this.following.get(key) ?? []) res.write(text);
  }

  /** Ends every followed stream (the container exited). */
  endFollowers(): void {
    for (const list of this.following.values()) for (const res of list) res.end();
    this.following.clear();
  }

  followers(): number {
    let n = 0;
    for (const list of this.following.values())
      n += list.filter((r) => !r.destroyed && !r.writableEnded).length;
    return n;
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://agent');
    const [, kind, ns, pod, container] = url.pathname.split('/');
    const key = `${ns}/${pod}/${container}`;
    if (kind !== 'containerLogs' || this.logs[key] === undefined) {
      res
        .writeHead(404, { 'Content-Type': 'application/json' })
        .end(status(404, 'NotFound', `container ${container} of pod ${ns}/${pod} not found`));
      return;
    }
    this.requests.push({ kind: 'logs', path: url.pathname, query: url.searchParams });
    if (url.searchParams.get('previous') === 'true') {
      res
        .writeHead(400, { 'Content-Type': 'application/json' })
        .end(
          status(400, 'BadRequest', `previous terminated container "${container}" in pod "${pod}" not found`),
        );
      return;
    }
    let text = this.logs[key];
    const tail = url.searchParams.get('tailLines');
    if (tail !== null)
      text = text
        .split('\n')
        .filter(Boolean)
        .slice(-Number(tail))
        .map((l) => `${l}\n`)
        .join('');
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write(text);
    if (url.searchParams.get('follow') === 'true') {
      const list = this.following.get(key) ?? [];
      list.push(res);
      this.following.set(key, list);
    } else {
      res.end();
    }
  }

  private exec(ws: WebSocket, query: URLSearchParams): void {
    const command = query.getAll('command');
    const send = (channel: number, data: string) =>
      ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
    const finish = () => {
      const exit = command[0] === 'exit' ? Number(command[1]) : 0;
      const result =
        exit === 0
          ? { metadata: {}, status: 'Success' }
          : {
              metadata: {},
              status: 'Failure',
              message: `command terminated with non-zero exit code: exit status ${exit}`,
              reason: 'NonZeroExitCode',
              details: { causes: [{ reason: 'ExitCode', message: String(exit) }] },
            };
      send(3, JSON.stringify(result));
      ws.close(1000);
    };
    send(1, `ran: ${command.join(' ')}\n`);
    if (query.get('stdin') !== 'true') {
      finish();
      return;
    }
    ws.on('message', (data: Buffer) => {
      if (data[0] === 255 && data[1] === 0) finish();
      else if (data[0] === 0) send(1, data.subarray(1).toString());
    });
  }
}
