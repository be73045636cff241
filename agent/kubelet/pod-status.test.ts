import { describe, expect, it } from 'vitest';
import type { Container, Pod, PodStatus } from '../../src/api/types.js';
import { runtimeContainer } from '../../test/fakes/fake-container-runtime.js';
import { observePod } from './labels.js';
import { computePodStatus, type StatusContext, type WaitingReason } from './pod-status.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const app: Container = { name: 'app', image: 'busybox:1' };
const side: Container = { name: 'side', image: 'busybox:1' };

function pod(
  policy: 'Always' | 'OnFailure' | 'Never' = 'Always',
  status?: PodStatus,
  containers = [app, side],
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1' },
    spec: { containers, restartPolicy: policy, nodeName: 'node-1' },
    ...(status ? { status } : {}),
  };
}

const ctx = (reasons: Record<string, WaitingReason> = {}, now = NOW): StatusContext => ({
  now,
  nodeIP: '192.168.1.10',
  reasons: new Map(Object.entries(reasons)),
});

const sandbox = runtimeContainer('POD', { id: 'sb', ip: '10.88.0.7' });
const up = (name: string, attempt = 0) =>
  runtimeContainer(name, { id: `${name}-id`, attempt, startedAt: Date.parse('2026-01-01T00:05:00Z') });
const done = (name: string, exitCode: number, attempt = 0, extra = {}) =>
  runtimeContainer(name, {
    id: `${name}-${attempt}`,
    attempt,
    state: 'exited',
    exitCode,
    startedAt: Date.parse('2026-01-01T00:08:00Z'),
    finishedAt: Date.parse('2026-01-01T00:09:00Z'),
    ...extra,
  });

const conditionsOf = (s: PodStatus) =>
  Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c.status]));

