import { describe, expect, it } from 'vitest';
import type { DaemonSet, Pod } from '../../api/types.js';
import { makeNode } from '../../../test/fakes/scheduler-fixtures.js';
import { computeDaemonSetStatus } from './status.js';

const NOW = Date.parse('2026-01-01T00:01:00Z');

const ds: DaemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default', uid: 'u', generation: 4 },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    minReadySeconds: 30,
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: { containers: [], nodeSelector: { role: 'worker' } },
    },
  },
  status: {
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
    observedGeneration: 3,
    collisionCount: 1,
  },
};

function pod(name: string, node: string, hash: string, readySince?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { 'controller-revision-hash': hash } },
    spec: { containers: [], nodeName: node },
    status: {
      phase: 'Running',
      conditions: readySince ? [{ type: 'Ready', status: 'True', lastTransitionTime: readySince }] : [],
    },
  };
}

describe('computeDaemonSetStatus', () => {
  const worker = (n: string) => makeNode(n, { labels: { role: 'worker' } });
  const nodes = [worker('a'), worker('b'), worker('c'), worker('d'), makeNode('m')];
  const pods = [
    pod('p-a', 'a', 'h', '2026-01-01T00:00:00Z'), // ready 60 s: available
    pod('p-b', 'b', 'old', '2026-01-01T00:00:50Z'), // ready 10 s: not yet available
    pod('p-c', 'c', 'h'), // not ready
    pod('p-m', 'm', 'h', '2026-01-01T00:00:00Z'), // on a node that does not match: misscheduled
  ];

  it('counts desired, current, misscheduled, ready, available and updated like Kubernetes', () => {
    expect(computeDaemonSetStatus({ ds, nodes, pods, hash: 'h', now: NOW }, true)).toEqual({
      desiredNumberScheduled: 4,
      currentNumberScheduled: 3,
      numberMisscheduled: 1,
      numberReady: 2,
      numberAvailable: 1,
      numberUnavailable: 3,
      updatedNumberScheduled: 2,
      observedGeneration: 4,
      collisionCount: 1,
    });
  });

  it('keeps the old observedGeneration while expectations are pending', () => {
    expect(computeDaemonSetStatus({ ds, nodes, pods, hash: 'h', now: NOW }, false).observedGeneration).toBe(
      3,
    );
  });

  it('counts a pod on a NotReady node as misscheduled (no new pod would go there), as Kubernetes does', () => {
    const s = computeDaemonSetStatus(
      {
        ds,
        nodes: [makeNode('x', { labels: { role: 'worker' }, ready: 'False' })],
        pods: [pod('p', 'x', 'h')],
        hash: 'h',
        now: NOW,
      },
      true,
    );
    expect(s).toMatchObject({ desiredNumberScheduled: 0, numberMisscheduled: 1 });
  });
});
