// Benchmark 2, scheduler throughput: the real scheduler (with its event recorder, as src/master.ts wires it) over
// the in-process API client and a SqliteStore in a temp dir, 1,000 simulated Ready nodes and 10,000 pods with
// requests. Two phases, each on a fresh store:
//   streaming  the scheduler runs while the pods are created as fast as the API takes them (32 creates in
//              flight); latency = create call → the watch event showing spec.nodeName; throughput = pods / (first
//              create → last bound);
//   backlog    all pods created first, then the scheduler starts; throughput = pods / (scheduler start → last
//              bound). This is the scheduler's own rate, the figure the goal is judged on.
// The bench's watch goes through the same in-process client (one structuredClone per event, on the same thread).
import { mkdtempSync, rmSync } from 'node:fs';
import type { Node, Pod } from '../../src/api/types.js';
import { defaultRegistry } from '../../src/api/registry.js';
import { createInProcessClient } from '../../src/apiserver/in-process-client.js';
import { startApiServer } from '../../src/apiserver/server.js';
import { NAMESPACES, NODES, PODS, type ApiClient } from '../../src/client/api-client.js';
import { EventRecorder } from '../../src/client/event-recorder.js';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import type { ClusterState } from '../../src/scheduler/framework.js';
import { numFeasibleNodesToFind, schedule } from '../../src/scheduler/framework.js';
import { defaultPlugins } from '../../src/scheduler/plugins/index.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { SchedulerCache } from '../../src/scheduler/scheduler-cache.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { profiled } from '../lib/inspector-profile.js';
import { mapLimit, waitFor } from '../lib/proc.js';
import type { ProfileSummary } from '../lib/profile.js';
import { createSimNodes, pendingPod } from '../lib/sim-cluster.js';
import { round, summarize, type Summary } from '../lib/stats.js';
import { envInt, fmt, type BenchContext, type Benchmark, type BenchOutput } from '../lib/types.js';

const NAMESPACE = 'sched';
const CREATE_CONCURRENCY = 32;

/**
 * The scheduler's own decision rate: the framework's schedule() and the cache's assume() — what Scheduler.scheduleOne
 * does besides starting the binding — for the stored pods, in order, over a SchedulerCache of the stored nodes,
 * with the default plugins and node sampling. No API calls: the gap to the backlog rate is the cost of the writes
 * (binding + Scheduled event per pod) and their watch fan-out.
 */
