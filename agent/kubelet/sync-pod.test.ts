import { describe, expect, it } from 'vitest';
import type { Container, Pod } from '../../src/api/types.js';
import { runtimeContainer } from '../../test/fakes/fake-container-runtime.js';
import type { BackoffEntry } from './backoff.js';
import { containerHash, observePod } from './labels.js';
import {
  computePodActions,
  effectivePullPolicy,
  podGraceSeconds,
  shouldRestart,
  type SyncContext,
} from './sync-pod.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const app: Container = { name: 'app', image: 'busybox:1', command: ['sleep', '1000'] };
const side: Container = { name: 'side', image: 'busybox:1', command: ['httpd', '-f'] };

function pod(over: Partial<Pod['spec']> = {}, meta: Partial<Pod['metadata']> = {}, phase?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'pod', namespace: 'default', uid: 'uid-1', ...meta },
    spec: { containers: [app, side], nodeName: 'node-1', restartPolicy: 'Always', ...over },
    ...(phase ? { status: { phase: phase as 'Succeeded' } } : {}),
  };
}

const ctx = (backoff: Record<string, BackoffEntry> = {}): SyncContext => ({
  now: NOW,
  backoff: (n) => backoff[n],
});

const sandbox = runtimeContainer('POD', { id: 'sb-0', ip: '10.88.0.2' });
const running = (c: Container, attempt = 0, sandboxId = 'sb-0') =>
  runtimeContainer(c.name, { attempt, hash: containerHash(c), sandboxId });
const exited = (c: Container, exitCode: number, attempt = 0, finishedAt = NOW - 5_000) =>
  runtimeContainer(c.name, {
    attempt,
    hash: containerHash(c),
    sandboxId: 'sb-0',
    state: 'exited',
    exitCode,
    startedAt: finishedAt - 1000,
    finishedAt,
  });

