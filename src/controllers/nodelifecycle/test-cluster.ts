// An in-memory cluster for the node lifecycle controller tests: FakeApiClient + FakeClock + shared informers,
// the three controllers, and agents simulated by hand (a heartbeat writes the Ready condition and renews the
// Lease, as agent/kubelet/node-status.ts and node-lease.ts do).
import type { Event, Lease, Node, NodeCondition, Pod } from '../../api/types.js';
import { EVENTS, LEASES, NODES, PODS } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { rfc3339 } from '../../common/clock.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { RecordingLogger } from '../../../test/fakes/recording-logger.js';
import { NODE_LEASE_NAMESPACE } from './node-health.js';
import { NodeLifecycleController } from './node-lifecycle-controller.js';
import { PodGCController } from './pod-gc-controller.js';
import { TaintEvictionController } from './taint-eviction-controller.js';
import { makeLease, makeNode, T0 } from './test-fixtures.js';

export interface TestCluster {
  clock: FakeClock;
  api: FakeApiClient;
  logger: RecordingLogger;
  informers: InformerFactory;
  lifecycle: NodeLifecycleController;
  eviction: TaintEvictionController;
  podGC: PodGCController;
  /** What agent `name` does every heartbeat: post its conditions (Ready as given) and renew its lease. */
  beat(name: string, ready?: NodeCondition['status']): Promise<void>;
  /** Renews the lease only (the status write failed or was skipped). */
  renewLease(name: string): Promise<void>;
  /** Advances `seconds` one second at a time; the `beating` agents heartbeat every `every` seconds. */
  run(seconds: number, beating?: string[], every?: number): Promise<void>;
  node(name: string): Node;
  pod(name: string, namespace?: string): Pod | undefined;
  events(reason?: string): Event[];
  start(which?: ('lifecycle' | 'eviction' | 'podGC')[]): Promise<void>;
  stop(): Promise<void>;
}

export async function testCluster(opts: {
  nodes: string[];
  pods?: Pod[];
  graceMs?: number;
  startupGraceMs?: number;
}): Promise<TestCluster> {
  const clock = new FakeClock(T0);
  const api = new FakeApiClient({ clock });
  const logger = new RecordingLogger();
  const informers = new InformerFactory({ client: api, clock, logger });
  const recorders: EventRecorder[] = [];
  const recorder = (component: string) => {
    const r = new EventRecorder({ client: api, component, clock, logger });
    recorders.push(r);
    return r;
  };
  const lifecycle = new NodeLifecycleController({
    client: api,
    informers,
    clock,
    logger,
    recorder: recorder('node-controller'),
    nodeMonitorPeriodMs: 1000,
    nodeMonitorGracePeriodMs: opts.graceMs ?? 10_000,
    nodeStartupGracePeriodMs: opts.startupGraceMs ?? 20_000,
  });
  const eviction = new TaintEvictionController({
    client: api,
    informers,
    clock,
    logger,
    recorder: recorder('taint-eviction-controller'),
  });
  const podGC = new PodGCController({
    client: api,
    informers,
    clock,
    logger,
    periodMs: 5000,
    quarantineMs: 10_000,
  });

  async function beat(name: string, ready: NodeCondition['status'] = 'True'): Promise<void> {
    const node = await api.get<Node>(NODES, undefined, name);
    const now = rfc3339(clock.now());
    const status = (type: string) => (type === 'Ready' ? ready : 'False');
    const conditions: NodeCondition[] = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map(
      (type) => {
        const prev = node.status?.conditions?.find((c) => c.type === type);
        return {
          type,
          status: status(type),
          reason: `agent-${type}-${status(type)}`,
          lastHeartbeatTime: now,
          lastTransitionTime: prev?.status === status(type) ? (prev.lastTransitionTime ?? now) : now,
        };
      },
    );
    await api.updateStatus(NODES, undefined, { ...node, status: { ...node.status, conditions } });
    await renewLease(name);
  }

  async function renewLease(name: string): Promise<void> {
    const lease = await api.get<Lease>(LEASES, NODE_LEASE_NAMESPACE, name);
    const renewTime = new Date(clock.now()).toISOString().replace(/Z$/, '000Z');
    await api.update(LEASES, NODE_LEASE_NAMESPACE, { ...lease, spec: { ...lease.spec, renewTime } });
  }

  for (const name of opts.nodes) {
    api.seed(NODES, makeNode(name));
    api.seed(LEASES, makeLease(name, 0));
    await beat(name);
  }
  for (const pod of opts.pods ?? []) api.seed(PODS, pod);
  api.clearActions();

  const flush = async () => {
    await clock.advance(0);
    for (const r of recorders) await r.flush();
    await clock.advance(0);
  };
  const started: { stop(): Promise<void> }[] = [];

  return {
    clock,
    api,
    logger,
    informers,
    lifecycle,
    eviction,
    podGC,
    beat,
    renewLease,
    async run(seconds, beating = [], every = 2) {
      for (let i = 0; i < seconds; i++) {
        if (Math.round((clock.now() - T0) / 1000) % every === 0) for (const n of beating) await beat(n);
        await clock.advance(1000);
      }
      await flush();
    },
    node: (name) => api.find<Node>(NODES, undefined, name)!,
    pod: (name, namespace = 'default') => api.find<Pod>(PODS, namespace, name),
    events: (reason) =>
      api.objectsOf<Event>(EVENTS).filter((e) => reason === undefined || e.reason === reason),
    async start(which = ['lifecycle', 'eviction', 'podGC']) {
      await informers.start();
      for (const w of which) {
        const c = { lifecycle, eviction, podGC }[w];
        c.start();
        started.push(c);
      }
      await flush();
    },
    async stop() {
      for (const c of started) await c.stop();
      informers.stop();
    },
  };
}