async function decideOnly(client: ApiClient): Promise<{ podsPerSecond: number; seconds: number }> {
  const cache = new SchedulerCache();
  for (const node of (await client.list<Node>(NODES, undefined)).items) cache.upsertNode(node);
  const pods = (await client.list<Pod>(PODS, NAMESPACE)).items;
  const cluster: ClusterState = {
    pvc: () => undefined,
    services: () => [],
    replicaSet: () => undefined,
    statefulSet: () => undefined,
    namespaceLabels: () => ({}),
    nodeInfo: (name) => cache.nodeInfo(name),
    pods: cache.pods,
  };
  const plugins = defaultPlugins();
  let startIndex = 0;
  const t0 = performance.now();
  for (const pod of pods) {
    const nodeInfos = cache.nodeInfos();
    const r = schedule(pod, nodeInfos, plugins, {
      numFeasibleNodesToFind: numFeasibleNodesToFind(nodeInfos.length),
      startIndex,
      cluster,
    });
    startIndex = r.nextStartIndex;
    if (!r.node) throw new Error(`decide-only: ${pod.metadata.name} fits nowhere`);
    cache.assume(pod, r.node);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { podsPerSecond: round(pods.length / seconds, 0), seconds: round(seconds, 2) };
}

interface PhaseResult {
  mode: 'streaming' | 'backlog';
  podsPerSecond: number;
  createPerSecond: number;
  seconds: number;
  /** CPU time of this process over the phase (creates + scheduling), % of one core: ~100 means CPU-bound. */
  cpuPct: number;
  latencyMs?: Summary;
  /** Backlog only: schedule() + assume() over the same nodes and pods, no API (decideOnly). */
  decideOnly?: { podsPerSecond: number; seconds: number };
  profile?: ProfileSummary;
}

async function phase(
  ctx: BenchContext,
  mode: PhaseResult['mode'],
  nodes: number,
  pods: number,
): Promise<PhaseResult> {
  const dir = mkdtempSync('/var/tmp/skiff-bench-sched-');
  const removeDir = ctx.cleanup.add(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  const store = SqliteStore.open({ dataDir: dir, logger: silentLogger });
  const api = await startApiServer({
    listen: '127.0.0.1:0',
    store,
    registry: defaultRegistry(),
    clock: systemClock,
    logger: silentLogger,
  });
  const closeApi = ctx.cleanup.add('in-process API server', async () => {
    await api.close();
    await store.close();
  });
  const client: ApiClient = createInProcessClient(api.service);
  const scheduler = new Scheduler({
    client,
    clock: systemClock,
    logger: silentLogger,
    recorder: new EventRecorder({
      client,
      component: 'default-scheduler',
      clock: systemClock,
      logger: silentLogger,
    }),
  });
  const stopScheduler = ctx.cleanup.add('scheduler', () => scheduler.stop());
  try {
    await client.create(NAMESPACES, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NAMESPACE },
    });
    await createSimNodes(client, nodes, 32);
    const names = Array.from({ length: pods }, (_, i) => `pod-${i}`);
    const bound = new Map<string, number>();
    const list = await client.list<Pod>(PODS, NAMESPACE);
    const watch = client.watch<Pod>(
      PODS,
      NAMESPACE,
      { resourceVersion: list.metadata.resourceVersion },
      (ev) => {
        const name = ev.object.metadata.name!;
        if (ev.object.spec?.nodeName && !bound.has(name)) bound.set(name, performance.now());
      },
    );
    watch.done.catch(() => undefined);
    const createdAt = new Map<string, number>();
    const create = () =>
      mapLimit(names, CREATE_CONCURRENCY, async (name) => {
        createdAt.set(name, performance.now());
        await client.create<Pod>(PODS, NAMESPACE, pendingPod(name, NAMESPACE));
      });
    const allBound = () =>
      waitFor(`${pods} pods bound (${bound.size} are)`, () => bound.size >= pods, 600_000, 5);

    const label = `bench process (in-process API + scheduler, ${mode})`;
    let decided: PhaseResult['decideOnly'];
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    const { result, summary } = await profiled(!!ctx.profileDir, label, async () => {
      let t0: number;
      let createSeconds: number;
      if (mode === 'streaming') {
        await scheduler.start();
        t0 = performance.now();
        await create();
        createSeconds = (performance.now() - t0) / 1000;
      } else {
        const c0 = performance.now();
        await create();
        createSeconds = (performance.now() - c0) / 1000;
        decided = await decideOnly(client);
        t0 = performance.now();
        await scheduler.start();
      }
      await allBound();
      return { t0, last: Math.max(...bound.values()), createSeconds };
    });
    const cpu = process.cpuUsage(cpu0);
    watch.stop();
    const seconds = (result.last - result.t0) / 1000;
    const wholeSeconds = (performance.now() - w0) / 1000;
    const out: PhaseResult = {
      mode,
      seconds: round(seconds, 2),
      podsPerSecond: round(pods / seconds, 0),
      createPerSecond: 0,
      cpuPct: round((100 * (cpu.user + cpu.system)) / 1e6 / wholeSeconds, 0),
      ...(decided ? { decideOnly: decided } : {}),
      ...(summary ? { profile: summary } : {}),
    };
    out.createPerSecond = round(pods / result.createSeconds, 0);
    if (mode === 'streaming') {
      out.latencyMs = summarize(
        names.map((n) => bound.get(n)! - createdAt.get(n)!),
        1,
      );
    }
    return out;
  } finally {
    await stopScheduler();
    await closeApi();
    await removeDir();
  }
}

