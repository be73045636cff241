// Probes with the real Docker engine: the kubelet (against an in-memory API) probes a busybox httpd over the pod
// IP from this host and runs exec probes inside containers. Readiness follows a file the test removes and restores
// with exec; a failing liveness exec probe restarts its container. Short periods keep the run well under 40 s.
// Every container of this run's node label is removed afterwards, even on failure.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../src/api/types.js';
import { PODS } from '../../src/client/api-client.js';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { DockerContainerRuntime } from '../../agent/runtime/docker-container-runtime.js';
import { importBusyboxImage } from '../../agent/runtime/busybox-rootfs.js';
import { DEFAULT_PAUSE_IMAGE, ensurePauseImage } from '../../agent/runtime/pause-image.js';
import { Kubelet } from '../../agent/kubelet/kubelet.js';
import { LABEL_CONTAINER_NAME, LABEL_NODE } from '../../agent/kubelet/labels.js';
import { FakeApiClient } from '../fakes/fake-api-client.js';

const run = `${process.pid}-${Date.now().toString(36)}`;
const NODE = `it-probes-${run}`;
const BUSYBOX = `skiff-test/busybox:${run}`;
const runtime = new DockerContainerRuntime();
const dataDir = mkdtempSync(join(tmpdir(), 'skiff-it-probes-'));
const events: { reason: string; message: string }[] = [];

let client: FakeApiClient;
let kubelet: Kubelet | undefined;

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await systemClock.sleep(100);
  }
}

async function removeNodeContainers(): Promise<void> {
  const all = await runtime.listContainers({ [LABEL_NODE]: NODE });
  const apps = all.filter((c) => c.labels[LABEL_CONTAINER_NAME] !== 'POD');
  for (const c of [...apps, ...all.filter((c) => !apps.includes(c))])
    await runtime.removeContainer(c.id, { force: true });
}

/** Runs a command in the running container `name` of the pod, returning its exit code. */
async function execIn(name: string, cmd: string[]): Promise<number> {
  const all = await runtime.listContainers({ [LABEL_NODE]: NODE, [LABEL_CONTAINER_NAME]: name });
  const c = all.find((x) => x.state === 'running');
  if (!c) throw new Error(`container ${name} is not running`);
  const session = await runtime.exec(c.id, cmd, { stdin: false, stdout: true, stderr: true, tty: false });
  session.stdout.resume();
  session.stderr?.resume();
  return session.exitCode();
}

const status = (name: string) =>
  client.find<Pod>(PODS, 'default', 'probed')?.status?.containerStatuses?.find((c) => c.name === name);
const condition = (type: string) =>
  client.find<Pod>(PODS, 'default', 'probed')?.status?.conditions?.find((c) => c.type === type)?.status;

beforeAll(async () => {
  await ensurePauseImage(runtime, DEFAULT_PAUSE_IMAGE, silentLogger);
  await importBusyboxImage(runtime, BUSYBOX);
});

afterEach(async () => {
  await kubelet?.stop();
  kubelet = undefined;
  await removeNodeContainers();
});

afterAll(async () => {
  await removeNodeContainers();
  await runtime.removeImage(BUSYBOX);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('kubelet probes with the real Docker engine', () => {
  it('readiness follows /healthz over the pod IP; a failing liveness exec probe restarts its container', async () => {
    client = new FakeApiClient({ clock: systemClock });
    client.seed(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'probed', namespace: 'default' },
      spec: {
        nodeName: NODE,
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 2,
        containers: [
          {
            name: 'web',
            image: BUSYBOX,
            command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www'],
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: {
              httpGet: { path: '/healthz', port: 'http' },
              periodSeconds: 1,
              timeoutSeconds: 1,
              failureThreshold: 2,
            },
          },
          {
            name: 'worker',
            image: BUSYBOX,
            command: ['sh', '-c', 'echo yes > /tmp/alive && exec sleep 1000'],
            livenessProbe: {
              exec: { command: ['cat', '/tmp/alive'] },
              initialDelaySeconds: 1,
              periodSeconds: 1,
              failureThreshold: 2,
            },
          },
        ],
      },
    } as Pod);
    kubelet = new Kubelet({
      client,
      runtime,
      events: { record: (_o, _t, reason, message) => events.push({ reason, message }) },
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
      // Longer than the test: every status change below comes from a probe result.
      resyncPeriodMs: 60_000,
    });
    await kubelet.start();

    await until('web ready', () => status('web')?.ready && condition('Ready') === 'True', 15_000);
    expect(condition('ContainersReady')).toBe('True');

    // Not ready within failureThreshold × period (2 s), plus a sync.
    expect(await execIn('web', ['rm', '/www/healthz'])).toBe(0);
    const removedAt = Date.now();
    await until(
      'web not ready',
      () => status('web')?.ready === false && condition('Ready') === 'False',
      5_000,
    );
    expect(Date.now() - removedAt).toBeLessThan(3_500);
    expect(
      events.some((e) => e.message === 'Readiness probe failed: HTTP probe failed with statuscode: 404'),
    ).toBe(true);

    expect(await execIn('web', ['sh', '-c', 'echo ok > /www/healthz'])).toBe(0);
    await until('web ready again', () => status('web')?.ready && condition('Ready') === 'True', 5_000);
    expect(status('web')?.restartCount).toBe(0);

    // Liveness: two failed `cat /tmp/alive` → killed and restarted (the new container writes the file again).
    expect(await execIn('worker', ['rm', '/tmp/alive'])).toBe(0);
    const restarted = await until(
      'worker restarted',
      () => (status('worker')?.restartCount === 1 ? status('worker') : undefined),
      15_000,
    );
    expect(restarted.lastState.terminated).toBeDefined();
    expect(events.filter((e) => e.reason === 'Unhealthy').map((e) => e.message)).toContain(
      "Liveness probe failed: cat: can't open '/tmp/alive': No such file or directory\n",
    );
    expect(events.filter((e) => e.reason === 'Killing').map((e) => e.message)).toEqual([
      'Container worker failed liveness probe, will be restarted',
    ]);
    await until(
      'worker running and ready',
      () => status('worker')?.state.running && status('worker')?.ready,
      5_000,
    );
    // The new container passes its probe: no further restart.
    await systemClock.sleep(2_500);
    expect(status('worker')?.restartCount).toBe(1);
    expect(status('web')?.ready).toBe(true);
  });
});
