// The kubelet loop against an in-memory API (FakeApiClient + the real informer), the fake runtime and a fake
// clock: no Docker, no real waiting.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, Pod } from '../../src/api/types.js';
import { CONFIGMAPS, PODS, type ApiClient } from '../../src/client/api-client.js';
import { ApiError } from '../../src/common/errors.js';
import { silentLogger } from '../../src/common/logger.js';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { FakeClock, flushMicrotasks } from '../../test/fakes/fake-clock.js';
import { FakeContainerRuntime } from '../../test/fakes/fake-container-runtime.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { Kubelet, type KubeletOptions } from './kubelet.js';

const NODE = 'node-1';

interface Recorded {
  name?: string;
  type: string;
  reason: string;
  message: string;
}

class Harness {
  readonly clock = new FakeClock();
  readonly client = new FakeApiClient({ clock: this.clock });
  readonly runtime = new FakeContainerRuntime(this.clock);
  readonly events: Recorded[] = [];
  readonly dataDir = mkdtempSync(join(tmpdir(), 'skiff-kubelet-'));
  kubelet!: Kubelet;

  constructor() {
    this.runtime.addImage('skiff/pause:3.10');
    this.runtime.addImage('busybox:1');
  }

  newKubelet(extra: Partial<KubeletOptions> = {}): Kubelet {
    return new Kubelet({
      client: this.client,
      runtime: this.runtime,
      events: {
        record: (obj: KubeObject, type, reason, message) =>
          this.events.push({ name: obj.metadata.name, type, reason, message }),
      },
      node: {
        nodeName: NODE,
        nodeIP: '192.168.1.10',
        pauseImage: 'skiff/pause:3.10',
        podNetwork: 'bridge',
        clusterDomain: 'cluster.local',
      },
      dataDir: this.dataDir,
      clock: this.clock,
      logger: silentLogger,
      ...extra,
    });
  }

  async start(extra: Partial<KubeletOptions> = {}): Promise<void> {
    this.kubelet = this.newKubelet(extra);
    await this.kubelet.start();
    await this.settle();
  }

  /** Lets informer deliveries, runtime events and syncs run to quiescence (without moving the clock). */
  async settle(): Promise<void> {
    // A sync may be waiting on the fake clock (a grace period), so idle() alone could wait forever; file system
    // work (emptyDir directories) takes real time.
    const realPause = () => new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 4; i++) await Promise.race([this.kubelet.idle().then(flushMicrotasks), realPause()]);
  }

  /** Moves the clock in small steps so timers fire and syncs run as they would in real time. */
  async advance(ms: number, step = 500): Promise<void> {
    for (let t = 0; t < ms; t += step) {
      await this.clock.advance(Math.min(step, ms - t));
      await this.settle();
    }
  }

  pod(name = 'web'): Pod | undefined {
    return this.client.find<Pod>(PODS, 'default', name);
  }

  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }

  async stopKubelet(): Promise<void> {
    const stopped = this.kubelet.stop();
    await this.clock.advance(10_000);
    await stopped;
  }

  async cleanup(): Promise<void> {
    if (this.kubelet) await this.stopKubelet();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Clock times at which containers named `name` were started. */
  startTimes(name: string): number[] {
    return this.starts.filter((s) => s.name === name).map((s) => s.at);
  }

  private readonly starts: { name: string; at: number }[] = [];
  private readonly recordStarts = this.runtime.events({}, (e) => {
    if (e.type === 'start')
      this.starts.push({ name: e.labels['io.skiff.container.name'], at: this.clock.now() });
  });
}

function podSpec(over: Partial<Pod['spec']> = {}, name = 'web'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName: NODE,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      containers: [
        { name: 'app', image: 'busybox:1', command: ['sleep', '1000'] },
        { name: 'side', image: 'busybox:1', command: ['httpd', '-f'] },
      ],
      ...over,
    },
  };
}