export const scheduler: Benchmark = {
  name: 'scheduler',
  title: 'Scheduler throughput (simulated nodes, in-process API)',
  async run(ctx: BenchContext): Promise<BenchOutput> {
    const nodes = envInt('BENCH_SCHED_NODES', 1000);
    const pods = envInt('BENCH_SCHED_PODS', 10000);
    const streaming = await phase(ctx, 'streaming', nodes, pods);
    ctx.log(`streaming: ${streaming.podsPerSecond} pods/s, p99 ${streaming.latencyMs?.p99} ms`);
    const backlog = await phase(ctx, 'backlog', nodes, pods);
    ctx.log(`backlog: ${backlog.podsPerSecond} pods/s`);
    const profiles = [streaming.profile, backlog.profile].filter((p): p is ProfileSummary => !!p);
    return {
      params: { nodes, pods, createConcurrency: CREATE_CONCURRENCY },
      metrics: {
        streaming: { ...streaming, profile: undefined },
        backlog: { ...backlog, profile: undefined },
      },
      tables: [
        {
          head: [
            'phase',
            'pods bound / s',
            'time to bind all, s',
            'create → bound p50, ms',
            'p99, ms',
            'max, ms',
            'bench process CPU',
          ],
          rows: [
            [
              `streaming (scheduler running; pods created at ${fmt(streaming.createPerSecond, 0)}/s)`,
              fmt(streaming.podsPerSecond, 0),
              fmt(streaming.seconds, 2),
              fmt(streaming.latencyMs?.p50 ?? NaN),
              fmt(streaming.latencyMs?.p99 ?? NaN),
              fmt(streaming.latencyMs?.max ?? NaN),
              `${streaming.cpuPct}%`,
            ],
            [
              `backlog (${pods} pods created first, at ${fmt(backlog.createPerSecond, 0)}/s; then the scheduler starts)`,
              fmt(backlog.podsPerSecond, 0),
              fmt(backlog.seconds, 2),
              '–',
              '–',
              '–',
              `${backlog.cpuPct}%`,
            ],
            [
              `decisions only (schedule() + assume over the backlog's ${pods} pods and ${nodes} nodes; no API writes)`,
              fmt(backlog.decideOnly?.podsPerSecond ?? NaN, 0),
              fmt(backlog.decideOnly?.seconds ?? NaN, 2),
              '–',
              '–',
              '–',
              '',
            ],
          ],
        },
      ],
      goals: [
        {
          goal: 'Scheduler throughput',
          target: '≥ 2,000 pods/s',
          measured: `${fmt(backlog.podsPerSecond, 0)} pods/s on a backlog (${fmt(streaming.podsPerSecond, 0)}/s while pods are being created); the decisions alone ${fmt(backlog.decideOnly?.podsPerSecond ?? NaN, 0)}/s, the rest is the store's commits`,
          met: Number.isFinite(backlog.podsPerSecond) ? backlog.podsPerSecond >= 2000 : null,
        },
      ],
      notes: [
        `In one process: SqliteStore (WAL, synchronous=FULL) in a temp dir, the API server's ResourceService through createInProcessClient, the scheduler with its EventRecorder (as src/master.ts wires them); no controllers. ${nodes} Ready nodes (32 CPU, 128 Gi, 110 pods), pods requesting 100m CPU / 64 Mi.`,
        'Bound = the first watch event (same in-process client) with spec.nodeName set; the binding and the Scheduled event are real writes to the store.',
        '"Decisions only" runs in the backlog phase before the scheduler starts (its CPU is in that row\'s process CPU): schedule() + assume() as Scheduler.scheduleOne does, on the stored pods and nodes, with no API call. The gap between it and the backlog rate is what the two durable writes per pod (binding, Scheduled event; each its own SQLite synchronous=FULL commit on the one thread) and their watch fan-out cost: the profile of the backlog phase (--profile, 2026-11-30 08:45) had 63% of the time in the SQLite commit, 7% in the rest of the store, 6% in the API server and 10% in the scheduler. That profile predates the store\'s group commit (src/store/versioned-store.ts, see the api-server section): with it, the bindings and events the scheduler keeps in flight (up to 256) share fsyncs, and the first run with both fixes (2026-11-30 09:44, load average 4.1) bound 3,586 pods/s on the backlog and 2,453/s streaming, against 1,595 and 1,018 with the scheduler fix alone (09:22, load average 2.5).',
        "Scheduler fix (2026-11-30), measured on decisions only, 1,000 nodes × 10,000 pods, the code before and after interleaved in one process, 6 rounds each: best 5,696 → 9,584 pods/s (1.68×), median 4,801 → 6,564 (1.37×), identical placements. From the profile of decisions only: VolumeBinding recomputed the pod's claim list on every node (11% of the time), NodeName and NodePorts ran on every node for pods with no node name and no host ports (kube-scheduler skips these at PreFilter, so now does skiff), the assumed copy of each pod re-parsed its quantities, and every cycle built a Map of ~400 node scores nobody read. End to end the fix is within the noise, as expected of a path bound by the store: back to back, before → after, the backlog went 333 → 607 pods/s on a busy disk (bench process at ~32% CPU, waiting on fsync), then 1,028 → 1,357 and, in the other order, 1,387 → 1,425 on a quieter one; streaming (bound by the create rate) 328 → 330, 879 → 866 and 894 → 998.",
      ],
      ...(profiles.length ? { profiles } : {}),
    };
  },
};
