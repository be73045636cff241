// The prober adapter against real HTTP and TCP servers on loopback, and exec through the fake runtime.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Container } from '../../../src/api/types.js';
import { systemClock } from '../../../src/common/clock.js';
import { FakeContainerRuntime } from '../../../test/fakes/fake-container-runtime.js';
import type { InteractiveSession } from '../../runtime/container-runtime.js';
import { HttpTcpExecProber } from './http-tcp-exec-prober.js';
import { probeRequest, type ProbeRequest } from './prober.js';

const runtime = new FakeContainerRuntime(systemClock);
const prober = new HttpTcpExecProber({ runtime });
const seen: http.IncomingHttpHeaders[] = [];
let server: http.Server;
let port: number;

const never = () => new AbortController().signal;
const web: Container = { name: 'web', image: 'busybox:1', ports: [{ name: 'http', containerPort: 0 }] };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const url = new URL(req.url ?? '/', 'http://x');
    const hops = Number(url.searchParams.get('hops') ?? 0);
    switch (url.pathname) {
      case '/ok':
        return res.end('all good');
      case '/fail':
        res.statusCode = 500;
        return res.end('broken inside');
      case '/big':
        return res.end('x'.repeat(50 * 1024));
      case '/slow':
        return; // never answers
      case '/redirect-here':
        res.writeHead(302, { location: '/ok' });
        return res.end();
      case '/redirect-away':
        // Same server, other host name: not followed.
        res.writeHead(301, { location: `http://localhost:${port}/ok` });
        return res.end('moved');
      case '/loop':
        res.writeHead(307, { location: `/loop?hops=${hops + 1}` });
        return res.end();
      case '/redirect-fail':
        res.writeHead(302, { location: '/fail' });
        return res.end();
      default:
        res.statusCode = 404;
        return res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  web.ports![0].containerPort = port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string, headers?: { name: string; value: string }[]) =>
  probeRequest({ httpGet: { path, port: 'http', httpHeaders: headers } }, web, 'cid', '127.0.0.1');

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const p = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return p;
}

describe('HTTP probes', () => {
  it('200: success with the body; a named port resolves; the kubelet headers are sent', async () => {
    const req = get('/ok', [
      { name: 'x-custom', value: 'a' },
      { name: 'X-Custom', value: 'b' },
      { name: 'host', value: 'example.test' },
    ]);
    expect(req).toMatchObject({ kind: 'http', url: `http://127.0.0.1:${port}/ok` });
    seen.length = 0;
    expect(await prober.run(req, never())).toEqual({ result: 'success', output: 'all good' });
    expect(seen[0]).toMatchObject({
      'user-agent': 'kube-probe/1.32',
      accept: '*/*',
      'x-custom': 'a, b',
      host: 'example.test',
      connection: 'close',
    });
  });

  it('500 and 404: failure with the status code only', async () => {
    expect(await prober.run(get('/fail'), never())).toEqual({
      result: 'failure',
      output: 'HTTP probe failed with statuscode: 500',
    });
    expect((await prober.run(get('/missing'), never())).output).toBe(
      'HTTP probe failed with statuscode: 404',
    );
  });

  it('a server that does not answer in time: the Go client timeout message', async () => {
    const req = get('/slow');
    const a = await prober.run(req, AbortSignal.timeout(200));
    expect(a).toEqual({
      result: 'failure',
      output: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    });
  });

  it('connection refused', async () => {
    const p = await closedPort();
    const req = probeRequest({ httpGet: { path: '/healthz', port: p } }, web, 'cid', '127.0.0.1');
    expect(await prober.run(req, never())).toEqual({
      result: 'failure',
      output: `Get "http://127.0.0.1:${p}/healthz": dial tcp 127.0.0.1:${p}: connect: connection refused`,
    });
  });

  it('redirects: followed on the same host, not to another host (warning), at most 10', async () => {
    expect(await prober.run(get('/redirect-here'), never())).toEqual({
      result: 'success',
      output: 'all good',
    });
    expect((await prober.run(get('/redirect-fail'), never())).result).toBe('failure');
    expect(await prober.run(get('/redirect-away'), never())).toEqual({
      result: 'warning',
      output: 'Probe terminated redirects, Response body: moved',
    });
    expect(await prober.run(get('/loop'), never())).toEqual({
      result: 'failure',
      output: `Get "http://127.0.0.1:${port}/loop?hops=11": stopped after 10 redirects`,
    });
  });

  it('reads at most 10 KiB of the body', async () => {
    const a = await prober.run(get('/big'), never());
    expect(a.result).toBe('success');
    expect(a.output).toHaveLength(10 * 1024);
  });
});

describe('TCP probes', () => {
  it('connects: success; nothing listening: connection refused; aborted: i/o timeout', async () => {
    const tcp = (p: number): ProbeRequest => ({ kind: 'tcp', host: '127.0.0.1', port: p });
    expect(await prober.run(tcp(port), never())).toEqual({ result: 'success', output: '' });
    const p = await closedPort();
    expect(await prober.run(tcp(p), never())).toEqual({
      result: 'failure',
      output: `dial tcp 127.0.0.1:${p}: connect: connection refused`,
    });
    const ac = new AbortController();
    const pending = prober.run(tcp(port), ac.signal);
    ac.abort(); // before the connection completes
    expect(await pending).toEqual({ result: 'failure', output: `dial tcp 127.0.0.1:${port}: i/o timeout` });
  });

  it('resolves a named port and defaults the host to the pod IP', () => {
    expect(probeRequest({ tcpSocket: { port: 'http' } }, web, 'cid', '10.244.0.9')).toEqual({
      kind: 'tcp',
      host: '10.244.0.9',
      port,
    });
  });
});