/**
 * The API server seen through a network that can fail: while down, every call fails as an unreachable server's
 * would (503 "Unable to connect"), and open watches break.
 */
function flakyMaster(client: FakeApiClient) {
  let down = false;
  const unreachable = () =>
    new ApiError(503, 'ServiceUnavailable', 'Unable to connect to the server: connect ECONNREFUSED');
  const api = new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (!down) return value.bind(target);
      if (prop === 'watch')
        return () => {
          const done = Promise.reject(unreachable());
          done.catch(() => undefined);
          return { stop: () => undefined, done };
        };
      return async () => {
        throw unreachable();
      };
    },
  }) as ApiClient;
  return {
    api,
    stop() {
      down = true;
      client.breakWatches(unreachable());
    },
    start() {
      down = false;
    },
  };
}

const runningIds = (runtime: FakeContainerRuntime) =>
  [...runtime.containers.values()]
    .filter((c) => c.state === 'running')
    .map((c) => c.id)
    .sort();

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

describe('Kubelet', () => {
  it('creates the sandbox, then the containers, and reports the pod Running', async () => {
    h.client.seed(PODS, podSpec());
    await h.start();
    expect(
      h.runtime.calls
        .filter((c) => /^(createSandbox|create|start) /.test(c))
        .map((c) => c.split('_')[0] + '_' + c.split('_')[1]),
    ).toEqual([
      'createSandbox skiff_POD',
      'start skiff_POD',
      'create skiff_app',
      'start skiff_app',
      'create skiff_side',
      'start skiff_side',
    ]);
    const pod = h.pod()!;
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status?.podIP).toMatch(/^10\.88\.0\.\d+$/);
    expect(pod.status?.hostIP).toBe('192.168.1.10');
    expect(pod.status?.containerStatuses?.map((c) => [c.name, c.ready, c.restartCount])).toEqual([
      ['app', true, 0],
      ['side', true, 0],
    ]);
    expect(h.reasons()).toEqual(['Pulled', 'Created', 'Started', 'Pulled', 'Created', 'Started']);
    expect(h.events[0].message).toBe('Container image "busybox:1" already present on machine');
    expect(h.events[1].message).toBe('Created container: app');
    // Labels identify every container; the sandbox's hostname is the pod name.
    const [sandbox] = h.runtime.named('POD');
    expect(sandbox.labels).toMatchObject({
      'io.skiff.node': NODE,
      'io.skiff.pod.name': 'web',
      'io.skiff.pod.namespace': 'default',
    });
    expect(sandbox.sandboxSpec?.hostname).toBe('web');
    expect(h.runtime.named('app')[0].spec?.sandboxId).toBe(sandbox.id);
  });

  it('writes status only when it changed', async () => {
    h.client.seed(PODS, podSpec());
    await h.start();
    const writes = h.client.actionsOf('updateStatus').length;
    expect(writes).toBeGreaterThan(0);
    await h.advance(35_000, 5_000); // three periodic resyncs
    expect(h.client.actionsOf('updateStatus').length).toBe(writes);
  });

  it('resyncs a steady node reading each pod’s own containers only, not every container on the node again', async () => {
    for (const name of ['a', 'b', 'c']) h.client.seed(PODS, podSpec({}, name));
    await h.start();
    await h.advance(1000);
    const containers = h.runtime.containers.size; // 3 pods × (sandbox + 2 containers)
    expect(containers).toBe(9);
    const before = h.runtime.inspections;
    await h.advance(10_000); // one periodic resync: every container read once, by its own pod's sync
    expect(h.runtime.inspections - before).toBe(containers);
    expect(h.pod('b')!.status!.containerStatuses!.every((c) => c.state.running)).toBe(true);
  });

  it('restarts a crashing container with growing back-off, showing CrashLoopBackOff and the restart count', async () => {
    h.runtime.setBehaviour('app', { exitAfterMs: 1000, exitCode: 1 });
    h.client.seed(PODS, podSpec());
    await h.start();
    // The first crash (at 1 s) restarts at once, as the kubelet does; the second (at 2 s) waits 10 s.
    await h.advance(2000);
    let app = h.pod()!.status!.containerStatuses![0];
    expect(app.state.waiting).toEqual({
      reason: 'CrashLoopBackOff',
      message: `back-off 10s restarting failed container=app pod=web_default(${h.pod()!.metadata.uid})`,
    });
    expect(app.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(h.pod()!.status!.phase).toBe('Running');
    expect(
      h.events.some(
        (e) =>
          e.reason === 'BackOff' &&
          e.message.startsWith('Back-off restarting failed container app in pod web_default('),
      ),
    ).toBe(true);

    await h.advance(200_000);
    const times = h.startTimes('app');
    const starts = times.map((t) => (t - times[0]) / 1000);
    // Each run lasts 1 s, then waits 0, 10, 20, 40, 80 s.
    expect(starts.slice(0, 6)).toEqual([0, 1, 12, 33, 74, 155]);
    app = h.pod()!.status!.containerStatuses![0];
    expect(app.restartCount).toBe(5);
    // Only the newest dead instance is kept.
    expect(h.runtime.named('app').filter((c) => c.state === 'exited').length).toBeLessThanOrEqual(2);
  });

  it('completes a run-to-completion pod: Succeeded, sandbox stopped, nothing restarted', async () => {
    h.runtime.setBehaviour('app', { exitAfterMs: 0, exitCode: 0 });
    h.runtime.setBehaviour('side', { exitAfterMs: 2000, exitCode: 0 });
    h.client.seed(PODS, podSpec({ restartPolicy: 'OnFailure' }));
    await h.start();
    await h.advance(3000);
    expect(h.pod()!.status!.phase).toBe('Succeeded');
    expect(h.runtime.named('POD')[0].state).toBe('exited');
    await h.advance(30_000, 5000);
    expect(h.runtime.named('app')).toHaveLength(1);
  });

  it('a second delete with a shorter grace period cuts a running termination short', async () => {
    h.runtime.setBehaviour('app', { ignoreSigterm: true });
    h.client.seed(PODS, podSpec({ terminationGracePeriodSeconds: 30 }));
    await h.start();
    await h.client.delete(PODS, 'default', 'web');
    await h.advance(1000);
    expect(h.pod()).toBeDefined(); // waiting out the 30 s: app ignores SIGTERM
    await h.client.delete(PODS, 'default', 'web', { gracePeriodSeconds: 2 });
    await h.advance(2500);
    expect(h.pod()).toBeUndefined();
    expect(h.runtime.containers.size).toBe(0);
  });

  it('graceful deletion stops containers with the grace period, removes everything, then deletes with grace 0', async () => {
    h.runtime.setBehaviour('app', { ignoreSigterm: true });
    h.client.seed(PODS, podSpec({ terminationGracePeriodSeconds: 5 }));
    await h.start();
    const uid = h.pod()!.metadata.uid;
    await h.client.delete(PODS, 'default', 'web');
    await h.settle();
    expect(h.reasons().filter((r) => r === 'Killing')).toHaveLength(2);
    expect(h.pod()).toBeDefined(); // still stopping: app ignores SIGTERM
    expect(h.runtime.named('side')[0].state).toBe('exited');
    await h.advance(4000);
    expect(h.runtime.named('app')[0].state).toBe('running');
    await h.advance(1500);
    expect(h.pod()).toBeUndefined();
    expect(h.runtime.containers.size).toBe(0);
    const del = h.client.actionsOf('delete', 'pods').at(-1)!;
    expect(del.opts).toEqual({ gracePeriodSeconds: 0, preconditions: { uid } });
  });

  it('kills and removes the containers of a pod that vanished from the API', async () => {
    h.client.seed(PODS, podSpec({ restartPolicy: 'Never' }));
    await h.start();
    expect(h.runtime.containers.size).toBe(3);
    // Terminal pods are deleted at once by the API server; the kubelet sees the pod disappear.
    const pod = h.pod()!;
    await h.client.updateStatus(PODS, 'default', { ...pod, status: { ...pod.status, phase: 'Failed' } });
    await h.settle();
    await h.client.delete(PODS, 'default', 'web');
    await h.settle();
    await h.advance(2000);
    expect(h.pod()).toBeUndefined();
    expect(h.runtime.containers.size).toBe(0);
  });

  it('a restarted kubelet adopts running containers without restarting them and keeps restart counts', async () => {
    h.runtime.setBehaviour('app', (n) => (n === 0 ? { exitAfterMs: 1000, exitCode: 3 } : {}));
    h.client.seed(PODS, podSpec());
    await h.start();
    await h.advance(12_000);
    expect(h.pod()!.status!.containerStatuses![0]).toMatchObject({ restartCount: 1, ready: true });
    await h.stopKubelet();
    const runningIds = () =>
      [...h.runtime.containers.values()]
        .filter((c) => c.state === 'running')
        .map((c) => c.id)
        .sort();
    const ids = runningIds();
    expect(ids).toHaveLength(3);
    const calls = h.runtime.calls.length;

    await h.start();
    await h.advance(20_000, 5000);
    expect(runningIds()).toEqual(ids);
    expect(h.runtime.calls.slice(calls)).toEqual([]);
    const status = h.pod()!.status!;
    expect(status.phase).toBe('Running');
    expect(status.containerStatuses![0]).toMatchObject({ restartCount: 1, ready: true });
  });

  it('a restarted kubelet removes containers of pods deleted while it was down', async () => {
    h.client.seed(PODS, podSpec(), podSpec({}, 'other'));
    await h.start();
    await h.stopKubelet();
    await h.client.delete(PODS, 'default', 'other', { gracePeriodSeconds: 0 });
    await h.start();
    await h.advance(3000);
    expect(new Set([...h.runtime.containers.values()].map((c) => c.labels['io.skiff.pod.name']))).toEqual(
      new Set(['web']),
    );
  });

  it('pull failures: ErrImagePull, then ImagePullBackOff until the back-off expires, then the pull succeeds', async () => {
    h.client.seed(PODS, podSpec({ containers: [{ name: 'app', image: 'example/app:2' }] }));
    await h.start();
    let waiting = h.pod()!.status!.containerStatuses![0].state.waiting;
    expect(waiting?.reason).toBe('ErrImagePull');
    expect(h.events.find((e) => e.reason === 'Failed')?.message).toMatch(
      /^Failed to pull image "example\/app:2": pull access denied/,
    );
    await h.advance(5000);
    expect(h.pod()!.status!.containerStatuses![0].state.waiting?.reason).toBe('ErrImagePull');
    // The back-off (10 s) expires: the second pull fails too, and the next wait is 20 s.
    await h.advance(5000);
    expect(h.runtime.calls.filter((c) => c.startsWith('pull')).length).toBe(2);
    // The periodic resync inside that wait shows the back-off.
    await h.advance(10_000);
    waiting = h.pod()!.status!.containerStatuses![0].state.waiting;
    expect(waiting).toEqual({
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "example/app:2"',
    });
    expect(
      h.events.some((e) => e.reason === 'BackOff' && e.message === 'Back-off pulling image "example/app:2"'),
    ).toBe(true);
    h.runtime.registry.add('example/app:2');
    await h.advance(10_000);
    expect(h.pod()!.status!.containerStatuses![0].state.running).toBeDefined();
    expect(h.events.find((e) => e.reason === 'Pulled')?.message).toMatch(
      /^Successfully pulled image "example\/app:2" in \S+ \(\S+ including waiting\)\. Image size: \d+ bytes\.$/,
    );
    expect(h.runtime.calls.filter((c) => c.startsWith('pull')).length).toBe(3);
  });

  it('ErrImageNeverPull for a missing image with pull policy Never', async () => {
    h.client.seed(
      PODS,
      podSpec({ containers: [{ name: 'app', image: 'nope:1', imagePullPolicy: 'Never' }] }),
    );
    await h.start();
    expect(h.pod()!.status!.containerStatuses![0].state.waiting).toEqual({
      reason: 'ErrImageNeverPull',
      message: 'Container image "nope:1" is not present with pull policy of Never',
    });
    expect(h.runtime.calls.some((c) => c.startsWith('pull'))).toBe(false);
  });

  it('builds the environment from values, the downward API and ConfigMaps; a missing ConfigMap is a config error', async () => {
    h.client.seed(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'default' },
      data: { mode: 'fast' },
    } as KubeObject);
    const env = [
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'GREETING', value: 'hello $(POD) $$(POD)' },
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
    ];
    h.client.seed(
      PODS,
      podSpec({
        containers: [
          { name: 'app', image: 'busybox:1', env, args: ['echo', '$(GREETING)'] },
          {
            name: 'side',
            image: 'busybox:1',
            env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'missing', key: 'x' } } }],
          },
        ],
      }),
    );
    await h.start();
    const spec = h.runtime.named('app')[0].spec!;
    const ip = h.runtime.named('POD')[0].ip;
    expect(spec.env).toEqual(['POD=web', `IP=${ip}`, 'GREETING=hello web $(POD)', 'MODE=fast']);
    expect(spec.cmd).toEqual(['echo', 'hello web $(POD)']);
    expect(h.pod()!.status!.containerStatuses![1].state.waiting).toEqual({
      reason: 'CreateContainerConfigError',
      message: 'configmap "missing" not found',
    });
    expect(h.runtime.named('side')).toHaveLength(0);
  });

  it('creates emptyDir directories shared by the containers and removes them with the pod', async () => {
    h.client.seed(
      PODS,
      podSpec({
        terminationGracePeriodSeconds: 1,
        volumes: [
          { name: 'data', emptyDir: {} },
          { name: 'mem', emptyDir: { medium: 'Memory' } },
        ],
        containers: [
          {
            name: 'app',
            image: 'busybox:1',
            volumeMounts: [
              { name: 'data', mountPath: '/data' },
              { name: 'mem', mountPath: '/mem' },
            ],
          },
          {
            name: 'side',
            image: 'busybox:1',
            volumeMounts: [{ name: 'data', mountPath: '/srv', readOnly: true }],
          },
        ],
      }),
    );
    await h.start();
    const uid = h.pod()!.metadata.uid!;
    const dir = join(h.dataDir, 'pods', uid, 'volumes', 'empty-dir', 'data');
    expect(existsSync(dir)).toBe(true);
    expect(h.runtime.named('app')[0].spec!.mounts).toEqual([
      { type: 'bind', source: dir, target: '/data', readOnly: false },
      { type: 'volume', source: `skiff-${uid}-mem`, target: '/mem', readOnly: false },
    ]);
    expect(h.runtime.named('side')[0].spec!.mounts[0]).toEqual({
      type: 'bind',
      source: dir,
      target: '/srv',
      readOnly: true,
    });
    expect(h.runtime.volumes.get(`skiff-${uid}-mem`)?.tmpfs).toBe(true);
    await h.client.delete(PODS, 'default', 'web');
    await h.advance(2000);
    expect(existsSync(join(h.dataDir, 'pods', uid))).toBe(false);
    expect(h.runtime.volumes.size).toBe(0);
  });

  it('runs init containers to completion, in order, before the app containers', async () => {
    h.runtime.setBehaviour('init-a', { exitAfterMs: 1000, exitCode: 0 });
    h.runtime.setBehaviour('init-b', { exitAfterMs: 500, exitCode: 0 });
    h.client.seed(
      PODS,
      podSpec({
        initContainers: [
          { name: 'init-a', image: 'busybox:1' },
          { name: 'init-b', image: 'busybox:1' },
        ],
      }),
    );
    await h.start();
    expect(h.pod()!.status!.phase).toBe('Pending');
    expect(h.pod()!.status!.initContainerStatuses![0].state.running).toBeDefined();
    expect(h.pod()!.status!.containerStatuses![0].state.waiting?.reason).toBe('PodInitializing');
    await h.advance(2000);
    const starts = h.runtime.calls.filter((c) => c.startsWith('start skiff_')).map((c) => c.split('_')[1]);
    expect(starts).toEqual(['POD', 'init-a', 'init-b', 'app', 'side']);
    expect(h.pod()!.status!.phase).toBe('Running');
    expect(h.pod()!.status!.initContainerStatuses!.map((c) => c.state.terminated?.reason)).toEqual([
      'Completed',
      'Completed',
    ]);
  });

  it('restores a missing pause image, or reports FailedCreatePodSandBox', async () => {
    h.runtime.images.delete('skiff/pause:3.10');
    h.client.seed(PODS, podSpec());
    let restored = 0;
    await h.start({
      ensurePauseImage: async () => {
        restored++;
        h.runtime.addImage('skiff/pause:3.10');
      },
    });
    expect(restored).toBe(1);
    expect(h.pod()!.status!.phase).toBe('Running');

    const other = new Harness();
    other.runtime.images.delete('skiff/pause:3.10');
    other.client.seed(PODS, podSpec());
    await other.start();
    expect(other.events.find((e) => e.reason === 'FailedCreatePodSandBox')?.message).toBe(
      'Failed to create pod sandbox: No such image: skiff/pause:3.10',
    );
    expect(other.pod()!.status!.containerStatuses![0].state.waiting?.reason).toBe('ContainerCreating');
    await other.cleanup();
  });

  it('a sandbox that fails to start is retried with back-off, not in a loop fed by its own cleanup events', async () => {
    for (let i = 0; i < 50; i++)
      h.runtime.failNext('startContainer', 'failed to update store for object type');
    h.client.seed(PODS, podSpec());
    await h.start();
    await h.advance(10_000);
    // attempts at 0, 2, 6 s (2 s doubling): the removal of each failed sandbox fires a destroy event, which
    // must not trigger an immediate new attempt
    expect(h.runtime.calls.filter((c) => c.startsWith('createSandbox'))).toHaveLength(3);
    expect(h.reasons().filter((r) => r === 'FailedCreatePodSandBox')).toHaveLength(3);
    expect(h.pod()!.status!.containerStatuses![0].state.waiting?.reason).toBe('ContainerCreating');
  });

  it('recreates the whole pod when its sandbox dies', async () => {
    h.client.seed(PODS, podSpec());
    await h.start();
    const [sandbox] = h.runtime.named('POD');
    h.runtime.kill(sandbox.id);
    await h.settle();
    expect(h.reasons()).toContain('SandboxChanged');
    await h.advance(11_000);
    const sandboxes = h.runtime.named('POD');
    expect(sandboxes.at(-1)!.labels['io.skiff.container.attempt']).toBe('1');
    expect(sandboxes.at(-1)!.state).toBe('running');
    const status = h.pod()!.status!;
    expect(status.phase).toBe('Running');
    expect(status.podIP).toBe(sandboxes.at(-1)!.ip);
    expect(status.containerStatuses!.map((c) => [c.ready, c.restartCount])).toEqual([
      [true, 1],
      [true, 1],
    ]);
  });
});

