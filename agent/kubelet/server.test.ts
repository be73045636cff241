// The agent server over the fake runtime: logs through supertest, exec/attach over a real WebSocket on port 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { WebSocket } from 'ws';
import type { Pod } from '../../src/api/types.js';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { FakeContainerRuntime } from '../../test/fakes/fake-container-runtime.js';
import {
  containerHash,
  LABEL_ATTEMPT,
  LABEL_CONTAINER_NAME,
  LABEL_HASH,
  podLabels,
  SANDBOX_NAME,
} from './labels.js';
import { createAgentServer } from './server.js';

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', uid: 'uid-web' },
  spec: {
    nodeName: 'node-1',
    containers: [
      { name: 'app', image: 'busybox:1' },
      { name: 'idle', image: 'busybox:1' },
    ],
  },
  status: { containerStatuses: [] },
};

const runtime = new FakeContainerRuntime(systemClock);
let server: http.Server;
let base: string;
let appId: string;

async function startContainer(
  name: string,
  attempt: number,
  sandboxId: string,
  output: string,
): Promise<string> {
  runtime.setBehaviour(name, { output });
  const id = await runtime.createContainer({
    name: `skiff_${name}_web_default_uid-web_${attempt}`,
    labels: {
      ...podLabels('node-1', pod),
      [LABEL_CONTAINER_NAME]: name,
      [LABEL_ATTEMPT]: String(attempt),
      [LABEL_HASH]: containerHash(pod.spec.containers[0]),
    },
    image: 'busybox:1',
    sandboxId,
    env: [],
    mounts: [],
    resources: {},
  });
  await runtime.startContainer(id);
  return id;
}

