import { describe, expect, it } from 'vitest';
import type { Node } from '../../src/api/types.js';
import { NODES } from '../../src/client/api-client.js';
import { ApiError } from '../../src/common/errors.js';
import { silentLogger } from '../../src/common/logger.js';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeContainerRuntime } from '../../test/fakes/fake-container-runtime.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import type { HostInfo } from './host-info.js';
import {
  KUBELET_VERSION,
  NodeStatusManager,
  RUNTIME_DOWN_GRACE_MS,
  runtimeVersionToReport,
} from './node-status.js';

const host: HostInfo = {
  cpus: () => 2,
  memoryBytes: () => 4 * 1024 * 1024 * 1024,
  diskBytes: () => 20 * 1024 * 1024 * 1024,
  kernelVersion: () => '6.1.0-18-amd64',
  osImage: () => 'Debian GNU/Linux 12 (bookworm)',
  architecture: () => 'amd64',
  machineID: () => 'abc123',
  bootID: () => 'boot-1',
  defaultIPv4: () => '192.168.1.10',
};

function setup(opts: { recording?: boolean } = {}) {
  const clock = new FakeClock();
  const client = new FakeApiClient({ clock });
  const runtime = new FakeContainerRuntime(clock);
  const log = opts.recording ? new RecordingLogger() : undefined;
  const manager = new NodeStatusManager({
    client,
    runtime,
    host,
    clock,
    log: log ?? silentLogger,
    nodeName: 'node-1',
    nodeIP: '192.168.1.10',
    port: 10250,
    dataDir: '/var/lib/skiff/agent',
    heartbeatSeconds: 10,
  });
  const node = () => client.find<Node>(NODES, undefined, 'node-1')!;
  return { clock, client, runtime, manager, node, log };
}

const cond = (n: Node, type: string) => n.status!.conditions!.find((c) => c.type === type)!;

