// The scheduler loop with the spreading and affinity plugins, against FakeApiClient: bursts of pods are decided
// before any binding shows up in the watch, so these also prove that assumed pods count for spreading and
// (anti-)affinity.
import { describe, expect, it } from 'vitest';
import { Scheduler } from './scheduler.js';
import { EventRecorder } from '../client/event-recorder.js';
import { EVENTS, NODES, PODS, REPLICASETS } from '../client/api-client.js';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { makeNode, makePod, type PodOptions } from '../../test/fakes/scheduler-fixtures.js';
import type { Affinity, Event, Pod, ReplicaSet } from '../api/types.js';

function setup() {
  const clock = new FakeClock();
  const api = new FakeApiClient({ clock });
  const recorder = new EventRecorder({ client: api, component: 'default-scheduler', clock });
  const scheduler = new Scheduler({ client: api, clock, recorder });
  const settle = async (ms = 0) => {
    await clock.advance(ms);
    await recorder.flush();
    await clock.advance(0);
  };
  const podOf = (name: string) => api.find<Pod>(PODS, 'default', name)!;
  const nodeOf = (name: string) => podOf(name).spec.nodeName;
  const perNode = (names: string[]) => {
    const out: Record<string, number> = {};
    for (const n of names) {
      const node = nodeOf(n);
      if (node) out[node] = (out[node] ?? 0) + 1;
    }
    return out;
  };
  const failed = () => api.objectsOf<Event>(EVENTS).filter((e) => e.reason === 'FailedScheduling');
  return { clock, api, scheduler, settle, podOf, nodeOf, perNode, failed };
}

const WEB = { app: 'web', 'pod-template-hash': '5d8f' };

function replicaSet(name: string, matchLabels: Record<string, string>): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: name },
    spec: { replicas: 6, selector: { matchLabels } },
  };
}

const replica = (i: number, o: PodOptions = {}) =>
  makePod(`web-${i}`, { owner: 'web-5d8f', labels: WEB, ...o });
const names = (n: number) => Array.from({ length: n }, (_, i) => `web-${i}`);

const antiAffinityWeb: Affinity = {
  podAntiAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [
      { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' },
    ],
  },
};

describe('Scheduler: spreading replicas by default', () => {
  it('places a burst of 6 replicas of one ReplicaSet on 3 equal nodes 2/2/2', async () => {
    const { api, scheduler, settle, perNode } = setup();
    api.seed(NODES, makeNode('n1'), makeNode('n2'), makeNode('n3'));
    api.seed(REPLICASETS, replicaSet('web-5d8f', WEB));
    for (let i = 0; i < 6; i++) api.seed(PODS, replica(i));
    await scheduler.start();
    await settle();
    expect(perNode(names(6))).toEqual({ n1: 2, n2: 2, n3: 2 });
    scheduler.stop();
  });

  it('does the same for replicas created while the scheduler runs', async () => {
    const { api, scheduler, settle, perNode } = setup();
    api.seed(NODES, makeNode('n1'), makeNode('n2'), makeNode('n3'));
    api.seed(REPLICASETS, replicaSet('web-5d8f', WEB));
    await scheduler.start();
    await Promise.all(names(6).map((_, i) => api.create(PODS, 'default', replica(i))));
    await settle();
    expect(perNode(names(6))).toEqual({ n1: 2, n2: 2, n3: 2 });
    scheduler.stop();
  });

  it('spreads replicas over a much roomier node too, where bare pods would all go to the roomy node', async () => {
    const { api, scheduler, settle, perNode } = setup();
    api.seed(NODES, makeNode('big', { cpu: '64', memory: '64Gi' }), makeNode('n2'), makeNode('n3'));
    api.seed(REPLICASETS, replicaSet('web-5d8f', WEB));
    for (let i = 0; i < 6; i++) api.seed(PODS, replica(i));
    for (let i = 0; i < 4; i++) api.seed(PODS, makePod(`bare-${i}`, { labels: { app: 'bare' } }));
    await scheduler.start();
    await settle();
    expect(perNode(names(6))).toEqual({ big: 2, n2: 2, n3: 2 });
    // Without an owner or a Service nothing selects their siblings: LeastAllocated alone decides.
    expect(perNode(['bare-0', 'bare-1', 'bare-2', 'bare-3'])).toEqual({ big: 4 });
    scheduler.stop();
  });
});