beforeAll(async () => {
  runtime.addImage('skiff/pause:3.10');
  runtime.addImage('busybox:1');
  const sandboxId = await runtime.createSandbox({
    name: 'skiff_POD_web_default_uid-web_0',
    labels: { ...podLabels('node-1', pod), [LABEL_CONTAINER_NAME]: SANDBOX_NAME, [LABEL_ATTEMPT]: '0' },
    image: 'skiff/pause:3.10',
    hostname: 'web',
    network: 'bridge',
    ports: [],
    mounts: [],
  });
  await runtime.startContainer(sandboxId);
  const first = await startContainer('app', 0, sandboxId, 'first run\n');
  runtime.kill(first, 1);
  appId = await startContainer('app', 1, sandboxId, 'line 1\nline 2\nline 3\n');
  server = createAgentServer({
    runtime,
    pods: { getPod: (ns, name) => (ns === 'default' && name === 'web' ? pod : undefined) },
    nodeName: 'node-1',
    clock: systemClock,
    log: silentLogger,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('agent server: logs', () => {
  it('answers /healthz', async () => {
    const res = await request(server).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.text).toBe('ok');
  });

  it('serves the current container log as text/plain, with tailLines and limitBytes', async () => {
    const res = await request(server).get('/containerLogs/default/web/app');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toBe('line 1\nline 2\nline 3\n');
    expect((await request(server).get('/containerLogs/default/web/app?tailLines=1')).text).toBe('line 3\n');
    expect((await request(server).get('/containerLogs/default/web/app?limitBytes=4')).text).toBe('line');
  });

  it('serves the previous (terminated) container with previous=true', async () => {
    const res = await request(server).get('/containerLogs/default/web/app?previous=true');
    expect(res.status).toBe(200);
    expect(res.text).toBe('first run\n');
  });

  it('answers Status errors the way kubectl prints them', async () => {
    const missing = await request(server).get('/containerLogs/default/nope/app');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      kind: 'Status',
      code: 404,
      reason: 'NotFound',
      message: 'pods "nope" not found',
    });
    const waiting = await request(server).get('/containerLogs/default/web/idle');
    expect(waiting.status).toBe(400);
    expect(waiting.body.message).toBe('container "idle" in pod "web" is waiting to start: ContainerCreating');
    const noPrevious = await request(server).get('/containerLogs/default/web/idle?previous=true');
    expect(noPrevious.body.message).toBe('previous terminated container "idle" in pod "web" not found');
    const invalid = await request(server).get('/containerLogs/default/web/other');
    expect(invalid.body.message).toBe('container other is not valid for pod web');
    const bad = await request(server).get('/containerLogs/default/web/app?tailLines=-3');
    expect(bad.status).toBe(400);
  });

  it('follows a log until the container stops', async () => {
    const res = request(server).get('/containerLogs/default/web/app?follow=true');
    setTimeout(() => runtime.kill(appId, 0), 100);
    const done = await res;
    expect(done.text).toBe('line 1\nline 2\nline 3\n');
    // Restart it for the exec tests.
    await runtime.startContainer(appId);
  });
});

interface Frames {
  stdout: string;
  stderr: string;
  status?: any;
  closeCode?: number;
  protocol?: string;
}

function stream(
  path: string,
  send: (ws: WebSocket) => void = () => undefined,
  protocol = 'v5.channel.k8s.io',
): Promise<Frames> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}${path}`, [protocol]);
    const out: Frames = { stdout: '', stderr: '' };
    ws.on('open', () => {
      out.protocol = ws.protocol;
      send(ws);
    });
    ws.on('message', (data: Buffer) => {
      const payload = data.subarray(1).toString();
      if (data[0] === 1) out.stdout += payload;
      if (data[0] === 2) out.stderr += payload;
      if (data[0] === 3) out.status = JSON.parse(payload);
    });
    ws.on('close', (code) => resolve({ ...out, closeCode: code }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

describe('agent server: exec and attach over WebSocket', () => {
  it('runs a command and reports success on channel 3, then closes normally', async () => {
    const r = await stream('/exec/default/web/app?command=echo&command=hi&stdout=true&stderr=true');
    expect(r.protocol).toBe('v5.channel.k8s.io');
    expect(r.stdout).toBe('echo hi\n');
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
    expect(r.closeCode).toBe(1000);
  });

  it('reports a non-zero exit code as kubectl expects it', async () => {
    runtime.execHandler = () => ({ stderr: 'boom\n', exitCode: 3 });
    const r = await stream('/exec/default/web/app?command=false&stdout=true&stderr=true');
    expect(r.stderr).toBe('boom\n');
    expect(r.status).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: exit status 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('feeds stdin from channel 0 until the v5 close-stream frame, even when sent before the exec exists', async () => {
    runtime.execHandler = (_c, _cmd, stdin) => ({ stdout: stdin.toUpperCase(), exitCode: 0 });
    // A slow engine: all input (and stdin EOF) arrives while the exec is still being created.
    const exec = runtime.exec.bind(runtime);
    runtime.exec = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return exec(...args);
    };
    const r = await stream('/exec/default/web/app?command=cat&stdin=true&stdout=true&stderr=true', (ws) => {
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello ')]));
      ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":80,"Height":24}')]));
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('world')]));
      ws.send(Buffer.from([255, 0]));
    });
    runtime.exec = exec;
    expect(r.stdout).toBe('HELLO WORLD');
    expect(r.status.status).toBe('Success');
  });

  it('accepts v4.channel.k8s.io too, and attaches to the container output', async () => {
    const r = await stream('/attach/default/web/app?stdout=true&stderr=true', undefined, 'v4.channel.k8s.io');
    expect(r.protocol).toBe('v4.channel.k8s.io');
    expect(r.stdout).toContain('line 1');
    expect(r.status.status).toBe('Success');
  });

  it('refuses with a Status when the container cannot be exec-ed into', async () => {
    await expect(stream('/exec/default/web/idle?command=sh')).rejects.toThrow('HTTP 400');
    await expect(stream('/exec/default/nope/app?command=sh')).rejects.toThrow('HTTP 404');
    await expect(stream('/exec/default/web/app?command=sh', undefined, 'channel.k8s.io')).rejects.toThrow(
      'HTTP 400',
    );
    const plain = await request(server).get('/exec/default/web/app?command=sh');
    expect(plain.status).toBe(400);
    expect(plain.body.message).toBe('Upgrade request required');
  });
});
