// The probe manager with a fake clock and a scripted prober: thresholds over periods, the startup gate, liveness
// failures, timeouts, errors, and workers that stop with their container.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Container, Pod } from '../../../src/api/types.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { runtimeContainer } from '../../../test/fakes/fake-container-runtime.js';
import { FakeProber } from '../../../test/fakes/fake-prober.js';
import type { RuntimeContainer } from '../../runtime/container-runtime.js';
import { observePod } from '../labels.js';
import { ProbeManager } from './probe-manager.js';

const URL = 'http://10.88.0.7:8080/healthz';

let clock: FakeClock;
let prober: FakeProber;
let events: { type: string; reason: string; message: string }[];
let changes: string[];
let m: ProbeManager;

beforeEach(() => {
  clock = new FakeClock();
  prober = new FakeProber(clock);
  events = [];
  changes = [];
  m = new ProbeManager({
    prober,
    clock,
    events: { record: (_obj, type, reason, message) => events.push({ type, reason, message }) },
    onChange: (uid) => changes.push(uid),
  });
});

function pod(app: Partial<Container>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1' },
    spec: {
      nodeName: 'node-1',
      containers: [
        { name: 'app', image: 'busybox:1', ports: [{ name: 'http', containerPort: 8080 }], ...app },
      ],
    },
  };
}

const sandbox = runtimeContainer('POD', { id: 'sb', ip: '10.88.0.7' });
function app(id = 'app-1', startedAt = clock.now(), state: RuntimeContainer['state'] = 'running') {
  return runtimeContainer('app', { id, startedAt, state });
}

/** Syncs the pod with this app container and returns helpers reading its results. */
function start(p: Pod, c = app()) {
  m.sync(p, observePod([sandbox, c]), '10.88.0.7');
  return {
    ready: () => m.isReady(p, 'app', c),
    started: () => m.isStarted(p, 'app', c),
    failed: () => m.failedProbe(p, 'app', c),
  };
}

const messages = (reason: string) => events.filter((e) => e.reason === reason).map((e) => e.message);

