import http from 'node:http';
import { Readable } from 'node:stream';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeNodeAgent } from '../../test/fakes/fake-node-agent.js';
import { MemoryStore } from '../store/memory-store.js';
import type { NodeProxy } from './node-proxy.js';
import { startApiServer, type RunningApiServer } from './server.js';
import { createNode, harness, pod, PODS, runningPod } from './test-support.js';

const LOG_URL = '/api/v1/namespaces/default/pods/web/log';

let agent: FakeNodeAgent;
beforeEach(async () => {
  agent = await new FakeNodeAgent().start();
});
afterEach(async () => {
  await agent.stop();
});

async function setup() {
  const h = await harness();
  await createNode(h.service, 'n1', '127.0.0.1', agent.port);
  return h;
}

describe('pods/log', () => {
  it('streams the agent’s log of the container', async () => {
    const { app, service } = await setup();
    await runningPod(service, 'web', 'n1');
    agent.logs['default/web/app'] = 'one\ntwo\nthree\n';
    const res = await request(app).get(`${LOG_URL}?container=app&tailLines=2&timestamps=true`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toBe('two\nthree\n');
    const seen = agent.requests.at(-1)!;
    expect(seen.path).toBe('/containerLogs/default/web/app');
    expect(seen.query.get('tailLines')).toBe('2');
    expect(seen.query.get('timestamps')).toBe('true');
  });

  it('404 for a missing pod, 400 for a bad or ambiguous container', async () => {
    const { app, service } = await setup();
    const missing = await request(app).get(LOG_URL).expect(404);
    expect(missing.body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'pods "web" not found',
    });

    await runningPod(service, 'web', 'n1', ['a', 'b']);
    const bad = await request(app).get(`${LOG_URL}?container=nope`).expect(400);
    expect(bad.body.message).toBe('container nope is not valid for pod web');
    const ambiguous = await request(app).get(LOG_URL).expect(400);
    expect(ambiguous.body.message).toBe(
      'a container name must be specified for pod web, choose one of: [a b]',
    );

    await service.patch(PODS, 'default', 'web', 'merge', {
      metadata: { annotations: { 'kubectl.kubernetes.io/default-container': 'b' } },
    });
    agent.logs['default/web/b'] = 'from b\n';
    expect((await request(app).get(LOG_URL).expect(200)).text).toBe('from b\n');
  });

  it('400 while the container has not started', async () => {
    const { app, service } = await setup();
    await service.create(PODS, 'default', pod('web'));
    const res = await request(app).get(LOG_URL).expect(400);
    expect(res.body.message).toBe('container "app" in pod "web" is waiting to start: ContainerCreating');
    await service.bind('default', 'web', { target: { name: 'n1' } });
    const current = await service.get(PODS, 'default', 'web');
    current.status.containerStatuses = [
      {
        name: 'app',
        image: 'x',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { waiting: { reason: 'ErrImageNeverPull' } },
        lastState: {},
      },
    ];
    await service.updateStatus(PODS, 'default', 'web', current);
    const waiting = await request(app).get(LOG_URL).expect(400);
    expect(waiting.body.message).toBe('container "app" in pod "web" is waiting to start: ErrImageNeverPull');
  });

  it('passes the agent’s refusal on (previous container missing), 503 when the agent is down', async () => {
    const { app, service } = await setup();
    await runningPod(service, 'web', 'n1');
    agent.logs['default/web/app'] = 'x\n';
    const prev = await request(app).get(`${LOG_URL}?previous=true`).expect(400);
    expect(prev.body.message).toContain('previous terminated container "app" in pod "web" not found');
    await agent.stop();
    const down = await request(app).get(LOG_URL).expect(503);
    expect(down.body).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
    agent = await new FakeNodeAgent().start(); // for afterEach
  });

  it('rejects negative tailLines', async () => {
    const { app, service } = await setup();
    await runningPod(service, 'web', 'n1');
    await request(app).get(`${LOG_URL}?tailLines=-1`).expect(422);
  });

  it('uses an injected NodeProxy (the seam for fake agents)', async () => {
    const calls: string[] = [];
    const fake: NodeProxy = {
      async containerLogs(node, target, query) {
        calls.push(
          `${node.host}:${node.port} ${target.namespace}/${target.pod}/${target.container} ${query}`,
        );
        return { statusCode: 200, contentType: 'text/plain', body: Readable.from(['hello\n']) };
      },
      openStream: () => Promise.reject(new Error('unused')),
    };
    const h = await harness({ nodeProxy: fake });
    await createNode(h.service, 'n1', '10.0.0.7', 10250);
    await runningPod(h.service, 'web', 'n1');
    expect((await request(h.app).get(`${LOG_URL}?follow=true`).expect(200)).text).toBe('hello\n');
    expect(calls).toEqual(['10.0.0.7:10250 default/web/app follow=true']);
  });
});

describe('pods/log follow over a real server', () => {
  let server: RunningApiServer;
  afterEach(async () => server?.close());

  it('streams lines as the agent writes them and drops the upstream when the client leaves', async () => {
    server = await startApiServer({ listen: '127.0.0.1:0', store: new MemoryStore() });
    await createNode(server.service, 'n1', '127.0.0.1', agent.port);
    await runningPod(server.service, 'web', 'n1');
    agent.logs['default/web/app'] = 'first\n';
    const chunks: string[] = [];
    let notify: () => void = () => undefined;
    const req = http.get(`${server.url}${LOG_URL}?container=app&follow=true`);
    const res = await new Promise<http.IncomingMessage>((r) => req.on('response', r));
    expect(res.statusCode).toBe(200);
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      chunks.push(c);
      notify();
    });
    const waitFor = async (text: string) => {
      while (!chunks.join('').includes(text)) await new Promise<void>((r) => (notify = r));
    };
    await waitFor('first\n');
    agent.follow('default/web/app', 'second\n');
    await waitFor('second\n');
    expect(agent.followers()).toBe(1);
    req.destroy();
    for (let i = 0; i < 100 && agent.followers() > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(agent.followers()).toBe(0);
  });
});
