// Probes through the whole kubelet loop (FakeApiClient + the real informer, the fake runtime, a fake clock and a
// scripted prober): readiness drives the pod's conditions at once, liveness and startup failures kill and restart
// the container through computePodActions, with the kubelet's events.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, KubeObject, Pod } from '../../../src/api/types.js';
import { PODS } from '../../../src/client/api-client.js';
import { silentLogger } from '../../../src/common/logger.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { FakeClock, flushMicrotasks } from '../../../test/fakes/fake-clock.js';
import { FakeContainerRuntime } from '../../../test/fakes/fake-container-runtime.js';
import { FakeProber } from '../../../test/fakes/fake-prober.js';
import { Kubelet } from '../kubelet.js';

const NODE = 'node-1';

class Harness {
  readonly clock = new FakeClock();
  readonly client = new FakeApiClient({ clock: this.clock });
  readonly runtime = new FakeContainerRuntime(this.clock);
  readonly prober = new FakeProber(this.clock);
  readonly events: { type: string; reason: string; message: string }[] = [];
  readonly dataDir = mkdtempSync(join(tmpdir(), 'skiff-probes-'));
  kubelet!: Kubelet;

  constructor() {
    this.runtime.addImage('skiff/pause:3.10');
    this.runtime.addImage('busybox:1');
  }

  async start(): Promise<void> {
    this.kubelet = new Kubelet({
      client: this.client,
      runtime: this.runtime,
      events: {
        record: (_obj: KubeObject, type, reason, message) => this.events.push({ type, reason, message }),
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
      prober: this.prober,
      // Long enough that every status change seen here comes from a probe result, not a periodic resync.
      resyncPeriodMs: 600_000,
    });
    await this.kubelet.start();
    await this.settle();
  }

  async settle(): Promise<void> {
    const realPause = () => new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 4; i++) await Promise.race([this.kubelet.idle().then(flushMicrotasks), realPause()]);
  }

  /** Moves the clock in steps, letting syncs run in between. */
  async advance(ms: number, step = 500): Promise<void> {
    for (let t = 0; t < ms; t += step) {
      await this.clock.advance(Math.min(step, ms - t));
      await this.settle();
    }
  }

  pod(): Pod {
    return this.client.find<Pod>(PODS, 'default', 'web')!;
  }

  app() {
    return this.pod().status!.containerStatuses!.find((c) => c.name === 'app')!;
  }

  conditions(): Record<string, string> {
    return Object.fromEntries((this.pod().status?.conditions ?? []).map((c) => [c.type, c.status]));
  }

  messages(reason: string): string[] {
    return this.events.filter((e) => e.reason === reason).map((e) => e.message);
  }

  async cleanup(): Promise<void> {
    const stopped = this.kubelet?.stop();
    await this.clock.advance(10_000);
    await stopped;
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function podWith(app: Partial<Container>, over: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      nodeName: NODE,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      containers: [
        { name: 'app', image: 'busybox:1', ports: [{ name: 'http', containerPort: 8080 }], ...app },
        { name: 'side', image: 'busybox:1' },
      ],
      ...over,
    },
  };
}

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

