// The agent API accepts only the master: over TLS with the node's CA-signed certificate, a client without a
// certificate gets 401, one with another identity's certificate 403, and the master's HttpNodeProxy (its
// kubelet-client certificate, checking the agent's CN) reads logs. A master dialling the wrong node refuses it.
import https from 'node:https';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Pod } from '../../src/api/types.js';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { KUBELET_CLIENT_CN } from '../../src/apiserver/auth/identities.js';
import {
  createCertificateAuthority,
  issueCertificate,
  type CertKeyPair,
} from '../../src/apiserver/auth/pki.js';
import { HttpNodeProxy } from '../../src/apiserver/node-proxy.js';
import { FakeContainerRuntime } from '../../test/fakes/fake-container-runtime.js';
import { LABEL_ATTEMPT, LABEL_CONTAINER_NAME, podLabels, SANDBOX_NAME } from './labels.js';
import { createAgentServer } from './server.js';

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', uid: 'uid-web' },
  spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'busybox:1' }] },
  status: { containerStatuses: [] },
};

const runtime = new FakeContainerRuntime(systemClock);
let server: http.Server;
let port: number;
let ca: CertKeyPair;
let master: CertKeyPair;
let otherNode: CertKeyPair;

beforeAll(async () => {
  const now = Date.now();
  ca = await createCertificateAuthority('skiff-ca', now);
  const serving = await issueCertificate(
    ca,
    { commonName: 'system:node:node-1', usage: 'server', validityDays: 1 },
    now,
  );
  master = await issueCertificate(
    ca,
    { commonName: KUBELET_CLIENT_CN, usage: 'client', validityDays: 1 },
    now,
  );
  otherNode = await issueCertificate(
    ca,
    { commonName: 'system:node:node-2', usage: 'client', validityDays: 1 },
    now,
  );

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
  runtime.setBehaviour('app', { output: 'hello from app\n' });
  const id = await runtime.createContainer({
    name: 'skiff_app_web_default_uid-web_0',
    labels: { ...podLabels('node-1', pod), [LABEL_CONTAINER_NAME]: 'app', [LABEL_ATTEMPT]: '0' },
    image: 'busybox:1',
    sandboxId,
    env: [],
    mounts: [],
    resources: {},
  });
  await runtime.startContainer(id);

  server = createAgentServer({
    runtime,
    pods: { getPod: (ns, name) => (ns === 'default' && name === 'web' ? pod : undefined) },
    nodeName: 'node-1',
    clock: systemClock,
    log: silentLogger,
    tls: { ca: ca.certPem, cert: serving.certPem, key: serving.keyPem },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function get(path: string, client?: CertKeyPair): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(
        {
          host: '127.0.0.1',
          port,
          path,
          ca: ca.certPem,
          ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
          // The agent's certificate names the node, not an address (the master checks the CN).
          checkServerIdentity: () => undefined,
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      )
      .on('error', reject);
  });
}

describe('the agent API over TLS', () => {
  it('answers /healthz to anyone', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: 'ok' });
  });

  it('refuses a client without a certificate with 401', async () => {
    const res = await get('/containerLogs/default/web/app');
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('refuses a client whose certificate is not the master’s with 403', async () => {
    const res = await get('/containerLogs/default/web/app', otherNode);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).message).toBe(
      'forbidden: User "system:node:node-2" cannot use the agent API: only the master may',
    );
  });

  it('refuses a certificate from another CA with 401', async () => {
    const stranger = await createCertificateAuthority('skiff-ca', Date.now());
    const fake = await issueCertificate(
      stranger,
      { commonName: KUBELET_CLIENT_CN, usage: 'client', validityDays: 1 },
      Date.now(),
    );
    expect((await get('/containerLogs/default/web/app', fake)).status).toBe(401);
  });

  it('refuses an exec upgrade without the master’s certificate', async () => {
    const code = await new Promise<number>((resolve, reject) => {
      // The CA is checked; the name is not (the agent's certificate names the node, not an address).
      const tls: https.RequestOptions = { ca: ca.certPem, checkServerIdentity: () => undefined };
      const ws = new WebSocket(
        `wss://127.0.0.1:${port}/exec/default/web/app?command=sh`,
        ['v5.channel.k8s.io'],
        tls,
      );
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', reject);
    });
    expect(code).toBe(401);
  });

  it('serves the master, which checks that it reached the node it meant', async () => {
    const proxy = new HttpNodeProxy({ tls: { ca: ca.certPem, cert: master.certPem, key: master.keyPem } });
    const target = { namespace: 'default', pod: 'web', container: 'app' };
    const res = await proxy.containerLogs(
      { nodeName: 'node-1', host: '127.0.0.1', port },
      target,
      new URLSearchParams(),
      new AbortController().signal,
    );
    expect(res.statusCode).toBe(200);
    let text = '';
    for await (const chunk of res.body) text += String(chunk);
    expect(text).toBe('hello from app\n');
    await expect(
      proxy.containerLogs(
        { nodeName: 'node-2', host: '127.0.0.1', port },
        target,
        new URLSearchParams(),
        new AbortController().signal,
      ),
    ).rejects.toThrow(/certificate is for "system:node:node-1", not system:node:node-2/);
  });
});