describe('exec probes (through the runtime)', () => {
  async function container(): Promise<string> {
    runtime.addImage('busybox:1');
    runtime.addImage('pause');
    const sb = await runtime.createSandbox({
      name: `sb-${Math.random()}`,
      labels: {},
      image: 'pause',
      hostname: 'x',
      network: 'bridge',
      ports: [],
      mounts: [],
    });
    const id = await runtime.createContainer({
      name: `c-${Math.random()}`,
      labels: {},
      image: 'busybox:1',
      sandboxId: sb,
      env: [],
      mounts: [],
      resources: {},
    });
    await runtime.startContainer(id);
    return id;
  }

  it('exit 0: success with the output; non-zero: failure with stdout and stderr', async () => {
    const id = await container();
    runtime.execHandler = (_c, cmd) =>
      cmd[1] === '/tmp/alive'
        ? { stdout: 'yes\n', exitCode: 0 }
        : { stdout: 'partial ', stderr: "cat: can't open '/tmp/gone'", exitCode: 1 };
    const exec = (command: string[]): ProbeRequest => ({ kind: 'exec', containerId: id, command });
    expect(await prober.run(exec(['cat', '/tmp/alive']), never())).toEqual({
      result: 'success',
      output: 'yes\n',
    });
    const failed = await prober.run(exec(['cat', '/tmp/gone']), never());
    expect(failed.result).toBe('failure');
    expect(failed.output).toContain("cat: can't open '/tmp/gone'");
    expect(failed.output).toContain('partial ');
  });

  it('a container that is not running: error (thrown away by the worker)', async () => {
    const id = await container();
    runtime.kill(id);
    const a = await prober.run({ kind: 'exec', containerId: id, command: ['true'] }, never());
    expect(a.result).toBe('error');
    expect(a.output).toMatch(/is not running/);
  });

  it('a command that outlives the timeout: the kubelet timeout message, and the session is closed', async () => {
    let closed = false;
    const hanging = new FakeContainerRuntime(systemClock);
    hanging.exec = async (): Promise<InteractiveSession> => ({
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      resize: async () => undefined,
      exitCode: () => new Promise<number>(() => undefined),
      close: () => {
        closed = true;
      },
    });
    const p = new HttpTcpExecProber({ runtime: hanging });
    const a = await p.run(
      { kind: 'exec', containerId: 'x', command: ['sleep', '100'] },
      AbortSignal.timeout(100),
    );
    expect(a).toEqual({ result: 'failure', output: 'command "sleep 100" timed out' });
    expect(closed).toBe(true);
  });

  it('expands $(VAR) from static env values only', () => {
    const c: Container = {
      name: 'c',
      env: [
        { name: 'FILE', value: '/tmp/alive' },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
    };
    expect(
      probeRequest({ exec: { command: ['cat', '$(FILE)', '$(POD)', '$$(FILE)'] } }, c, 'id', undefined),
    ).toEqual({
      kind: 'exec',
      containerId: 'id',
      command: ['cat', '/tmp/alive', '$(POD)', '$(FILE)'],
    });
  });
});

describe('probeRequest', () => {
  it('URL building: scheme, explicit host, path without a slash, IPv6 pod IPs', () => {
    const c: Container = { name: 'c' };
    expect(probeRequest({ httpGet: { port: 80 } }, c, 'id', '10.0.0.1')).toMatchObject({
      url: 'http://10.0.0.1:80/',
    });
    expect(
      probeRequest(
        { httpGet: { port: 8443, scheme: 'HTTPS', host: 'svc.local', path: 'z?x=1' } },
        c,
        'id',
        '10.0.0.1',
      ),
    ).toMatchObject({ url: 'https://svc.local:8443/z?x=1' });
    expect(probeRequest({ httpGet: { port: 80, path: '//x' } }, c, 'id', 'fd00::5')).toMatchObject({
      url: 'http://[fd00::5]:80//x',
    });
  });

  it('unknown port names, bad ports, no pod IP and no handler are configuration errors', () => {
    const c: Container = { name: 'c', ports: [{ name: 'http', containerPort: 80 }] };
    expect(() => probeRequest({ httpGet: { port: 'metrics' } }, c, 'id', '10.0.0.1')).toThrow(
      "couldn't find port: metrics in c",
    );
    expect(() => probeRequest({ tcpSocket: { port: 70000 } }, c, 'id', '10.0.0.1')).toThrow(
      'invalid port number: 70000',
    );
    expect(() => probeRequest({ tcpSocket: { port: 80 } }, c, 'id', undefined)).toThrow('no IP address');
    expect(() => probeRequest({}, c, 'id', '10.0.0.1')).toThrow('missing probe handler');
  });

  it('Accept can be replaced or suppressed; User-Agent can be replaced', () => {
    const c: Container = { name: 'c' };
    const headers = (h: { name: string; value: string }[]) =>
      (probeRequest({ httpGet: { port: 80, httpHeaders: h } }, c, 'id', '10.0.0.1') as { headers: unknown })
        .headers;
    expect(headers([{ name: 'accept', value: '' }])).toEqual([['User-Agent', 'kube-probe/1.32']]);
    expect(headers([{ name: 'user-agent', value: 'me' }])).toEqual([
      ['User-Agent', 'me'],
      ['Accept', '*/*'],
    ]);
  });
});