describe('computePodActions', () => {
  it('first start: creates the sandbox, then every container at attempt 0', () => {
    const a = computePodActions(pod(), observePod([]), ctx());
    expect(a.createSandbox).toEqual({ attempt: 0 });
    expect(a.startContainers).toEqual([
      { init: false, index: 0, name: 'app', attempt: 0, pullPolicy: 'IfNotPresent' },
      { init: false, index: 1, name: 'side', attempt: 0, pullPolicy: 'IfNotPresent' },
    ]);
    expect(a.killPod).toBeUndefined();
    expect(a.killContainers).toEqual([]);
  });

  it('steady state: everything running as specified means no action at all', () => {
    const a = computePodActions(pod(), observePod([sandbox, running(app), running(side)]), ctx());
    expect(a).toEqual({
      startContainers: [],
      waiting: [],
      killContainers: [],
      removeContainers: [],
      finishDeletion: false,
    });
  });

  it('a crashed container waits while its back-off runs, with the kubelet message', () => {
    const crashed = exited(app, 1, 2, NOW - 5_000);
    const a = computePodActions(
      pod(),
      observePod([sandbox, crashed, running(side)]),
      ctx({ app: { delayMs: 20_000, failedAt: NOW - 5_000 } }),
    );
    expect(a.startContainers).toEqual([]);
    expect(a.waiting).toEqual([
      {
        name: 'app',
        until: NOW + 15_000,
        delayMs: 20_000,
        message: 'back-off 20s restarting failed container=app pod=pod_default(uid-1)',
      },
    ]);
    expect(a.killPod).toBeUndefined();
  });

  it('once the back-off expired the container is restarted with attempt + 1', () => {
    const crashed = exited(app, 1, 2, NOW - 30_000);
    const a = computePodActions(
      pod(),
      observePod([sandbox, crashed, running(side)]),
      ctx({ app: { delayMs: 20_000, failedAt: NOW - 30_000 } }),
    );
    expect(a.startContainers).toEqual([
      { init: false, index: 0, name: 'app', attempt: 3, pullPolicy: 'IfNotPresent' },
    ]);
    expect(a.waiting).toEqual([]);
  });

  it('a changed container spec (hash label differs) kills and recreates that container', () => {
    const changed = { ...app, image: 'busybox:2' };
    const a = computePodActions(
      pod({ containers: [changed, side] }),
      observePod([sandbox, running(app, 4), running(side)]),
      ctx(),
    );
    expect(a.killContainers).toEqual([
      { id: expect.any(String), name: 'app', message: 'Container app definition changed, will be restarted' },
    ]);
    expect(a.startContainers).toEqual([
      { init: false, index: 0, name: 'app', attempt: 5, pullPolicy: 'IfNotPresent' },
    ]);
  });

  it('a container that failed its liveness probe is killed and restarted with attempt + 1', () => {
    const probed = {
      ...app,
      livenessProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 3 },
    };
    const c = running(probed, 2);
    const failedProbe: SyncContext['failedProbe'] = (name, rc) =>
      name === 'app' && rc.id === c.id ? 'liveness' : undefined;
    const a = computePodActions(
      pod({ containers: [probed, side] }),
      observePod([sandbox, c, running(side)]),
      {
        ...ctx(),
        failedProbe,
      },
    );
    expect(a.killContainers).toEqual([
      {
        id: c.id,
        name: 'app',
        message: 'Container app failed liveness probe, will be restarted',
        probe: 'liveness',
        graceSeconds: 3,
      },
    ]);
    expect(a.startContainers).toEqual([
      { init: false, index: 0, name: 'app', attempt: 3, pullPolicy: 'IfNotPresent' },
    ]);
    expect(a.killPod).toBeUndefined();
  });

  it('probe kills: startup wording, the pod grace by default, back-off, and restartPolicy Never', () => {
    const c = running(app, 1);
    const startup: SyncContext['failedProbe'] = () => 'startup';
    const obs = observePod([sandbox, c, running(side)]);
    const a = computePodActions(pod(), obs, {
      ...ctx(),
      failedProbe: (n, rc) => (n === 'app' ? startup(n, rc) : undefined),
    });
    expect(a.killContainers).toEqual([
      {
        id: c.id,
        name: 'app',
        message: 'Container app failed startup probe, will be restarted',
        probe: 'startup',
      },
    ]);
    // Still in the back-off of the previous kill: killed now, started when it expires.
    const waiting = computePodActions(pod(), obs, {
      ...ctx({ app: { delayMs: 20_000, failedAt: NOW - 5_000 } }),
      failedProbe: (n) => (n === 'app' ? 'liveness' : undefined),
    });
    expect(waiting.killContainers.map((k) => k.name)).toEqual(['app']);
    expect(waiting.startContainers).toEqual([]);
    expect(waiting.waiting).toEqual([
      {
        name: 'app',
        until: NOW + 15_000,
        delayMs: 20_000,
        message: 'back-off 20s restarting failed container=app pod=pod_default(uid-1)',
      },
    ]);
    const never = computePodActions(pod({ restartPolicy: 'Never' }), obs, {
      ...ctx(),
      failedProbe: (n) => (n === 'app' ? 'liveness' : undefined),
    });
    expect(never.killContainers[0].message).toBe(
      'Container app failed liveness probe, will not be restarted',
    );
    expect(never.startContainers).toEqual([]);
    // A definition change wins over a probe failure (one kill, the usual wording).
    const changed = computePodActions(pod({ containers: [{ ...app, image: 'busybox:2' }, side] }), obs, {
      ...ctx(),
      failedProbe: () => 'liveness',
    });
    expect(changed.killContainers.map((k) => k.message)).toEqual([
      'Container app definition changed, will be restarted',
      'Container side failed liveness probe, will be restarted',
    ]);
  });

  it('a dead sandbox: kill everything and recreate the sandbox with the next attempt', () => {
    const dead = { ...sandbox, state: 'exited' as const, exitCode: 137 };
    const a = computePodActions(pod(), observePod([dead, running(app, 1), running(side)]), ctx());
    expect(a.killPod).toEqual({ reason: 'SandboxChanged', graceSeconds: 30 });
    expect(a.createSandbox).toEqual({ attempt: 1 });
    expect(a.startContainers.map((s) => [s.name, s.attempt])).toEqual([
      ['app', 2],
      ['side', 1],
    ]);
  });

  it('a sandbox whose creation just failed is not retried before its back-off expires', () => {
    const dead = { ...sandbox, state: 'exited' as const, exitCode: 137 };
    const observed = observePod([dead, exited(app, 143), exited(side, 143)]);
    const sandboxBackoff = { delayMs: 2000, failedAt: NOW - 500 };
    const waiting = computePodActions(pod(), observed, { ...ctx(), sandboxBackoff });
    expect(waiting.createSandbox).toBeUndefined();
    expect(waiting.startContainers).toEqual([]);
    expect(waiting.sandboxRetryAt).toBe(NOW + 1500);
    const later = computePodActions(pod(), observed, { ...ctx(), now: NOW + 1500, sandboxBackoff });
    expect(later.createSandbox).toEqual({ attempt: 1 });
    expect(later.sandboxRetryAt).toBeUndefined();
  });

  it('a pod being deleted: kill everything with its grace, then finish the deletion', () => {
    const p = pod({}, { deletionTimestamp: '2026-01-01T00:10:30Z', deletionGracePeriodSeconds: 7 });
    const a = computePodActions(p, observePod([sandbox, running(app), running(side)]), ctx());
    expect(a.killPod).toEqual({ reason: 'PodDeleted', graceSeconds: 7 });
    expect(a.finishDeletion).toBe(true);
    expect(a.startContainers).toEqual([]);
    // Nothing left running: only the deletion remains.
    const after = computePodActions(p, observePod([]), ctx());
    expect(after.killPod).toBeUndefined();
    expect(after.finishDeletion).toBe(true);
  });

  it('terminal phases stop what still runs and never start anything', () => {
    for (const phase of ['Succeeded', 'Failed']) {
      const a = computePodActions(
        pod({}, {}, phase),
        observePod([sandbox, exited(app, 0), running(side)]),
        ctx(),
      );
      expect(a.killPod).toEqual({ reason: 'PodTerminal', graceSeconds: 30 });
      expect(a.startContainers).toEqual([]);
      expect(a.createSandbox).toBeUndefined();
      const idle = computePodActions(
        pod({}, {}, phase),
        observePod([{ ...sandbox, state: 'exited' }]),
        ctx(),
      );
      expect(idle.killPod).toBeUndefined();
      expect(idle.createSandbox).toBeUndefined();
    }
  });

  describe('restart policies', () => {
    const one = (policy: 'Always' | 'OnFailure' | 'Never') =>
      pod({ containers: [app], restartPolicy: policy });
    const cases: [string, 'Always' | 'OnFailure' | 'Never', number, boolean][] = [
      ['Always restarts after success', 'Always', 0, true],
      ['Always restarts after failure', 'Always', 1, true],
      ['OnFailure does not restart after success', 'OnFailure', 0, false],
      ['OnFailure restarts after failure', 'OnFailure', 2, true],
      ['Never does not restart after success', 'Never', 0, false],
      ['Never does not restart after failure', 'Never', 1, false],
    ];
    it.each(cases)('%s', (_name, policy, exitCode, restarts) => {
      const a = computePodActions(
        one(policy),
        observePod([sandbox, exited(app, exitCode, 0, NOW - 60_000)]),
        ctx(),
      );
      if (restarts) {
        expect(a.startContainers).toEqual([
          { init: false, index: 0, name: 'app', attempt: 1, pullPolicy: 'IfNotPresent' },
        ]);
        expect(a.killPod).toBeUndefined();
      } else {
        expect(a.startContainers).toEqual([]);
        // Nothing will run again in this pod: its sandbox is stopped.
        expect(a.killPod).toEqual({ reason: 'NothingToRun', graceSeconds: 30 });
      }
    });

    it('Never: a pod that already ran gets no new sandbox when its sandbox dies', () => {
      const dead = { ...sandbox, state: 'exited' as const };
      const a = computePodActions(one('Never'), observePod([dead, running(app)]), ctx());
      expect(a.killPod).toEqual({ reason: 'SandboxChanged', graceSeconds: 30 });
      expect(a.createSandbox).toBeUndefined();
      expect(a.startContainers).toEqual([]);
    });

    it('OnFailure: no sandbox is recreated when every container already succeeded', () => {
      const dead = { ...sandbox, state: 'exited' as const };
      const a = computePodActions(one('OnFailure'), observePod([dead, exited(app, 0)]), ctx());
      expect(a.createSandbox).toBeUndefined();
      expect(a.startContainers).toEqual([]);
    });

    it('a container whose start failed (left "created") is retried under any policy', () => {
      const failed = runtimeContainer('app', {
        attempt: 0,
        state: 'created',
        error: 'exec: "nope": not found',
      });
      expect(shouldRestart(one('Never'), failed)).toBe(true);
    });
  });

  it('removes dead containers beyond the newest per name, and superseded sandboxes', () => {
    const oldSandbox = runtimeContainer('POD', { id: 'sb-old', attempt: 0, state: 'exited' });
    const current = runtimeContainer('POD', { id: 'sb-1', attempt: 1, ip: '10.88.0.3' });
    const gen0 = exited(app, 1, 0, NOW - 100_000);
    const gen1 = exited(app, 1, 1, NOW - 50_000);
    const gen2 = {
      ...exited(app, 1, 2, NOW - 1_000),
      labels: { ...exited(app, 1, 2).labels, 'io.skiff.sandbox.id': 'sb-1' },
    };
    const sideUp = running(side, 0, 'sb-1');
    const a = computePodActions(
      pod(),
      observePod([oldSandbox, current, gen0, gen1, gen2, sideUp]),
      ctx({ app: { delayMs: 40_000, failedAt: NOW - 1_000 } }),
    );
    expect(a.removeContainers.map((c) => c.id).sort()).toEqual([gen0.id, gen1.id, 'sb-old'].sort());
    expect(a.waiting.map((w) => w.name)).toEqual(['app']);
  });

  it('kills running containers the spec does not name, and containers outside the current sandbox', () => {
    const stray = runtimeContainer('gone', { sandboxId: 'sb-0' });
    const elsewhere = running(side, 3, 'sb-other');
    const a = computePodActions(pod(), observePod([sandbox, running(app), elsewhere, stray]), ctx());
    expect(a.killContainers.map((k) => [k.name, k.message])).toEqual([
      ['side', 'Container side is outside the pod sandbox, will be restarted'],
      ['gone', 'Container gone is not in the pod spec'],
    ]);
    expect(a.startContainers).toEqual([
      { init: false, index: 1, name: 'side', attempt: 4, pullPolicy: 'IfNotPresent' },
    ]);
  });

  it('pull policy and grace defaults follow Kubernetes', () => {
    expect(effectivePullPolicy({ name: 'a', image: 'nginx' })).toBe('Always');
    expect(effectivePullPolicy({ name: 'a', image: 'nginx:latest' })).toBe('Always');
    expect(effectivePullPolicy({ name: 'a', image: 'nginx:1.27' })).toBe('IfNotPresent');
    expect(effectivePullPolicy({ name: 'a', image: 'nginx', imagePullPolicy: 'Never' })).toBe('Never');
    expect(podGraceSeconds(pod())).toBe(30);
    expect(podGraceSeconds(pod({ terminationGracePeriodSeconds: 5 }))).toBe(5);
    expect(
      podGraceSeconds(pod({ terminationGracePeriodSeconds: 5 }, { deletionGracePeriodSeconds: 0 })),
    ).toBe(0);
  });
});

