import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FakeNodeAgent } from '../../test/fakes/fake-node-agent.js';
import { MemoryStore } from '../store/memory-store.js';
import { chooseStreamProtocol, statusFrame } from './exec-proxy.js';
import { startApiServer, type RunningApiServer } from './server.js';
import { createNode, pod, PODS, runningPod } from './test-support.js';

interface Session {
  ws: WebSocket;
  frames: Buffer[];
  closed: Promise<{ code: number }>;
}

function connect(url: string, protocols = ['v5.channel.k8s.io']): Promise<Session> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    const frames: Buffer[] = [];
    ws.on('message', (d: Buffer) => frames.push(d));
    const closed = new Promise<{ code: number }>((r) => ws.on('close', (code) => r({ code })));
    ws.once('open', () => resolve({ ws, frames, closed }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () =>
        reject(Object.assign(new Error(body), { statusCode: res.statusCode, body: JSON.parse(body) })),
      );
    });
    ws.once('error', reject);
  });
}

function channel(frames: Buffer[], n: number): string {
  return frames
    .filter((f) => f[0] === n)
    .map((f) => f.subarray(1).toString())
    .join('');
}

let agent: FakeNodeAgent;
let server: RunningApiServer;
let base: string;

beforeEach(async () => {
  agent = await new FakeNodeAgent().start();
  server = await startApiServer({ listen: '127.0.0.1:0', store: new MemoryStore() });
  base = server.url.replace('http:', 'ws:') + '/api/v1/namespaces/default/pods';
  await createNode(server.service, 'n1', '127.0.0.1', agent.port);
  await runningPod(server.service, 'web', 'n1');
  agent.logs['default/web/app'] = 'x';
});
afterEach(async () => {
  await server.close();
  await agent.stop();
});

describe('pods/exec over WebSocket', () => {
  it('relays frames both ways with v5.channel.k8s.io and ends with the channel-3 Status', async () => {
    const s = await connect(`${base}/web/exec?command=echo&command=hi&container=app&stdout=true&stderr=true`);
    expect(s.ws.protocol).toBe('v5.channel.k8s.io');
    const { code } = await s.closed;
    expect(code).toBe(1000);
    expect(channel(s.frames, 1)).toBe('ran: echo hi\n');
    expect(JSON.parse(channel(s.frames, 3))).toEqual({ metadata: {}, status: 'Success' });
    const seen = agent.requests.at(-1)!;
    expect(seen).toMatchObject({
      kind: 'exec',
      path: '/exec/default/web/app',
      protocol: 'v5.channel.k8s.io',
    });
    expect(seen.query.getAll('command')).toEqual(['echo', 'hi']);
    expect(seen.query.get('container')).toBeNull();
  });

  it('forwards stdin and the v5 close-stdin signal', async () => {
    const s = await connect(`${base}/web/exec?command=cat&container=app&stdin=true&stdout=true`);
    s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello')]));
    s.ws.send(Buffer.from([255, 0]));
    await s.closed;
    expect(channel(s.frames, 1)).toBe('ran: cat\nhello');
    expect(JSON.parse(channel(s.frames, 3)).status).toBe('Success');
  });

  it('passes a non-zero exit code Status through (kubectl exits with it)', async () => {
    const s = await connect(`${base}/web/exec?command=exit&command=3&container=app&stdout=true`);
    await s.closed;
    expect(JSON.parse(channel(s.frames, 3))).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('serves attach and accepts v4.channel.k8s.io offered alone', async () => {
    const s = await connect(`${base}/web/attach?container=app&stdout=true`, ['v4.channel.k8s.io']);
    expect(s.ws.protocol).toBe('v4.channel.k8s.io');
    await s.closed;
    expect(agent.requests.at(-1)).toMatchObject({ kind: 'attach', protocol: 'v4.channel.k8s.io' });
  });

  it('sends a Failure Status on channel 3 when the agent cannot be reached', async () => {
    await agent.stop();
    const s = await connect(`${base}/web/exec?command=ls&container=app&stdout=true`);
    const { code } = await s.closed;
    expect(code).toBe(1000);
    expect(JSON.parse(channel(s.frames, 3))).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'ServiceUnavailable',
    });
    agent = await new FakeNodeAgent().start();
  });

  it('passes the agent’s refusal on channel 3 (unknown container on the node)', async () => {
    delete agent.logs['default/web/app'];
    const s = await connect(`${base}/web/exec?command=ls&container=app&stdout=true`);
    await s.closed;
    expect(JSON.parse(channel(s.frames, 3))).toMatchObject({
      status: 'Failure',
      code: 404,
      reason: 'NotFound',
    });
  });

  it('refuses the upgrade with a Status for a missing pod, a bad container, an unscheduled pod, no protocol', async () => {
    await expect(connect(`${base}/nope/exec?command=ls`)).rejects.toMatchObject({
      statusCode: 404,
      body: { reason: 'NotFound' },
    });
    await expect(connect(`${base}/web/exec?command=ls&container=zzz`)).rejects.toMatchObject({
      statusCode: 400,
      body: { message: 'container zzz is not valid for pod web' },
    });
    await server.service.create(PODS, 'default', pod('pending'));
    await expect(connect(`${base}/pending/exec?command=ls`)).rejects.toMatchObject({
      statusCode: 400,
      body: { message: 'pod pending does not have a host assigned' },
    });
    await expect(connect(`${base}/web/exec?command=ls`, ['base64.channel.k8s.io'])).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(
      connect(server.url.replace('http:', 'ws:') + '/api/v1/namespaces/default/pods/web/log'),
    ).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});

describe('pods/exec without WebSocket', () => {
  it('answers a SPDY upgrade (kubectl’s fallback) with a 400 Status', async () => {
    const url = new URL(
      `${server.url}/api/v1/namespaces/default/pods/web/exec?command=ls&container=app&stdout=true`,
    );
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(url, {
        method: 'POST',
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'SPDY/3.1',
          'X-Stream-Protocol-Version': 'v4.channel.k8s.io',
        },
      });
      req.on('response', resolve);
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
    expect(res.statusCode).toBe(400);
    const body = await new Promise<string>((r) => {
      let b = '';
      res.on('data', (c) => (b += c));
      res.on('end', () => r(b));
    });
    expect(JSON.parse(body)).toMatchObject({
      kind: 'Status',
      code: 400,
      message: expect.stringContaining('Upgrade request required'),
    });
  });
});

describe('exec helpers', () => {
  it('prefers v5, then v4', () => {
    expect(chooseStreamProtocol(['v4.channel.k8s.io', 'v5.channel.k8s.io'])).toBe('v5.channel.k8s.io');
    expect(chooseStreamProtocol(['v4.channel.k8s.io'])).toBe('v4.channel.k8s.io');
    expect(chooseStreamProtocol(['channel.k8s.io'])).toBeUndefined();
  });

  it('frames a Status on channel 3', () => {
    const f = statusFrame({ metadata: {}, status: 'Success' });
    expect(f[0]).toBe(3);
    expect(JSON.parse(f.subarray(1).toString())).toEqual({ metadata: {}, status: 'Success' });
  });
});