describe('Scheduler: topology spread constraints', () => {
  it('DoNotSchedule maxSkew 1 with one full node: the third pod waits, with the exact message', async () => {
    const { api, scheduler, settle, perNode, podOf } = setup();
    api.seed(NODES, makeNode('n1', { cpu: '1' }), makeNode('n2', { cpu: '2' }), makeNode('n3', { cpu: '2' }));
    api.seed(PODS, makePod('filler', { cpu: '1', nodeName: 'n1', phase: 'Running' }));
    const spread: PodOptions = {
      cpu: '500m',
      labels: { app: 'db' },
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'db' } },
        },
      ],
    };
    for (let i = 0; i < 3; i++) api.seed(PODS, makePod(`db-${i}`, spread));
    await scheduler.start();
    await settle();
    // n1 is an empty domain (count 0) that the pods cannot use, so a third pod would make the skew 2.
    expect(perNode(['db-0', 'db-1', 'db-2'])).toEqual({ n2: 1, n3: 1 });
    expect(podOf('db-2').status?.conditions).toMatchObject([
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message:
          "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match pod topology spread constraints.",
      },
    ]);
    scheduler.stop();
  });
});

describe('Scheduler: pod affinity and anti-affinity', () => {
  it('required anti-affinity on hostname: one per node, the 4th pending with the exact message', async () => {
    const { api, scheduler, settle, perNode, podOf, failed } = setup();
    api.seed(NODES, makeNode('n1'), makeNode('n2'), makeNode('n3'));
    for (let i = 0; i < 4; i++)
      api.seed(PODS, makePod(`web-${i}`, { labels: WEB, affinity: antiAffinityWeb }));
    await scheduler.start();
    await settle();
    expect(perNode(names(4))).toEqual({ n1: 1, n2: 1, n3: 1 });
    const message = "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.";
    expect(podOf('web-3').spec.nodeName).toBeUndefined();
    expect(podOf('web-3').status?.conditions?.[0]).toMatchObject({ reason: 'Unschedulable', message });
    expect(failed()).toMatchObject([{ type: 'Warning', message, involvedObject: { name: 'web-3' } }]);
    scheduler.stop();
  });

  it("an existing pod's anti-affinity keeps a matching pod off its node (symmetry)", async () => {
    const { api, scheduler, settle, podOf, nodeOf } = setup();
    api.seed(NODES, makeNode('n1'), makeNode('n2'));
    api.seed(PODS, makePod('loner', { nodeName: 'n1', affinity: antiAffinityWeb }));
    api.seed(PODS, makePod('web-0', { labels: WEB }), makePod('other', { labels: { app: 'other' } }));
    api.seed(PODS, makePod('pinned', { labels: WEB, nodeSelector: { 'kubernetes.io/hostname': 'n1' } }));
    await scheduler.start();
    await settle();
    expect(nodeOf('web-0')).toBe('n2');
    expect(podOf('pinned').status?.conditions?.[0].message).toBe(
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, " +
        "1 node(s) didn't satisfy existing pods anti-affinity rules.",
    );
    scheduler.stop();
  });

  it('required pod affinity co-locates with a labelled pod, and waits for one to appear', async () => {
    const { api, scheduler, settle, nodeOf, podOf } = setup();
    api.seed(NODES, makeNode('n1'), makeNode('n2'), makeNode('n3'));
    api.seed(PODS, makePod('cache', { labels: { app: 'cache' }, nodeName: 'n2', phase: 'Running' }));
    const withAffinity = (app: string): PodOptions => ({
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app } }, topologyKey: 'kubernetes.io/hostname' },
          ],
        },
      },
    });
    api.seed(PODS, makePod('app', withAffinity('cache')), makePod('follower', withAffinity('leader')));
    await scheduler.start();
    await settle();
    expect(nodeOf('app')).toBe('n2');
    expect(podOf('follower').status?.conditions?.[0].message).toBe(
      "0/3 nodes are available: 3 node(s) didn't match pod affinity rules.",
    );
    // The leader appears on n3: the follower is retried after its backoff, not after the 30 s timeout.
    await api.create(PODS, 'default', makePod('leader', { labels: { app: 'leader' }, nodeName: 'n3' }));
    await settle(1000);
    expect(nodeOf('follower')).toBe('n3');
    scheduler.stop();
  });
});

describe('Scheduler: node affinity preferences', () => {
  const preferSsd: Affinity = {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
      ],
    },
  };

  it('picks the preferred node when it fits, another one when it does not', async () => {
    const { api, scheduler, settle, nodeOf } = setup();
    api.seed(
      NODES,
      makeNode('n1', { cpu: '8' }),
      makeNode('n2', { cpu: '2', labels: { disk: 'ssd' } }),
      makeNode('n3', { cpu: '8' }),
    );
    api.seed(PODS, makePod('fits', { cpu: '1', affinity: preferSsd }));
    api.seed(PODS, makePod('too-big', { cpu: '2', affinity: preferSsd }));
    await scheduler.start();
    await settle();
    expect(nodeOf('fits')).toBe('n2'); // despite n1 and n3 having far more room
    expect(['n1', 'n3']).toContain(nodeOf('too-big'));
    scheduler.stop();
  });
});