describe('kubelet probes', () => {
  it('readiness drives the container, ContainersReady and Ready, written as soon as the result flips', async () => {
    h.client.seed(
      PODS,
      podWith({ readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2 } }),
    );
    const url = () => `http://${h.runtime.named('POD')[0].ip}:8080/healthz`;
    h.prober.fail('http://10.88.0.2:8080/healthz', 'HTTP probe failed with statuscode: 503');
    await h.start();
    expect(url()).toBe('http://10.88.0.2:8080/healthz');
    expect(h.app().ready).toBe(false);
    expect(h.conditions()).toMatchObject({ Ready: 'False', ContainersReady: 'False' });
    expect(h.pod().status!.conditions!.find((c) => c.type === 'Ready')!.message).toBe(
      'containers with unready status: [app]',
    );

    h.prober.succeed(url());
    await h.advance(2000);
    expect(h.app().ready).toBe(true);
    expect(h.conditions()).toMatchObject({ Ready: 'True', ContainersReady: 'True' });
    expect(h.pod().status!.containerStatuses!.find((c) => c.name === 'side')!.ready).toBe(true);

    h.prober.fail(url(), 'HTTP probe failed with statuscode: 500');
    await h.advance(4000);
    expect(h.app().ready).toBe(true); // 2 of 3 failures
    const writes = h.client.actionsOf('updateStatus').length;
    // The third failure falls due exactly now: no clock movement is needed for the status to follow.
    await h.clock.advance(2000);
    await h.settle();
    expect(h.client.actionsOf('updateStatus').length).toBe(writes + 1);
    expect(h.app().ready).toBe(false);
    expect(h.conditions()).toMatchObject({ Ready: 'False', ContainersReady: 'False' });
    expect(h.messages('Unhealthy')).toContain(
      'Readiness probe failed: HTTP probe failed with statuscode: 500',
    );
    expect(h.app().restartCount).toBe(0); // readiness never restarts
  });

  it('liveness failures → Unhealthy, then Killing and a restart with restartCount 1', async () => {
    h.client.seed(
      PODS,
      podWith({
        livenessProbe: { exec: { command: ['cat', '/tmp/alive'] }, initialDelaySeconds: 1, periodSeconds: 5 },
      }),
    );
    await h.start();
    const firstId = h.runtime.named('app')[0].id;
    await h.advance(1000);
    expect(h.prober.times('exec cat /tmp/alive')).toEqual([h.clock.now()]);
    expect(h.app()).toMatchObject({ ready: true, started: true, restartCount: 0 });
    h.prober.fail('exec cat /tmp/alive', "cat: can't open '/tmp/alive': No such file or directory\n");
    await h.advance(15_000);
    expect(h.messages('Unhealthy')).toEqual(
      Array(3).fill("Liveness probe failed: cat: can't open '/tmp/alive': No such file or directory\n"),
    );
    expect(h.messages('Killing')).toEqual(['Container app failed liveness probe, will be restarted']);
    const apps = h.runtime.named('app');
    expect(apps.map((c) => c.state)).toEqual(['exited', 'running']);
    expect(apps[0].id).toBe(firstId);
    expect(apps[1].labels['io.skiff.container.attempt']).toBe('1');
    expect(h.app()).toMatchObject({ restartCount: 1, ready: true, started: true });
    expect(h.app().lastState.terminated).toMatchObject({ exitCode: 143, reason: 'Error' });
    // The sidecar was left alone, and the new container is probed (and passes).
    expect(h.runtime.named('side')).toHaveLength(1);
    h.prober.succeed('exec cat /tmp/alive');
    await h.advance(20_000, 5000);
    const probed = h.prober.calls.at(-1)!.req;
    expect(probed).toMatchObject({ kind: 'exec', containerId: apps[1].id });
    expect(h.app().restartCount).toBe(1);
  });

  it('startup: not started nor ready until it succeeds; its failure restarts the container', async () => {
    h.client.seed(
      PODS,
      podWith({
        startupProbe: { exec: { command: ['test', '-f', '/tmp/up'] }, periodSeconds: 1, failureThreshold: 4 },
        readinessProbe: { exec: { command: ['true'] }, periodSeconds: 10 },
      }),
    );
    h.prober.fail('exec test -f /tmp/up', '');
    await h.start();
    await h.advance(2000);
    expect(h.app()).toMatchObject({ started: false, ready: false });
    expect(h.prober.times('exec true')).toEqual([]);
    h.prober.succeed('exec test -f /tmp/up');
    await h.advance(1000);
    expect(h.app()).toMatchObject({ started: true, ready: true });

    // A fresh container runs its startup probe again; this time it never passes.
    h.prober.fail('exec test -f /tmp/up', '');
    h.runtime.kill(h.runtime.named('app')[0].id, 1);
    // The first crash restarts at once (the kubelet's back-off starts with the second).
    await h.advance(1000);
    expect(h.app()).toMatchObject({ restartCount: 1, started: false, ready: false });
    // Four failed startup probes (1 s apart) kill it; that restart is immediate too (only one failure so far was
    // backed off), the next one fails again and is killed, and from then on the crash-loop back-off applies.
    await h.advance(5000);
    expect(h.messages('Killing')).toEqual(
      Array(2).fill('Container app failed startup probe, will be restarted'),
    );
    expect(h.messages('Unhealthy')).toContain('Startup probe failed: ');
    expect(h.app().restartCount).toBe(2);
  });

  it('repeated liveness kills end in CrashLoopBackOff, as the kubelet back-off does', async () => {
    h.client.seed(
      PODS,
      podWith({ livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 1 } }),
    );
    h.prober.fail('exec false', '');
    await h.start();
    await h.advance(3000);
    // The first two restarts are immediate (the back-off starts after the second failure), then it waits.
    expect(h.messages('Killing')).toEqual(
      Array(3).fill('Container app failed liveness probe, will be restarted'),
    );
    expect(h.app().restartCount).toBe(2);
    expect(h.app().state.waiting?.reason).toBe('CrashLoopBackOff');
    expect(h.messages('BackOff')[0]).toMatch(
      /^Back-off restarting failed container app in pod web_default\(/,
    );
    await h.advance(25_000);
    expect(h.app().restartCount).toBeGreaterThanOrEqual(3);
  });

  it('restartPolicy Never: a liveness failure kills the container for good', async () => {
    h.client.seed(
      PODS,
      podWith(
        {
          livenessProbe: {
            tcpSocket: { port: 8080 },
            periodSeconds: 1,
            failureThreshold: 1,
            terminationGracePeriodSeconds: 2,
          },
        },
        { restartPolicy: 'Never' },
      ),
    );
    h.runtime.setBehaviour('app', { ignoreSigterm: true });
    h.prober.fail('tcp 10.88.0.2:8080', 'dial tcp 10.88.0.2:8080: connect: connection refused');
    await h.start();
    await h.advance(500);
    expect(h.messages('Killing')).toEqual(['Container app failed liveness probe, will not be restarted']);
    // The probe's terminationGracePeriodSeconds (2 s), not the pod's 30 s.
    await h.advance(1000);
    expect(h.runtime.named('app')[0].state).toBe('running');
    await h.advance(1500);
    expect(h.runtime.named('app').map((c) => [c.state, c.exitCode])).toEqual([['exited', 137]]);
    await h.advance(5000);
    expect(h.prober.calls).toHaveLength(1);
    expect(h.app().state.terminated).toBeDefined();
  });

  it('results do not survive the agent: a restarted kubelet re-probes before the container is ready again', async () => {
    h.client.seed(PODS, podWith({ readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 5 } }));
    await h.start();
    await h.advance(500);
    expect(h.app().ready).toBe(true);
    const stopped = h.kubelet.stop();
    await h.clock.advance(10_000);
    await stopped;
    const attempts = h.prober.calls.length;
    await h.clock.advance(30_000);
    expect(h.prober.calls.length).toBe(attempts); // a stopped kubelet probes nothing

    await h.start();
    expect(h.app()).toMatchObject({ ready: false, restartCount: 0 });
    await h.advance(500);
    expect(h.prober.calls.length).toBe(attempts + 1);
    expect(h.app().ready).toBe(true);
  });

  it('a deleted pod stops being probed', async () => {
    h.client.seed(PODS, podWith({ readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } }));
    await h.start();
    await h.advance(2000);
    const before = h.prober.calls.length;
    expect(before).toBeGreaterThan(1);
    await h.client.delete(PODS, 'default', 'web');
    await h.advance(35_000, 5000);
    expect(h.client.find(PODS, 'default', 'web')).toBeUndefined();
    expect(h.prober.calls.length).toBe(before);
  });
});