describe('ProbeManager', () => {
  it('readiness: not ready until successThreshold successes, flips after failureThreshold periods, and back', async () => {
    const p = pod({
      readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, successThreshold: 2 },
    });
    const c = start(p);
    expect(c.ready()).toBe(false);
    await clock.advance(0); // first attempt when the container started (no initial delay)
    expect(prober.times(URL)).toHaveLength(1);
    expect(c.ready()).toBe(false);
    await clock.advance(2000);
    expect(c.ready()).toBe(true);
    expect(changes).toEqual(['uid-1']);

    prober.fail(URL, 'HTTP probe failed with statuscode: 404');
    await clock.advance(4000);
    expect(c.ready()).toBe(true); // two failures: below the threshold of 3
    await clock.advance(2000);
    expect(c.ready()).toBe(false);
    expect(changes).toHaveLength(2);
    expect(messages('Unhealthy')).toEqual(
      Array(3).fill('Readiness probe failed: HTTP probe failed with statuscode: 404'),
    );
    expect(events.every((e) => e.type === 'Warning')).toBe(true);

    prober.succeed(URL);
    await clock.advance(2000);
    expect(c.ready()).toBe(false);
    await clock.advance(2000);
    expect(c.ready()).toBe(true);
    expect(changes).toHaveLength(3);
    // Attempts every period, never more often.
    const times = prober.times(URL).map((t) => (t - prober.times(URL)[0]) / 1000);
    expect(times).toEqual([0, 2, 4, 6, 8, 10, 12]);
  });

  it('startup holds liveness and readiness back until it succeeds; then they run at once', async () => {
    const p = pod({
      startupProbe: { exec: { command: ['cat', '/tmp/started'] }, periodSeconds: 1, failureThreshold: 10 },
      livenessProbe: { exec: { command: ['true'] }, periodSeconds: 5 },
      readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5 },
    });
    prober.fail('exec cat /tmp/started', "cat: can't open '/tmp/started': No such file or directory");
    const c = start(p);
    await clock.advance(3500);
    expect(prober.times('exec cat /tmp/started')).toHaveLength(4);
    expect(prober.calls.filter((x) => x.key !== 'exec cat /tmp/started')).toEqual([]);
    expect([c.started(), c.ready(), c.failed()]).toEqual([false, false, undefined]);
    expect(messages('Unhealthy')[0]).toBe(
      "Startup probe failed: cat: can't open '/tmp/started': No such file or directory",
    );

    prober.succeed('exec cat /tmp/started');
    await clock.advance(500);
    expect(c.started()).toBe(true);
    expect(prober.times('exec true')).toEqual([clock.now()]);
    expect(prober.times('tcp 10.88.0.7:8080')).toEqual([clock.now()]);
    expect(c.ready()).toBe(true);
    // The startup probe is done: no more attempts.
    await clock.advance(10_000);
    expect(prober.times('exec cat /tmp/started')).toHaveLength(5);
    expect(prober.times('exec true')).toHaveLength(3);
  });

  it('startup failureThreshold: the container must be killed; probing stops', async () => {
    const p = pod({
      startupProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 3 },
      readinessProbe: { exec: { command: ['true'] } },
    });
    prober.fail('exec false', '');
    const c = start(p);
    await clock.advance(2000);
    expect(c.failed()).toBe('startup');
    expect(changes).toEqual(['uid-1']);
    await clock.advance(10_000);
    expect(prober.times('exec false')).toHaveLength(3);
    expect(prober.times('exec true')).toHaveLength(0);
    expect(clock.pending()).toBe(0);
  });

  it('liveness: failureThreshold failures in a row → failed; a restarted container starts afresh', async () => {
    const p = pod({ livenessProbe: { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 3 } });
    const first = start(p);
    await clock.advance(3000);
    expect(first.failed()).toBeUndefined();
    prober.fail('exec cat /tmp/alive', 'cat: no such file');
    await clock.advance(6000);
    expect(first.failed()).toBeUndefined(); // 2 failures
    expect(first.ready()).toBe(true); // liveness does not gate readiness
    await clock.advance(3000);
    expect(first.failed()).toBe('liveness');
    expect(changes).toEqual(['uid-1']);
    expect(messages('Unhealthy')).toEqual(Array(3).fill('Liveness probe failed: cat: no such file'));
    // Held: no attempt into a container that is being killed.
    await clock.advance(9000);
    expect(prober.times('exec cat /tmp/alive')).toHaveLength(5);

    prober.succeed('exec cat /tmp/alive');
    const second = start(p, app('app-2'));
    expect(first.failed()).toBeUndefined(); // results belong to the old instance, which is gone
    expect(second.failed()).toBeUndefined();
    await clock.advance(0);
    expect(prober.times('exec cat /tmp/alive')).toHaveLength(6);
    expect(prober.calls.at(-1)!.req).toEqual({
      kind: 'exec',
      containerId: 'app-2',
      command: ['cat', '/tmp/alive'],
    });
  });

  it('an attempt that outlives timeoutSeconds fails with the kubelet message', async () => {
    const p = pod({ readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, timeoutSeconds: 2 } });
    prober.set(URL, 'hang');
    const c = start(p);
    await clock.advance(1999);
    expect(events).toEqual([]);
    await clock.advance(1);
    expect(messages('Unhealthy')).toEqual([
      `Readiness probe failed: Get "${URL}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    ]);
    expect(c.ready()).toBe(false);
    // The next attempt a period after the previous one began.
    prober.succeed(URL);
    await clock.advance(8000);
    expect(c.ready()).toBe(true);
  });

  it('errors are retried, reported, and not counted; a warning counts as success', async () => {
    const p = pod({ readinessProbe: { httpGet: { path: '/healthz', port: 'nope' } } });
    const c = start(p);
    await clock.advance(0);
    expect(messages('Unhealthy')).toEqual(["Readiness probe errored: couldn't find port: nope in app"]);
    expect(prober.calls).toEqual([]);
    expect(c.ready()).toBe(false);

    m.removePod('uid-1');
    events.length = 0;
    const q = pod({ readinessProbe: { exec: { command: ['check'] }, failureThreshold: 1 } });
    prober.set('exec check', { result: 'error', output: 'container is not running' });
    const d = start(q);
    await clock.advance(0);
    expect(prober.times('exec check')).toHaveLength(3);
    expect(messages('Unhealthy')).toEqual(['Readiness probe errored: container is not running']);
    expect(changes).toEqual([]);
    prober.set('exec check', { result: 'warning', output: 'Probe terminated redirects, Response body: ' });
    await clock.advance(10_000);
    expect(d.ready()).toBe(true);
    expect(messages('ProbeWarning')).toEqual([
      'Readiness probe warning: Probe terminated redirects, Response body: ',
    ]);
  });

  it('honours the initial delay from the container start, then probes every period', async () => {
    const startedAt = clock.now() - 2000; // adopted: started 2 s ago
    const p = pod({
      readinessProbe: { tcpSocket: { port: 'http' }, initialDelaySeconds: 5, periodSeconds: 4 },
    });
    start(p, app('app-1', startedAt));
    await clock.advance(20_000);
    expect(prober.times('tcp 10.88.0.7:8080').map((t) => (t - startedAt) / 1000)).toEqual([5, 9, 13, 17, 21]);
  });

  it('without probes nothing runs, and a running container is started and ready', () => {
    const c = start(pod({}));
    expect([c.started(), c.ready(), c.failed()]).toEqual([true, true, undefined]);
    expect(clock.pending()).toBe(0);
  });

  it('workers stop when the container stops, the pod ends or goes away, and on stop(): no timers left', async () => {
    const p = pod({
      readinessProbe: { exec: { command: ['true'] } },
      livenessProbe: { exec: { command: ['true'] } },
    });
    start(p);
    await clock.advance(1000);
    expect(m.activeWorkers()).toBe(2);
    m.sync(p, observePod([sandbox, app('app-1', clock.now(), 'exited')]), '10.88.0.7');
    expect(m.activeWorkers()).toBe(0);
    expect(clock.pending()).toBe(0);

    start(p, app('app-2'));
    expect(clock.pending()).toBe(2);
    m.sync({ ...p, status: { phase: 'Succeeded' } }, observePod([sandbox, app('app-2')]), '10.88.0.7');
    expect(clock.pending()).toBe(0);

    start(p, app('app-3'));
    m.sync(
      { ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } },
      observePod([]),
      '',
    );
    expect(clock.pending()).toBe(0);

    // An attempt in flight is aborted (its timeout timer goes too).
    prober.set('exec true', 'hang');
    start(p, app('app-4'));
    await clock.advance(0);
    expect(clock.pending()).toBeGreaterThan(0);
    m.stop();
    await clock.advance(0);
    expect(clock.pending()).toBe(0);
    expect(m.activeWorkers()).toBe(0);
    // A stopped manager starts nothing.
    start(p, app('app-5'));
    expect(clock.pending()).toBe(0);
  });
});
