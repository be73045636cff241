// runAgent against a real master (API server over SQLite, scheduler) and the real Docker engine: registration and
// heartbeat, a scheduled pod running, its events, `logs` and `exec` through the master, graceful deletion, and an
// agent restart that leaves the pod alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { Event, Node, Pod } from '../../src/api/types.js';
import { EVENTS, NODES, PODS } from '../../src/client/api-client.js';
import { HttpApiClient } from '../../src/client/http-api-client.js';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { startMaster, type RunningMaster } from '../../src/master.js';
import { runAgent, type AgentHandle } from '../../agent/agent.js';
import { DockerContainerRuntime } from '../../agent/runtime/docker-container-runtime.js';
import { importBusyboxImage } from '../../agent/runtime/busybox-rootfs.js';
import { LABEL_NODE, LABEL_POD_UID } from '../../agent/kubelet/labels.js';

const run = `${process.pid}-${Date.now().toString(36)}`;
const NODE = `it-agent-${run}`;
const BUSYBOX = `skiff-test/busybox:${run}`;
const tmp = mkdtempSync(join(tmpdir(), 'skiff-it-agent-'));
const runtime = new DockerContainerRuntime();

let master: RunningMaster;
let agent: AgentHandle | undefined;
let client: HttpApiClient;

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await systemClock.sleep(150);
  }
}

// The agent joins the (HTTPS) master like any node: a join token and the CA. Its second start uses the saved
// credential.
const startAgent = async () =>
  runAgent({
    masterUrl: master.url,
    token: (await master.credentials.tokens.create({ role: 'join', ttlMs: 600_000 })).token,
    ca: master.credentials.caPem,
    nodeName: NODE,
    nodeIP: '127.0.0.1',
    port: 0,
    dataDir: join(tmp, 'agent'),
    heartbeatSeconds: 2,
    resyncSeconds: 2,
    // The host's networking stays untouched: pods on Docker's default bridge, no service proxy.
    podNetwork: 'bridge',
    proxy: false,
    logger: silentLogger,
  });

const getPod = () => client.get<Pod>(PODS, 'default', 'hello');

beforeAll(async () => {
  await importBusyboxImage(runtime, BUSYBOX);
  master = await startMaster({ listen: '127.0.0.1:0', dataDir: join(tmp, 'master'), logger: silentLogger });
  client = new HttpApiClient({
    server: master.url,
    token: master.credentials.adminToken,
    ca: master.credentials.caPem,
  });
  agent = await startAgent();
});

afterAll(async () => {
  await agent?.stop();
  await master?.stop();
  const all = await runtime.listContainers({ [LABEL_NODE]: NODE });
  for (const c of all.sort((a) => (a.labels['io.skiff.container.name'] === 'POD' ? 1 : -1))) {
    await runtime.removeContainer(c.id, { force: true });
  }
  await runtime.removeImage(BUSYBOX);
  rmSync(tmp, { recursive: true, force: true });
});

describe('skiff agent with a real master', () => {
  it('registers a Ready node with its agent endpoint', async () => {
    const node = await client.get<Node>(NODES, undefined, NODE);
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBe(agent!.port);
    expect(node.status?.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' });
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^docker:\/\/\d+/);
  });

  it('runs a scheduled pod, reports events, and serves logs and exec through the master', async () => {
    await client.create<Pod>(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hello', namespace: 'default' },
      spec: {
        terminationGracePeriodSeconds: 2,
        containers: [
          {
            name: 'main',
            image: BUSYBOX,
            command: ['sh', '-c', 'echo hello from $(hostname); exec sleep 1000'],
          },
        ],
      },
    });
    const pod = await until('pod Running', async () => {
      const p = await getPod();
      return p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready ? p : undefined;
    });
    expect(pod.spec.nodeName).toBe(NODE);
    expect(pod.status?.hostIP).toBe('127.0.0.1');

    const events = await until('kubelet events', async () => {
      const list = await client.list<Event>(EVENTS, 'default');
      const reasons = list.items.filter((e) => e.involvedObject.name === 'hello').map((e) => e.reason);
      return reasons.includes('Started') ? reasons : undefined;
    });
    expect(events).toEqual(expect.arrayContaining(['Scheduled', 'Pulled', 'Created', 'Started']));

    const logs = await until('logs', async () => {
      const res = await client.rawRequest('GET', '/api/v1/namespaces/default/pods/hello/log', {
        query: { container: 'main' },
      });
      const body = res.body.toString('utf8');
      return res.status === 200 && body.includes('hello') ? body : undefined;
    });
    expect(logs).toBe('hello from hello\n');

    const exec = await new Promise<{ out: string; status: any }>((resolve, reject) => {
      const url = `${master.url.replace(/^http/, 'ws')}/api/v1/namespaces/default/pods/hello/exec?command=sh&command=-c&command=echo%20in-pod%3B%20exit%205&container=main&stdout=true&stderr=true`;
      const ws = new WebSocket(url, ['v5.channel.k8s.io'], {
        ca: master.credentials.caPem,
        headers: { Authorization: `Bearer ${master.credentials.adminToken}` },
      });
      let out = '';
      let status: any;
      ws.on('message', (d: Buffer) => {
        if (d[0] === 1) out += d.subarray(1).toString();
        if (d[0] === 3) status = JSON.parse(d.subarray(1).toString());
      });
      ws.on('close', () => resolve({ out, status }));
      ws.on('error', reject);
    });
    expect(exec.out).toBe('in-pod\n');
    expect(exec.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode' });
  });

  it('leaves the pod alone across an agent restart', async () => {
    const before = await getPod();
    const uid = before.metadata.uid!;
    const ids = (await runtime.listContainers({ [LABEL_POD_UID]: uid })).map((c) => c.id).sort();
    await agent!.stop();
    agent = await startAgent();
    await systemClock.sleep(3000);
    expect((await runtime.listContainers({ [LABEL_POD_UID]: uid })).map((c) => c.id).sort()).toEqual(ids);
    const after = await getPod();
    expect(after.status?.phase).toBe('Running');
    expect(after.status?.containerStatuses?.[0].containerID).toBe(
      before.status?.containerStatuses?.[0].containerID,
    );
  });

  it('deletes the pod gracefully: containers stopped and removed, then the pod is gone', async () => {
    const uid = (await getPod()).metadata.uid!;
    await client.delete(PODS, 'default', 'hello');
    await until('pod gone', async () => {
      try {
        await getPod();
        return undefined;
      } catch {
        return true;
      }
    });
    expect(await runtime.listContainers({ [LABEL_POD_UID]: uid })).toEqual([]);
  });
});