describe('computePodStatus', () => {
  it('a running pod: phase, IPs, conditions, container statuses as kubectl expects them', () => {
    const s = computePodStatus(pod(), observePod([sandbox, up('app'), up('side', 2)]), ctx());
    expect(s.phase).toBe('Running');
    expect(s.podIP).toBe('10.88.0.7');
    expect(s.podIPs).toEqual([{ ip: '10.88.0.7' }]);
    expect(s.hostIP).toBe('192.168.1.10');
    expect(s.hostIPs).toEqual([{ ip: '192.168.1.10' }]);
    expect(s.startTime).toBe('2026-01-01T00:10:00Z');
    expect(s.qosClass).toBe('BestEffort');
    expect(s.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['PodReadyToStartContainers', 'True'],
      ['Initialized', 'True'],
      ['Ready', 'True'],
      ['ContainersReady', 'True'],
      ['PodScheduled', 'True'],
    ]);
    expect(s.containerStatuses?.[1]).toEqual({
      name: 'side',
      state: { running: { startedAt: '2026-01-01T00:05:00Z' } },
      lastState: {},
      ready: true,
      started: true,
      restartCount: 2,
      image: 'busybox:1',
      imageID: 'docker://sha256:abc',
      containerID: 'docker://side-id',
    });
  });

  it('before anything runs: Pending, ContainerCreating, not ready', () => {
    const s = computePodStatus(pod(), observePod([]), ctx());
    expect(s.phase).toBe('Pending');
    expect(s.podIP).toBeUndefined();
    expect(s.containerStatuses?.map((c) => c.state)).toEqual([
      { waiting: { reason: 'ContainerCreating' } },
      { waiting: { reason: 'ContainerCreating' } },
    ]);
    const ready = s.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [app side]',
    });
    expect(conditionsOf(s).PodReadyToStartContainers).toBe('False');
  });

  it('image trouble shows as the waiting reason of a container that was never created', () => {
    const s = computePodStatus(
      pod(),
      observePod([sandbox, up('side')]),
      ctx({ app: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "busybox:1"' } }),
    );
    expect(s.phase).toBe('Pending');
    expect(s.containerStatuses?.[0].state).toEqual({
      waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "busybox:1"' },
    });
    expect(s.containerStatuses?.[0].restartCount).toBe(0);
  });

  it('CrashLoopBackOff: waiting with the back-off message, the last run as lastState, restartCount kept', () => {
    const message = 'back-off 40s restarting failed container=app pod=web_default(uid-1)';
    const s = computePodStatus(
      pod(),
      observePod([sandbox, done('app', 1, 3), up('side')]),
      ctx({ app: { reason: 'CrashLoopBackOff', message } }),
    );
    expect(s.phase).toBe('Running');
    const app0 = s.containerStatuses![0];
    expect(app0.state).toEqual({ waiting: { reason: 'CrashLoopBackOff', message } });
    expect(app0.lastState).toEqual({
      terminated: {
        exitCode: 1,
        reason: 'Error',
        startedAt: '2026-01-01T00:08:00Z',
        finishedAt: '2026-01-01T00:09:00Z',
        containerID: 'docker://app-3',
      },
    });
    expect(app0.restartCount).toBe(3);
    expect(app0.ready).toBe(false);
    expect(conditionsOf(s).Ready).toBe('False');
  });

  it('a restarted container reports its previous run as lastState', () => {
    const s = computePodStatus(
      pod(),
      observePod([sandbox, done('app', 137, 0, { oomKilled: true }), up('app', 1), up('side')]),
      ctx(),
    );
    expect(s.containerStatuses?.[0].state.running).toBeDefined();
    expect(s.containerStatuses?.[0].lastState.terminated).toMatchObject({
      exitCode: 137,
      reason: 'OOMKilled',
    });
    expect(s.containerStatuses?.[0].restartCount).toBe(1);
  });

  it('Succeeded when every container completed and none restarts', () => {
    const s = computePodStatus(
      pod('OnFailure'),
      observePod([sandbox, done('app', 0), done('side', 0)]),
      ctx(),
    );
    expect(s.phase).toBe('Succeeded');
    expect(s.containerStatuses?.[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(s.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
  });

  it('Failed under Never when a container failed; Running under OnFailure (it restarts); Always keeps Running', () => {
    const obs = observePod([sandbox, done('app', 0), done('side', 2)]);
    expect(computePodStatus(pod('Never'), obs, ctx()).phase).toBe('Failed');
    expect(computePodStatus(pod('OnFailure'), obs, ctx()).phase).toBe('Running');
    expect(computePodStatus(pod('Always'), obs, ctx()).phase).toBe('Running');
    const failed = computePodStatus(pod('Never'), obs, ctx()).containerStatuses?.[1].state.terminated;
    expect(failed).toMatchObject({ exitCode: 2, reason: 'Error', containerID: 'docker://side-0' });
  });

  it('keeps a terminal phase, the start time and the QoS class once set', () => {
    const old: PodStatus = { phase: 'Succeeded', startTime: '2026-01-01T00:00:00Z', qosClass: 'Burstable' };
    const s = computePodStatus(
      pod('Always', old),
      observePod([{ ...sandbox, state: 'exited' }, up('app'), up('side')]),
      ctx(),
    );
    expect(s.phase).toBe('Succeeded');
    expect(s.startTime).toBe('2026-01-01T00:00:00Z');
    expect(s.qosClass).toBe('Burstable');
  });

  it('preserves lastTransitionTime while a condition keeps its status', () => {
    const first = computePodStatus(pod(), observePod([sandbox, up('app'), up('side')]), ctx());
    const later = computePodStatus(
      pod('Always', first),
      observePod([sandbox, up('app'), up('side')]),
      ctx({}, NOW + 60_000),
    );
    expect(later.conditions).toEqual(first.conditions);
    const broken = computePodStatus(
      pod('Always', later),
      observePod([sandbox, done('app', 1), up('side')]),
      ctx({ app: { reason: 'CrashLoopBackOff' } }, NOW + 120_000),
    );
    const ready = broken.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready.lastTransitionTime).toBe('2026-01-01T00:12:00Z');
    const scheduled = broken.conditions!.find((c) => c.type === 'PodScheduled')!;
    expect(scheduled.lastTransitionTime).toBe('2026-01-01T00:10:00Z');
  });

  it('uses the readiness seam when given, and the node IP for host-network pods', () => {
    const p = { ...pod(), spec: { ...pod().spec, hostNetwork: true } };
    const s = computePodStatus(p, observePod([{ ...sandbox, ip: undefined }, up('app'), up('side')]), {
      ...ctx(),
      isReady: (name) => name === 'app',
    });
    expect(s.podIP).toBe('192.168.1.10');
    expect(s.containerStatuses?.map((c) => c.ready)).toEqual([true, false]);
    expect(s.conditions?.find((c) => c.type === 'ContainersReady')?.message).toBe(
      'containers with unready status: [side]',
    );
  });

  it('a container whose startup probe has not passed is neither started nor ready', () => {
    const s = computePodStatus(pod(), observePod([sandbox, up('app'), up('side')]), {
      ...ctx(),
      isStarted: (name) => name !== 'app',
      isReady: () => true,
    });
    expect(s.containerStatuses?.map((c) => [c.name, c.started, c.ready])).toEqual([
      ['app', false, false],
      ['side', true, true],
    ]);
    expect(s.phase).toBe('Running');
    expect(conditionsOf(s)).toMatchObject({ Ready: 'False', ContainersReady: 'False' });
  });
});

describe('computePodStatus with init containers', () => {
  const withInit = (policy: 'Always' | 'Never' = 'Always') => ({
    ...pod(policy),
    spec: {
      ...pod(policy).spec,
      initContainers: [
        { name: 'init1', image: 'busybox:1' },
        { name: 'init2', image: 'busybox:1' },
      ],
    },
  });

  it('initializing: Pending, Initialized False, app containers PodInitializing', () => {
    const s = computePodStatus(withInit(), observePod([sandbox, done('init1', 0), up('init2')]), ctx());
    expect(s.phase).toBe('Pending');
    expect(s.initContainerStatuses?.map((c) => [c.name, c.ready, Object.keys(c.state)[0]])).toEqual([
      ['init1', true, 'terminated'],
      ['init2', false, 'running'],
    ]);
    expect(s.containerStatuses?.map((c) => c.state.waiting?.reason)).toEqual([
      'PodInitializing',
      'PodInitializing',
    ]);
    expect(s.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [init2]',
    });
  });

  it('initialized: Initialized True and the pod runs', () => {
    const s = computePodStatus(
      withInit(),
      observePod([sandbox, done('init1', 0), done('init2', 0), up('app'), up('side')]),
      ctx(),
    );
    expect(s.phase).toBe('Running');
    expect(s.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
  });

  it('a failed init container fails a Never pod, and keeps others Pending', () => {
    const obs = observePod([sandbox, done('init1', 3)]);
    expect(computePodStatus(withInit('Never'), obs, ctx()).phase).toBe('Failed');
    expect(computePodStatus(withInit('Always'), obs, ctx()).phase).toBe('Pending');
  });
});