describe('NodeStatusManager', () => {
  it('registers the node with labels, capacity, addresses, endpoints and system info', async () => {
    const { manager, node } = setup();
    await manager.register();
    const n = node();
    expect(n.metadata.labels).toEqual({
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'node-1',
      'kubernetes.io/os': 'linux',
    });
    expect(n.status?.capacity).toEqual({
      cpu: '2',
      memory: '4194304Ki',
      pods: '110',
      'ephemeral-storage': '20971520Ki',
    });
    expect(n.status?.allocatable).toEqual(n.status?.capacity);
    expect(n.status?.addresses).toEqual([
      { type: 'InternalIP', address: '192.168.1.10' },
      { type: 'Hostname', address: 'node-1' },
    ]);
    expect(n.status?.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(n.status?.nodeInfo).toMatchObject({
      kernelVersion: '6.1.0-18-amd64',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'docker://20.10.24',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
      machineID: 'abc123',
      bootID: 'boot-1',
    });
    expect(cond(n, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'KubeletReady',
      message: 'skiff agent is posting ready status',
    });
    expect(['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((t) => cond(n, t).status)).toEqual([
      'False',
      'False',
      'False',
    ]);
  });

  it('re-registration keeps the spec others set (podCIDR, unschedulable, taints) and their labels', async () => {
    const { client, manager, node } = setup();
    client.seed(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1', labels: { zone: 'a' } },
      spec: { podCIDR: '10.244.1.0/24', unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] },
    } as Node);
    await manager.register();
    const n = node();
    expect(n.spec).toEqual({
      podCIDR: '10.244.1.0/24',
      unschedulable: true,
      taints: [{ key: 'k', effect: 'NoSchedule' }],
    });
    expect(n.metadata.labels).toMatchObject({ zone: 'a', 'kubernetes.io/hostname': 'node-1' });
  });

  it('a status write that conflicts (the node changed meanwhile) is redone on the current node', async () => {
    const { client, manager, node } = setup();
    client.failNext('updateStatus', new ApiError(409, 'Conflict', 'the object has been modified'), 'nodes');
    await manager.register();
    expect(cond(node(), 'Ready').status).toBe('True');
    expect(client.actionsOf('updateStatus', 'nodes')).toHaveLength(2);
  });

  it('heartbeats every period: lastHeartbeatTime moves, lastTransitionTime holds', async () => {
    const { clock, client, manager, node } = setup();
    await manager.start();
    const first = cond(node(), 'Ready');
    const writes = client.actionsOf('updateStatus').length;
    await clock.advance(10_000);
    await clock.advance(10_000);
    expect(client.actionsOf('updateStatus').length).toBe(writes + 2);
    const later = cond(node(), 'Ready');
    expect(Date.parse(later.lastHeartbeatTime!) - Date.parse(first.lastHeartbeatTime!)).toBe(20_000);
    expect(later.lastTransitionTime).toBe(first.lastTransitionTime);
    manager.stop();
    await clock.advance(30_000);
    expect(client.actionsOf('updateStatus').length).toBe(writes + 2);
  });

  it('reports NotReady once the runtime has not answered for 30 s, Ready again at once, and re-registers a deleted node', async () => {
    const { clock, client, runtime, manager, node } = setup();
    await manager.start();
    runtime.stopEngine(); // a dockerd restart that takes a while
    await clock.advance(10_000);
    await clock.advance(10_000);
    // within the grace: still Ready, so a quick engine restart never makes the node's pods look lost
    expect(cond(node(), 'Ready').status).toBe('True');
    await clock.advance(10_000);
    expect(cond(node(), 'Ready')).toMatchObject({
      status: 'False',
      reason: 'KubeletNotReady',
      message: 'container runtime is down: the Docker engine does not answer',
    });
    runtime.startEngine();
    manager.heartbeatNow(); // what the agent does when the runtime reconnects
    await clock.advance(0);
    expect(cond(node(), 'Ready').status).toBe('True');
    await client.delete(NODES, undefined, 'node-1');
    await clock.advance(10_000);
    expect(cond(node(), 'Ready').status).toBe('True');
    manager.stop();
  });

  it('reports the runtime answering now, else its last answer within 30 s, else none (down)', () => {
    const seen = { at: 1000, version: 'docker://20.10.24' };
    expect(runtimeVersionToReport('docker://20.10.24', undefined, 0)).toBe('docker://20.10.24');
    expect(runtimeVersionToReport(undefined, undefined, 0)).toBeUndefined();
    expect(runtimeVersionToReport(undefined, seen, 1000 + RUNTIME_DOWN_GRACE_MS - 1)).toBe(
      'docker://20.10.24',
    );
    expect(runtimeVersionToReport(undefined, seen, 1000 + RUNTIME_DOWN_GRACE_MS)).toBeUndefined();
  });

  it('while the master is unreachable: one warning, quiet retries every 2 s, and a note when heartbeats work again', async () => {
    const { clock, client, manager, log } = setup({ recording: true });
    await manager.start();
    const unreachable = new ApiError(503, 'ServiceUnavailable', 'Unable to connect to the server');
    for (let i = 0; i < 6; i++) client.failNext('get', unreachable, 'nodes');
    // the heartbeat at 10 s fails, and so do the retries 2 s apart at 12, 14, 16, 18 and 20 s
    await clock.advance(21_999);
    const beats = log!.records.filter((r) => r.msg.startsWith('node heartbeat'));
    expect(beats.map((r) => `${r.level} ${r.msg}`)).toEqual([
      'warn node heartbeat failed',
      ...Array(5).fill('debug node heartbeat failed'),
    ]);
    await clock.advance(1);
    expect(log!.records.at(-1)).toMatchObject({
      level: 'info',
      msg: 'node heartbeat works again',
      fields: { failures: 6 },
    });
    // then the period again
    const writes = client.actionsOf('updateStatus').length;
    await clock.advance(9_999);
    expect(client.actionsOf('updateStatus').length).toBe(writes);
    await clock.advance(1);
    expect(client.actionsOf('updateStatus').length).toBe(writes + 1);
    manager.stop();
  });
});
