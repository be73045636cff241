import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Pod } from '../../api/types.js';
import { testCli } from '../cli-test-support.js';
import { pickContainer } from './logs.js';

const twoContainers: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default' },
  spec: { containers: [{ name: 'app' }, { name: 'side' }] },
};

describe('pickContainer', () => {
  it('takes -c, else the default-container annotation, else the first (with a notice)', () => {
    expect(pickContainer(twoContainers, 'side')).toEqual({ container: 'side' });
    expect(pickContainer(twoContainers)).toEqual({
      container: 'app',
      notice: 'Defaulted container "app" out of: app, side',
    });
    const annotated = structuredClone(twoContainers);
    annotated.metadata.annotations = { 'kubectl.kubernetes.io/default-container': 'side' };
    expect(pickContainer(annotated)).toEqual({ container: 'side' });
    expect(() => pickContainer(twoContainers, 'nope')).toThrow(
      'error: container nope is not valid for pod web',
    );
  });
});

/** A stand-in API server for the pods/log and pods/exec endpoints (the real ones proxy to an agent). */
class FakePodServer {
  server: Server;
  wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (p) => (p.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false),
  });
  requests: URL[] = [];
  url = '';
  exec: (ws: WebSocket, url: URL) => void = () => {};
  refuseExec = false;

  constructor() {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      this.requests.push(url);
      if (url.pathname === '/api/v1/namespaces/default/pods/web') {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(twoContainers));
      } else if (url.pathname === '/api/v1/namespaces/default/pods/web/log') {
        res.setHeader('Content-Type', 'text/plain');
        res.write('line 1\n');
        setTimeout(() => res.end('line 2\n'), 10);
      } else {
        res.statusCode = 404;
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'NotFound',
            code: 404,
            message: 'pods "nope" not found',
          }),
        );
      }
    });
    this.server.on('upgrade', (req: IncomingMessage, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      this.requests.push(url);
      if (this.refuseExec) {
        socket.end(
          'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n\r\n' +
            JSON.stringify({
              kind: 'Status',
              status: 'Failure',
              reason: 'Forbidden',
              code: 403,
              message: 'no exec for you',
            }),
        );
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.exec(ws, url));
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

const send = (ws: WebSocket, channel: number, data: string) =>
  ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));

describe('skiff logs / exec', () => {
  let fake: FakePodServer;
  beforeEach(async () => {
    fake = new FakePodServer();
    await fake.start();
  });
  afterEach(() => fake.stop());

  it('logs: picks the container, passes the flags, and copies the stream to stdout', async () => {
    const res = await testCli({ server: fake.url }).run('logs', 'web', '-f', '--tail', '5', '--timestamps');
    expect(res).toEqual({
      code: 0,
      stdout: 'line 1\nline 2\n',
      stderr: 'Defaulted container "app" out of: app, side\n',
    });
    const q = fake.requests.find((u) => u.pathname.endsWith('/log'))!.searchParams;
    expect(Object.fromEntries(q)).toEqual({
      container: 'app',
      follow: 'true',
      tailLines: '5',
      timestamps: 'true',
    });
  });

  it('logs: reports a missing pod like kubectl', async () => {
    expect(await testCli({ server: fake.url }).run('logs', 'nope')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): pods "nope" not found\n',
    });
  });

  it('exec: sends the command, prints both streams and exits with the command’s code', async () => {
    fake.exec = (ws) => {
      send(ws, 1, 'out\n');
      send(ws, 2, 'err\n');
      send(
        ws,
        3,
        JSON.stringify({
          metadata: {},
          status: 'Failure',
          reason: 'NonZeroExitCode',
          message: 'command terminated with non-zero exit code: exit status 3',
          details: { causes: [{ reason: 'ExitCode', message: '3' }] },
        }),
      );
      ws.close(1000);
    };
    const res = await testCli({ server: fake.url }).run(
      'exec',
      'web',
      '-c',
      'side',
      '--',
      'sh',
      '-c',
      'exit 3',
    );
    expect(res).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\ncommand terminated with exit code 3\n' });
    const q = fake.requests.find((u) => u.pathname.endsWith('/exec'))!.searchParams;
    expect(q.getAll('command')).toEqual(['sh', '-c', 'exit 3']);
    expect(Object.fromEntries([...q].filter(([k]) => k !== 'command'))).toEqual({
      container: 'side',
      stdout: 'true',
      stderr: 'true',
    });
  });

  it('exec -i: forwards stdin and its end ([255, 0]), then succeeds', async () => {
    const received: number[][] = [];
    fake.exec = (ws) => {
      ws.on('message', (data: Buffer) => {
        received.push([...data.subarray(0, 2)]);
        if (data[0] === 0) send(ws, 1, data.subarray(1).toString().toUpperCase());
        if (data[0] === 255 && data[1] === 0) {
          send(ws, 3, JSON.stringify({ metadata: {}, status: 'Success' }));
          ws.close(1000);
        }
      });
    };
    const cli = testCli({
      server: fake.url,
      stdin: Readable.from([Buffer.from('hello ')], { objectMode: false }),
    });
    const res = await cli.run('exec', '-i', 'web', '--', 'tr', 'a-z', 'A-Z');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('HELLO ');
    expect(received.at(-1)).toEqual([255, 0]);
    const q = fake.requests.find((u) => u.pathname.endsWith('/exec'))!.searchParams;
    expect(q.get('stdin')).toBe('true');
  });

  it('exec -t without a terminal falls back to no TTY, as kubectl does', async () => {
    fake.exec = (ws) => {
      send(ws, 3, JSON.stringify({ metadata: {}, status: 'Success' }));
      ws.close(1000);
    };
    const res = await testCli({ server: fake.url }).run('exec', '-it', 'web', '--', 'sh');
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    const q = fake.requests.find((u) => u.pathname.endsWith('/exec'))!.searchParams;
    expect(q.get('tty')).toBeNull();
  });

  it('exec -it on a terminal: raw mode, resize on channel 4, no separate stderr', async () => {
    const frames: Buffer[] = [];
    fake.exec = (ws) => {
      ws.on('message', (data: Buffer) => {
        frames.push(data);
        if (data[0] === 4) {
          send(ws, 3, JSON.stringify({ metadata: {}, status: 'Success' }));
          ws.close(1000);
        }
      });
    };
    const modes: boolean[] = [];
    const stdin = Object.assign(new Readable({ read() {} }), {
      isTTY: true,
      setRawMode: (m: boolean) => modes.push(m),
    });
    const cli = testCli({ server: fake.url, stdin });
    cli.stdout.columns = 132;
    cli.stdout.rows = 43;
    const res = await cli.run('exec', '-it', 'web', '--', 'sh');
    expect(res.code).toBe(0);
    expect(modes).toEqual([true, false]);
    expect(JSON.parse(frames[0].subarray(1).toString())).toEqual({ Width: 132, Height: 43 });
    const q = fake.requests.find((u) => u.pathname.endsWith('/exec'))!.searchParams;
    expect(q.get('tty')).toBe('true');
    expect(q.get('stderr')).toBeNull();
  });

  it('exec: a refused upgrade is reported from the server Status', async () => {
    fake.refuseExec = true;
    expect(await testCli({ server: fake.url }).run('exec', 'web', '--', 'ls')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Defaulted container "app" out of: app, side\nError from server (Forbidden): no exec for you\n',
    });
  });
});