describe('Kubelet resilience', () => {
  it('an engine restart: pods stay in the API, syncs fail quietly, and on reconnect everything is recreated at once', async () => {
    const logger = new RecordingLogger();
    h.client.seed(PODS, podSpec());
    await h.start({ logger });
    let reconnects = 0;
    h.kubelet.onRuntimeReconnected(() => reconnects++);
    const uid = h.pod()!.metadata.uid;

    h.runtime.stopEngine(); // dockerd's graceful stop: streams break, containers are stopped
    await h.advance(15_000, 1000); // a periodic resync and the die-less retries all fail
    expect(h.pod()!.metadata.uid).toBe(uid);
    expect(h.pod()!.status!.phase).toBe('Running'); // nothing could be observed, so nothing was written
    expect(h.client.actionsOf('delete', 'pods')).toEqual([]);
    const warnings = logger.records.filter((r) => r.level === 'warn').map((r) => r.msg);
    expect(
      warnings.filter((m) => m === 'container runtime unreachable; pods stay as they are until it is back'),
    ).toHaveLength(1);
    expect(warnings).not.toContain('pod sync failed');

    h.runtime.startEngine();
    await h.settle(); // no clock movement: the reconnect alone triggers the resync
    expect(reconnects).toBe(1);
    expect(logger.records.some((r) => r.msg === 'container runtime is back; resyncing every pod')).toBe(true);
    const sandbox = h.runtime.named('POD').at(-1)!;
    expect([sandbox.state, sandbox.labels['io.skiff.container.attempt']]).toEqual(['running', '1']);
    expect(h.runtime.named('app').at(-1)!.state).toBe('running');
    const status = h.pod()!.status!;
    expect(status.phase).toBe('Running');
    expect(status.podIP).toBe(sandbox.ip);
    expect(status.containerStatuses!.map((c) => [c.name, c.ready, c.restartCount])).toEqual([
      ['app', true, 1],
      ['side', true, 1],
    ]);
  });

  it('the master away for a minute: nothing restarts, a status change waits, then syncs resume within seconds', async () => {
    h.runtime.setBehaviour('job', { exitAfterMs: 30_000, exitCode: 0 });
    h.client.seed(
      PODS,
      podSpec(),
      podSpec({ restartPolicy: 'OnFailure', containers: [{ name: 'job', image: 'busybox:1' }] }, 'job'),
    );
    const master = flakyMaster(h.client);
    const logger = new RecordingLogger();
    await h.start({ client: master.api, logger });
    expect(h.pod('job')!.status!.phase).toBe('Running');
    const ids = runningIds(h.runtime);
    const calls = h.runtime.calls.length;

    master.stop();
    await h.advance(25_000, 1000);
    // the job's container finishes while the master is away: its pod's status write fails and is retried
    await h.advance(35_000, 1000);
    expect(h.runtime.calls.slice(calls).filter((c) => !c.startsWith('stop skiff_POD_job'))).toEqual([]);
    expect(runningIds(h.runtime)).toEqual(
      ids.filter((id) => h.runtime.containers.get(id)!.labels['io.skiff.pod.name'] === 'web'),
    );
    expect(h.pod('job')!.status!.phase).toBe('Running'); // still the old status on the server
    expect(h.pod('web')).toBeDefined();
    const failures = logger.records.filter((r) => r.msg === 'pod sync failed');
    expect(failures.length).toBeGreaterThan(1);
    expect(failures.filter((r) => r.level === 'warn')).toHaveLength(1);

    master.start();
    // the failed status write is retried by the next periodic resync (every 10 s). Each resync also reads the
    // pods' directories, which takes real time: give it some, or fake time races past it.
    let waited = 0;
    while (h.pod('job')!.status!.phase !== 'Succeeded' && waited < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      await h.advance(500);
      waited += 500;
    }
    expect(h.pod('job')!.status!.phase).toBe('Succeeded');
    expect(runningIds(h.runtime)).toEqual(runningIds(h.runtime).filter((id) => ids.includes(id)));
    expect(h.pod('web')!.status!.containerStatuses!.map((c) => c.restartCount)).toEqual([0, 0]);
    // the pods informer retried at most 5 s apart (plus jitter): the kubelet follows its pods again
    await h.client.create(PODS, 'default', podSpec({}, 'late'));
    await h.settle();
    expect(h.pod('late')!.status!.phase).toBe('Running');
    expect(h.client.actionsOf('delete', 'pods')).toEqual([]);
  });
});
