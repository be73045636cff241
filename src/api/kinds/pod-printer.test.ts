import { describe, expect, it } from 'vitest';
import type { ContainerStatus, Pod, PodStatus } from '../types.js';
import { podDef } from './pod.js';
import { podRow, podStatusCells } from './pod-printer.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');
const CREATED = '2026-11-30T04:55:00Z';

function pod(status: PodStatus, extra: Partial<Pod['spec']> = {}, meta: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: CREATED, ...meta },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...extra },
    status,
  };
}

function cs(state: ContainerStatus['state'], more: Partial<ContainerStatus> = {}): ContainerStatus {
  return {
    name: 'app',
    image: 'nginx',
    imageID: '',
    ready: false,
    restartCount: 0,
    state,
    lastState: {},
    ...more,
  };
}

const running = cs({ running: { startedAt: CREATED } }, { ready: true });
const readyCond = { type: 'Ready', status: 'True' as const };

describe('pod STATUS / READY / RESTARTS cells', () => {
  it.each<[string, Pod, { ready: string; status: string; restarts: string }]>([
    ['pending, not scheduled', pod({ phase: 'Pending' }), { ready: '0/1', status: 'Pending', restarts: '0' }],
    [
      'container creating',
      pod({ phase: 'Pending', containerStatuses: [cs({ waiting: { reason: 'ContainerCreating' } })] }),
      { ready: '0/1', status: 'ContainerCreating', restarts: '0' },
    ],
    [
      'running and ready',
      pod({ phase: 'Running', conditions: [readyCond], containerStatuses: [running] }),
      { ready: '1/1', status: 'Running', restarts: '0' },
    ],
    [
      'crash loop with restarts',
      pod({
        phase: 'Running',
        containerStatuses: [
          cs(
            { waiting: { reason: 'CrashLoopBackOff' } },
            {
              restartCount: 3,
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-11-30T04:58:00Z' } },
            },
          ),
        ],
      }),
      { ready: '0/1', status: 'CrashLoopBackOff', restarts: '3 (2m ago)' },
    ],
    [
      'image pull backoff',
      pod({ phase: 'Pending', containerStatuses: [cs({ waiting: { reason: 'ImagePullBackOff' } })] }),
      { ready: '0/1', status: 'ImagePullBackOff', restarts: '0' },
    ],
    [
      'err image pull',
      pod({ phase: 'Pending', containerStatuses: [cs({ waiting: { reason: 'ErrImagePull' } })] }),
      { ready: '0/1', status: 'ErrImagePull', restarts: '0' },
    ],
    [
      'completed',
      pod({
        phase: 'Succeeded',
        containerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } })],
      }),
      { ready: '0/1', status: 'Completed', restarts: '0' },
    ],
    [
      'error',
      pod({ phase: 'Failed', containerStatuses: [cs({ terminated: { exitCode: 2, reason: 'Error' } })] }),
      { ready: '0/1', status: 'Error', restarts: '0' },
    ],
    [
      'terminated without reason shows the exit code',
      pod({ phase: 'Failed', containerStatuses: [cs({ terminated: { exitCode: 137 } })] }),
      { ready: '0/1', status: 'ExitCode:137', restarts: '0' },
    ],
    [
      'terminated by signal',
      pod({ phase: 'Failed', containerStatuses: [cs({ terminated: { exitCode: 0, signal: 9 } })] }),
      { ready: '0/1', status: 'Signal:9', restarts: '0' },
    ],
    [
      'terminating',
      pod(
        { phase: 'Running', conditions: [readyCond], containerStatuses: [running] },
        {},
        { deletionTimestamp: '2026-11-30T04:59:00Z' },
      ),
      { ready: '1/1', status: 'Terminating', restarts: '0' },
    ],
    [
      'deleted after completing is not Terminating',
      pod(
        { phase: 'Succeeded', containerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } })] },
        {},
        { deletionTimestamp: '2026-11-30T04:59:00Z' },
      ),
      { ready: '0/1', status: 'Completed', restarts: '0' },
    ],
    [
      'node lost while deleting',
      pod({ phase: 'Running', reason: 'NodeLost' }, {}, { deletionTimestamp: '2026-11-30T04:59:00Z' }),
      { ready: '0/1', status: 'Unknown', restarts: '0' },
    ],
    [
      'pod-level reason (Evicted)',
      pod({ phase: 'Failed', reason: 'Evicted' }),
      { ready: '0/1', status: 'Evicted', restarts: '0' },
    ],
    [
      'one container completed, another still running and ready',
      pod(
        {
          phase: 'Running',
          conditions: [readyCond],
          containerStatuses: [
            { ...running, name: 'a' },
            cs({ terminated: { exitCode: 0, reason: 'Completed' } }, { name: 'b' }),
          ],
        },
        {
          containers: [
            { name: 'a', image: 'x' },
            { name: 'b', image: 'y' },
          ],
        },
      ),
      { ready: '1/2', status: 'Running', restarts: '0' },
    ],
    [
      'init container running',
      pod(
        { phase: 'Pending', initContainerStatuses: [cs({ running: {} }, { name: 'init' })] },
        { initContainers: [{ name: 'init', image: 'busybox' }] },
      ),
      { ready: '0/1', status: 'Init:0/1', restarts: '0' },
    ],
    [
      'second init container waiting',
      pod(
        {
          phase: 'Pending',
          initContainerStatuses: [
            cs({ terminated: { exitCode: 0, reason: 'Completed' } }, { name: 'i1' }),
            cs({ waiting: { reason: 'PodInitializing' } }, { name: 'i2' }),
          ],
        },
        {
          initContainers: [
            { name: 'i1', image: 'b' },
            { name: 'i2', image: 'b' },
          ],
        },
      ),
      { ready: '0/1', status: 'Init:1/2', restarts: '0' },
    ],
    [
      'init container failed',
      pod(
        {
          phase: 'Pending',
          initContainerStatuses: [
            cs({ terminated: { exitCode: 1, reason: 'Error' } }, { name: 'init', restartCount: 2 }),
          ],
        },
        { initContainers: [{ name: 'init', image: 'busybox' }] },
      ),
      { ready: '0/1', status: 'Init:Error', restarts: '2' },
    ],
    [
      'init container crash looping',
      pod(
        {
          phase: 'Pending',
          initContainerStatuses: [cs({ waiting: { reason: 'CrashLoopBackOff' } }, { name: 'init' })],
        },
        { initContainers: [{ name: 'init', image: 'busybox' }] },
      ),
      { ready: '0/1', status: 'Init:CrashLoopBackOff', restarts: '0' },
    ],
    [
      'sidecar init container counts towards READY',
      pod(
        {
          phase: 'Running',
          conditions: [readyCond, { type: 'Initialized', status: 'True' }],
          initContainerStatuses: [cs({ running: {} }, { name: 'proxy', started: true, ready: true })],
          containerStatuses: [running],
        },
        { initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }] },
      ),
      { ready: '2/2', status: 'Running', restarts: '0' },
    ],
    [
      'scheduling gated',
      pod({
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
      }),
      { ready: '0/1', status: 'SchedulingGated', restarts: '0' },
    ],
  ])('%s', (_name, p, want) => {
    expect(podStatusCells(p, NOW)).toEqual(want);
  });
});

describe('pod table row', () => {
  it('has one cell per column, wide ones included', () => {
    const p = pod(
      {
        phase: 'Running',
        conditions: [readyCond],
        containerStatuses: [running],
        podIP: '10.244.1.7',
        podIPs: [{ ip: '10.244.1.7' }],
      },
      { nodeName: 'node-1' },
    );
    const row = podDef.row(p, { now: NOW });
    expect(row).toHaveLength(podDef.columns.length);
    expect(row).toEqual(['web', '1/1', 'Running', '0', '5m', '10.244.1.7', 'node-1', '<none>', '<none>']);
  });
  it('shows <none> for missing IP/node and counts readiness gates', () => {
    const p = pod(
      { phase: 'Pending', conditions: [{ type: 'example.com/lb', status: 'True' }] },
      { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
    );
    expect(podRow(p, NOW).slice(5)).toEqual(['<none>', '<none>', '<none>', '1/2']);
  });
});
