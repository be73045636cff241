// The kubelet against the real Docker engine, with an in-memory API (FakeApiClient): pods of several containers
// sharing localhost and an emptyDir, crash-loop restarts, graceful deletion, and re-adoption by a new kubelet.
// Each run uses its own node label; every container with it is removed after each test, even on failure.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Pod } from '../../src/api/types.js';
import { PODS } from '../../src/client/api-client.js';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { DockerContainerRuntime } from '../../agent/runtime/docker-container-runtime.js';
import { importBusyboxImage } from '../../agent/runtime/busybox-rootfs.js';
import { DEFAULT_PAUSE_IMAGE, ensurePauseImage } from '../../agent/runtime/pause-image.js';
import { Kubelet, type KubeletOptions } from '../../agent/kubelet/kubelet.js';
import { LABEL_NODE, LABEL_POD_UID } from '../../agent/kubelet/labels.js';
import { FakeApiClient } from '../fakes/fake-api-client.js';

const run = `${process.pid}-${Date.now().toString(36)}`;
const NODE = `it-kubelet-${run}`;
const BUSYBOX = `skiff-test/busybox:${run}`;
const runtime = new DockerContainerRuntime();
const dataDir = mkdtempSync(join(tmpdir(), 'skiff-it-kubelet-'));

let client: FakeApiClient;
let kubelets: Kubelet[] = [];

function newKubelet(extra: Partial<KubeletOptions> = {}): Kubelet {
  const k = new Kubelet({
    client,
    runtime,
    events: { record: () => undefined },
    node: {
      nodeName: NODE,
      nodeIP: '127.0.0.1',
      pauseImage: DEFAULT_PAUSE_IMAGE,
      podNetwork: 'bridge',
      clusterDomain: 'cluster.local',
    },
    dataDir,
    clock: systemClock,
    logger: silentLogger,
    resyncPeriodMs: 2000,
    ...extra,
  });
  kubelets.push(k);
  return k;
}

function pod(name: string, spec: Partial<Pod['spec']>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: NODE, restartPolicy: 'Always', containers: [], ...spec },
  };
}

const getPod = (name: string) => client.find<Pod>(PODS, 'default', name);

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await systemClock.sleep(100);
  }
}

function text(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    stream.on('data', (c: Buffer) => (out += c.toString()));
    stream.on('end', () => resolve(out));
    stream.on('error', reject);
  });
}

async function removeNodeContainers(): Promise<void> {
  const all = await runtime.listContainers({ [LABEL_NODE]: NODE });
  const apps = all.filter((c) => c.labels['io.skiff.container.name'] !== 'POD');
  for (const c of [...apps, ...all.filter((c) => !apps.includes(c))])
    await runtime.removeContainer(c.id, { force: true });
  for (const v of await runtime.listVolumes({ [LABEL_NODE]: NODE })) await runtime.removeVolume(v.name);
}

beforeAll(async () => {
  await ensurePauseImage(runtime, DEFAULT_PAUSE_IMAGE, silentLogger);
  await importBusyboxImage(runtime, BUSYBOX);
});

afterEach(async () => {
  for (const k of kubelets) await k.stop();
  kubelets = [];
  await removeNodeContainers();
});