describe('computePodActions with init containers', () => {
  const init1: Container = { name: 'init1', image: 'busybox:1', command: ['true'] };
  const init2: Container = { name: 'init2', image: 'busybox:1', command: ['true'] };
  const withInit = (policy: 'Always' | 'Never' = 'Always') =>
    pod({ initContainers: [init1, init2], restartPolicy: policy });
  const done = (c: Container, exitCode = 0, attempt = 0) => exited(c, exitCode, attempt, NOW - 60_000);

  it('a new sandbox starts only the first init container', () => {
    const a = computePodActions(withInit(), observePod([]), ctx());
    expect(a.createSandbox).toEqual({ attempt: 0 });
    expect(a.startContainers).toEqual([
      { init: true, index: 0, name: 'init1', attempt: 0, pullPolicy: 'IfNotPresent' },
    ]);
  });

  it('runs init containers one after another, then the app containers', () => {
    const initRunning = computePodActions(withInit(), observePod([sandbox, running(init1)]), ctx());
    expect(initRunning.startContainers).toEqual([]);
    expect(initRunning.killPod).toBeUndefined();
    expect(computePodActions(withInit(), observePod([sandbox, done(init1)]), ctx()).startContainers).toEqual([
      { init: true, index: 1, name: 'init2', attempt: 0, pullPolicy: 'IfNotPresent' },
    ]);
    expect(
      computePodActions(
        withInit(),
        observePod([sandbox, done(init1), done(init2)]),
        ctx(),
      ).startContainers.map((s) => s.name),
    ).toEqual(['app', 'side']);
  });

  it('a failed init container is retried with back-off, or fails the pod under Never', () => {
    const failed = observePod([sandbox, done(init1), done(init2, 1)]);
    expect(computePodActions(withInit(), failed, ctx()).startContainers).toEqual([
      { init: true, index: 1, name: 'init2', attempt: 1, pullPolicy: 'IfNotPresent' },
    ]);
    const waiting = computePodActions(
      withInit(),
      failed,
      ctx({ init2: { delayMs: 10_000, failedAt: NOW - 1000 } }),
    );
    expect(waiting.waiting.map((w) => w.name)).toEqual(['init2']);
    const never = computePodActions(withInit('Never'), failed, ctx());
    expect(never.startContainers).toEqual([]);
    expect(never.killPod).toEqual({ reason: 'NothingToRun', graceSeconds: 30 });
  });

  it('init containers do not run again once app containers run, and are not garbage', () => {
    const a = computePodActions(
      withInit(),
      observePod([sandbox, done(init1), done(init2), running(app), running(side)]),
      ctx(),
    );
    expect(a.startContainers).toEqual([]);
    expect(a.removeContainers).toEqual([]);
    expect(a.killContainers).toEqual([]);
  });
});