afterAll(async () => {
  await removeNodeContainers();
  await runtime.removeImage(BUSYBOX);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('kubelet with the real Docker engine', () => {
  it('runs an init container, then two containers sharing localhost and an emptyDir', async () => {
    client = new FakeApiClient({ clock: systemClock });
    client.seed(
      PODS,
      pod('duo', {
        volumes: [{ name: 'shared', emptyDir: {} }],
        initContainers: [
          {
            name: 'prepare',
            image: BUSYBOX,
            command: ['sh', '-c', 'echo prepared-by-init > /shared/prep'],
            volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
          },
        ],
        containers: [
          {
            name: 'server',
            image: BUSYBOX,
            command: [
              'sh',
              '-c',
              'mkdir -p /www && echo via-localhost > /www/index.html && echo via-volume > /shared/note && exec httpd -f -p 8080 -h /www',
            ],
            volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
          },
          {
            name: 'client',
            image: BUSYBOX,
            command: [
              'sh',
              '-c',
              'until wget -qO- http://127.0.0.1:8080/index.html; do sleep 0.2; done; until cat /data/note; do sleep 0.2; done; cat /data/prep; exec sleep 1000',
            ],
            volumeMounts: [{ name: 'shared', mountPath: '/data', readOnly: true }],
          },
        ],
      }),
    );
    await newKubelet().start();
    const status = await until('pod Running', () => {
      const s = getPod('duo')?.status;
      return s?.phase === 'Running' && s.containerStatuses?.every((c) => c.ready) ? s : undefined;
    });
    expect(status.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(status.containerStatuses?.map((c) => c.containerID)).toEqual([
      expect.stringMatching(/^docker:\/\//),
      expect.stringMatching(/^docker:\/\//),
    ]);
    const uid = getPod('duo')!.metadata.uid!;
    const [clientContainer] = (
      await runtime.listContainers({ [LABEL_NODE]: NODE, [LABEL_POD_UID]: uid })
    ).filter((c) => c.labels['io.skiff.container.name'] === 'client');
    const logs = await until('client output', async () => {
      const out = await text(await runtime.logs(clientContainer.id, {}));
      return out.includes('prepared') ? out : undefined;
    });
    expect(logs).toBe('via-localhost\nvia-volume\nprepared-by-init\n');
    expect(getPod('duo')!.status!.initContainerStatuses![0].state.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expect(existsSync(join(dataDir, 'pods', uid, 'volumes', 'empty-dir', 'shared', 'note'))).toBe(true);
  });

  it('restarts a failing container with growing back-off and a rising restart count', async () => {
    client = new FakeApiClient({ clock: systemClock });
    client.seed(
      PODS,
      pod('crasher', {
        containers: [{ name: 'c', image: BUSYBOX, command: ['sh', '-c', 'echo run; exit 1'] }],
      }),
    );
    const starts: number[] = [];
    const deaths: number[] = [];
    const events = runtime.events({ [LABEL_NODE]: NODE, 'io.skiff.container.name': 'c' }, (e) => {
      if (e.type === 'start') starts.push(Date.now());
      if (e.type === 'die') deaths.push(Date.now());
    });
    try {
      await newKubelet({ backoff: { baseMs: 1000, maxMs: 4000 } }).start();
      const status = await until('restartCount 4', () => {
        const c = getPod('crasher')?.status?.containerStatuses?.[0];
        return c && c.restartCount >= 4 ? c : undefined;
      });
      expect(status.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
      expect(getPod('crasher')!.status!.phase).toBe('Running');
      await until('five starts', () => starts.length >= 5);
      // The wait between a crash and the next start (the run itself and the machine's load left out): the first
      // crash restarts at once (as the kubelet does), then back-off 1 s, 2 s, 4 s.
      const waits = starts.slice(1).map((t, i) => t - deaths[i]);
      expect(waits[0]).toBeLessThan(waits[1] - 400);
      expect(waits[1]).toBeGreaterThanOrEqual(900);
      expect(waits[2]).toBeGreaterThanOrEqual(1900);
      expect(waits[3]).toBeGreaterThanOrEqual(3900);
      expect(waits[3]).toBeGreaterThan(waits[2]);
      const waiting = await until(
        'CrashLoopBackOff',
        () => getPod('crasher')?.status?.containerStatuses?.[0].state.waiting,
      );
      expect(waiting.reason).toBe('CrashLoopBackOff');
    } finally {
      events.stop();
    }
  });

  it('graceful deletion stops everything within the grace period, removes all containers and deletes the pod', async () => {
    client = new FakeApiClient({ clock: systemClock });
    client.seed(
      PODS,
      pod('leaving', {
        terminationGracePeriodSeconds: 3,
        volumes: [{ name: 'scratch', emptyDir: {} }],
        containers: [
          { name: 'polite', image: BUSYBOX, command: ['sleep', '1000'] },
          {
            name: 'stubborn',
            image: BUSYBOX,
            command: ['sh', '-c', 'trap "" TERM; while true; do sleep 1; done'],
            volumeMounts: [{ name: 'scratch', mountPath: '/s' }],
          },
        ],
      }),
    );
    await newKubelet().start();
    await until('pod Running', () => getPod('leaving')?.status?.containerStatuses?.every((c) => c.ready));
    const uid = getPod('leaving')!.metadata.uid!;
    expect(await runtime.listContainers({ [LABEL_POD_UID]: uid })).toHaveLength(3);
    const t0 = Date.now();
    await client.delete(PODS, 'default', 'leaving');
    expect(getPod('leaving')?.metadata.deletionTimestamp).toBeDefined();
    await until('pod deleted', () => getPod('leaving') === undefined, 15_000);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(2500);
    expect(took).toBeLessThan(9000);
    expect(await runtime.listContainers({ [LABEL_POD_UID]: uid })).toEqual([]);
    expect(existsSync(join(dataDir, 'pods', uid))).toBe(false);
  });

  it('a new kubelet adopts running containers untouched and reports the status correctly', async () => {
    client = new FakeApiClient({ clock: systemClock });
    client.seed(
      PODS,
      pod('steady', {
        containers: [
          { name: 'web', image: BUSYBOX, command: ['httpd', '-f', '-p', '8080'] },
          {
            name: 'flaky',
            image: BUSYBOX,
            command: ['sh', '-c', 'test -f /tmp/ran && exec sleep 1000; touch /tmp/ran; exit 2'],
          },
        ],
      }),
    );
    const first = newKubelet({ backoff: { baseMs: 500, maxMs: 1000 } });
    await first.start();
    // flaky exits once (its /tmp does not survive a restart, so it keeps failing): wait for a restart.
    await until('a restart', () => (getPod('steady')?.status?.containerStatuses?.[1].restartCount ?? 0) >= 1);
    await first.stop();
    const uid = getPod('steady')!.metadata.uid!;
    const before = (await runtime.listContainers({ [LABEL_POD_UID]: uid })).filter(
      (c) => c.state === 'running',
    );
    const web = before.find((c) => c.labels['io.skiff.container.name'] === 'web')!;
    // Blank the status, as if it had been lost: the new kubelet must rebuild it from the containers alone.
    const stale = getPod('steady')!;
    await client.updateStatus(PODS, 'default', { ...stale, status: { phase: 'Pending' } });

    const second = newKubelet({ backoff: { baseMs: 500, maxMs: 1000 } });
    await second.start();
    const status = await until('rebuilt status', () => {
      const s = getPod('steady')?.status;
      return s?.phase === 'Running' && s.containerStatuses?.[0]?.ready ? s : undefined;
    });
    const webAfter = (await runtime.listContainers({ [LABEL_POD_UID]: uid })).find(
      (c) => c.labels['io.skiff.container.name'] === 'web' && c.state === 'running',
    )!;
    expect(webAfter.id).toBe(web.id);
    expect(webAfter.startedAt).toBe(web.startedAt);
    expect(status.containerStatuses![0]).toMatchObject({
      name: 'web',
      restartCount: 0,
      containerID: `docker://${web.id}`,
    });
    expect(status.containerStatuses![1].restartCount).toBeGreaterThanOrEqual(1);
    expect(status.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const sandboxes = (await runtime.listContainers({ [LABEL_POD_UID]: uid })).filter(
      (c) => c.labels['io.skiff.container.name'] === 'POD',
    );
    expect(sandboxes).toHaveLength(1);
  });
});
