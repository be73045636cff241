// Benchmark 1, pod startup: N pods (busybox `sleep 3600`, image already on the node) created at once on one node,
// side by side with
//   floor  a bare dockerode script making exactly the containers skiff makes for each pod (the pause container with
//          skiff's own sandbox settings, then the app container joined to its network and IPC namespaces, both
//          with Init), on the same engine and pod network, as many pods at a time as the kubelet's pod workers (8);
//   swarm  `docker service create --replicas N` on a dedicated dockerd in Swarm mode.
// skiff runs as a 1-node `skiff lab`: the real master in the root namespace, the real agent with its own dockerd in
// the node's namespace, pods on the real pod network. The three run interleaved, round after round.
// Measured: time until all N run (skiff: the last pod's watch event showing all containers running; floor: the
// last app container started; swarm: `service ps` showing N tasks running), and per pod the pod-startup SLI
// (client-side create → watch event with all containers running; floor: start of the batch → app started;
// swarm: `service create` → the task's running timestamp).
import Docker from 'dockerode';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Pod } from '../../src/api/types.js';
import { PODS } from '../../src/client/api-client.js';
import { containerSpec, sandboxSpec, type NodeConfig } from '../../agent/kubelet/container-config.js';
import { POD_NETWORK_NAME } from '../../agent/network/pod-network.js';
import { PAUSE_IMAGE } from '../../src/lab/lab-up.js';
import { startBenchLab, type BenchLab } from '../lib/bench-lab.js';
import { benchLabProfiles } from '../lib/lab-profiles.js';
import { mapLimit, sleep, waitFor } from '../lib/proc.js';
import {
  allContainersRunning,
  BENCH_IMAGE,
  deletePodsAndWait,
  ensureNamespace,
  PodWatch,
  sleepPod,
} from '../lib/pods.js';
import { median, ratio, round, summarize, type Summary } from '../lib/stats.js';
import { startSwarmEngine, type SwarmEngine } from '../lib/swarm-engine.js';
import { startDockerApiCounter, type DockerApiCounter } from '../lib/docker-api-counter.js';
import {
  envInt,
  fmt,
  type BenchContext,
  type Benchmark,
  type BenchOutput,
  type Table,
} from '../lib/types.js';

/**
 * The kubelet's pod worker concurrency (agent/kubelet/kubelet.ts: `concurrency: opts.concurrency ?? 8`, which the
 * agent does not set). BENCH_FLOOR_CONCURRENCY overrides it if that default changes.
 */
export const KUBELET_POD_CONCURRENCY = envInt('BENCH_FLOOR_CONCURRENCY', 8);
const NAMESPACE = 'bench';

interface RoundResult {
  /** Time until all pods run, ms. */
  totalMs: number;
  /** Per-pod startup latency, ms. */
  latencies: number[];
  /** skiff only: per pod, create → the watch event showing it bound to the node, ms. */
  scheduled?: number[];
}

/**
 * The floor: skiff's containers made by hand. With `withPause` false, one container per pod (the app container
 * straight on the pod network): what a pod costs without its sandbox, to set skiff against Swarm's one container.
 */
async function floorRound(
  lab: BenchLab,
  pods: number,
  round: number,
  withPause = true,
): Promise<RoundResult> {
  const docker = new Docker({ socketPath: lab.node.dockerSocket, version: 'v1.41' });
  // A node name no agent has, so the kubelet's label filter never matches these containers.
  const cfg: NodeConfig = {
    nodeName: `bench-floor-${randomBytes(3).toString('hex')}`,
    nodeIP: lab.node.ip,
    pauseImage: PAUSE_IMAGE,
    podNetwork: POD_NETWORK_NAME,
    clusterDNS: [lab.gateway],
    clusterDomain: 'cluster.local',
  };
  const specs = Array.from({ length: pods }, (_, i) => {
    const pod = sleepPod(`floor-r${round}-${i}`, NAMESPACE, { app: 'floor' });
    pod.metadata.uid = randomUUID();
    return pod;
  });
  const created: string[] = [];
  const started = new Array<number>(pods);
  const t0 = performance.now();
  try {
    await mapLimit(specs, KUBELET_POD_CONCURRENCY, async (pod, i) => {
      const sb = sandboxSpec(pod, 0, cfg, new Map());
      const dns = {
        Dns: sb.dns?.servers ?? [],
        DnsSearch: sb.dns?.searches ?? [],
        DnsOptions: sb.dns?.options ?? [],
      };
      let sandboxId = '';
      if (withPause) {
        const sandbox = await docker.createContainer({
          name: sb.name,
          Image: sb.image,
          Labels: sb.labels,
          Hostname: sb.hostname,
          ExposedPorts: {},
          HostConfig: {
            Init: true,
            NetworkMode: sb.network,
            IpcMode: 'shareable',
            RestartPolicy: { Name: 'no' },
            PortBindings: {},
            Mounts: [],
            ...dns,
          },
        });
        created.push(sandbox.id);
        await sandbox.start();
        sandboxId = sandbox.id;
      }
      const cs = containerSpec(
        {
          pod,
          container: pod.spec.containers[0],
          attempt: 0,
          sandbox: { id: sandboxId },
          volumes: new Map(),
          env: { configMaps: new Map(), secrets: new Map() },
        },
        cfg,
      );
      const joined = `container:${sandboxId}`;
      const app = await docker.createContainer({
        name: cs.name,
        Image: cs.image,
        Labels: cs.labels,
        Entrypoint: cs.entrypoint,
        Env: cs.env,
        Tty: false,
        OpenStdin: false,
        StdinOnce: false,
        AttachStdin: false,
        ...(withPause ? {} : { Hostname: sb.hostname }),
        HostConfig: {
          Init: true,
          ...(withPause ? { NetworkMode: joined, IpcMode: joined } : { NetworkMode: sb.network, ...dns }),
          RestartPolicy: { Name: 'no' },
          Mounts: [],
          CpuShares: cs.resources.cpuShares,
          Privileged: false,
          ReadonlyRootfs: false,
        },
      });
      created.push(app.id);
      await app.start();
      started[i] = performance.now();
    });
    return { totalMs: Math.max(...started) - t0, latencies: started.map((t) => t - t0) };
  } finally {
    // App containers first (they use the sandboxes' namespaces).
    const ids = [...created].reverse();
    await mapLimit(ids, KUBELET_POD_CONCURRENCY, (id) =>
      docker
        .getContainer(id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    );
  }
}

async function skiffRound(
  lab: BenchLab,
  pods: number,
  round: number,
  whenRunning: () => void = () => undefined,
): Promise<RoundResult> {
  const selector = `bench-round=${round}`;
  const watch = new PodWatch(lab.client, NAMESPACE, {
    running: allContainersRunning,
    scheduled: (p) => !!p.spec.nodeName,
  });
  await watch.start(selector);
  const names = Array.from({ length: pods }, (_, i) => `skiff-r${round}-${i}`);
  const createdAt = new Map<string, number>();
  const t0 = performance.now();
  try {
    await Promise.all(
      names.map(async (name) => {
        createdAt.set(name, performance.now());
        await lab.client.create<Pod>(
          PODS,
          NAMESPACE,
          sleepPod(name, NAMESPACE, { app: 'pod-startup', 'bench-round': String(round) }),
        );
      }),
    );
    await watch.waitAll(names, 'running', 300_000);
    whenRunning();
    const done = names.map((n) => watch.at(n, 'running')!);
    return {
      totalMs: Math.max(...done) - t0,
      latencies: names.map((n, i) => done[i] - createdAt.get(n)!),
      scheduled: names.map((n) => watch.at(n, 'scheduled')! - createdAt.get(n)!),
    };
  } finally {
    watch.stop();
    await deletePodsAndWait(lab.client, NAMESPACE, names, {
      socketPath: lab.node.dockerSocket,
      nodeName: lab.node.name,
    });
  }
}

async function swarmRound(engine: SwarmEngine, replicas: number, round: number): Promise<RoundResult> {
  const name = `bench-r${round}`;
  const t0 = performance.now();
  const t0Wall = Date.now();
  try {
    await engine.cli([
      'service',
      'create',
      '--replicas',
      String(replicas),
      '--no-resolve-image',
      '--detach',
      '--name',
      name,
      BENCH_IMAGE,
      'sleep',
      '3600',
    ]);
    let totalMs = 0;
    const tasks = await waitFor(
      `${replicas} swarm tasks running`,
      async () => {
        const list = await engine.docker.listTasks({
          filters: { service: [name], 'desired-state': ['running'] },
        });
        const running = list.filter((t) => t.Status?.State === 'running');
        if (running.length < replicas) return undefined;
        totalMs = performance.now() - t0;
        return running;
      },
      300_000,
      100,
    );
    const latencies = tasks.map((t) => Date.parse(t.Status!.Timestamp!) - t0Wall);
    return { totalMs, latencies };
  } finally {
    await engine.cli(['service', 'rm', name]).catch(() => '');
    const left = await engine.docker.listContainers({
      all: true,
      filters: { label: [`com.docker.swarm.service.name=${name}`] },
    });
    await mapLimit(left, 8, (c) =>
      engine.docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    );
  }
}

function describe(label: string, rounds: RoundResult[]): (string | number)[] {
  const totals = rounds.map((r) => r.totalMs / 1000);
  const lat = summarize(
    rounds.flatMap((r) => r.latencies.map((l) => l / 1000)),
    2,
  );
  return [
    label,
    totals.map((t) => fmt(t, 2)).join(' / '),
    fmt(median(totals), 2),
    fmt(lat.p50, 2),
    fmt(lat.p99, 2),
  ];
}

export const podStartup: Benchmark = {
  name: 'pod-startup',
  title: 'Pod startup (one node): skiff vs the Docker floor vs Swarm',
  async run(ctx: BenchContext): Promise<BenchOutput> {
    const pods = envInt('BENCH_PODS', 50);
    const roundsWanted = envInt('BENCH_POD_ROUNDS', 3);
    const skipSwarm = process.env.BENCH_SKIP_SWARM === '1';
    const withSingle = process.env.BENCH_SKIP_SINGLE !== '1';
    // Profiled runs also count the agent's engine calls through a relay (an extra hop, so only then).
    let counter: DockerApiCounter | undefined;
    const lab = await startBenchLab({
      cleanup: ctx.cleanup,
      log: ctx.log,
      profileDir: ctx.profileDir,
      beforeUp: async (node) => {
        if (!ctx.profileDir) return [];
        const path = `/var/tmp/skiff-bench-docker-${node.name}.sock`;
        counter = await startDockerApiCounter(path, node.dockerSocket);
        const c = counter;
        ctx.cleanup.add(`docker API relay ${path}`, () => c.close());
        return ['--docker-socket', path];
      },
    });
    const engineCalls = new Map<string, number>();
    await ensureNamespace(lab.client, NAMESPACE);
    const swarm = skipSwarm
      ? undefined
      : await startSwarmEngine({ cleanup: ctx.cleanup, log: ctx.log, images: [BENCH_IMAGE] });
    const floor: RoundResult[] = [];
    const single: RoundResult[] = [];
    const skiff: RoundResult[] = [];
    const sw: RoundResult[] = [];
    for (let r = 1; r <= roundsWanted; r++) {
      floor.push(await floorRound(lab, pods, r));
      ctx.log(`round ${r}: floor ${fmt(floor.at(-1)!.totalMs / 1000, 2)} s`);
      await sleep(2000);
      if (withSingle) {
        single.push(await floorRound(lab, pods, r, false));
        ctx.log(`round ${r}: floor without pause ${fmt(single.at(-1)!.totalMs / 1000, 2)} s`);
        await sleep(2000);
      }
      counter?.reset();
      skiff.push(await skiffRound(lab, pods, r, () => addCounts(engineCalls, counter)));
      ctx.log(`round ${r}: skiff ${fmt(skiff.at(-1)!.totalMs / 1000, 2)} s`);
      await sleep(2000);
      if (swarm) {
        sw.push(await swarmRound(swarm, pods, r));
        ctx.log(`round ${r}: swarm ${fmt(sw.at(-1)!.totalMs / 1000, 2)} s`);
        await sleep(2000);
      }
    }
    const profiles = ctx.profileDir ? await benchLabProfiles(lab, ctx.profileDir) : undefined;
    await lab.down();
    await swarm?.stop();

    const med = (rs: RoundResult[]) => median(rs.map((r) => r.totalMs / 1000));
    const lat = (rs: RoundResult[]): Summary | undefined =>
      rs.length
        ? summarize(
            rs.flatMap((r) => r.latencies.map((l) => l / 1000)),
            3,
          )
        : undefined;
    const skiffFloor = ratio(med(skiff), med(floor));
    const bound = summarize(
      skiff.flatMap((r) => (r.scheduled ?? []).map((l) => l / 1000)),
      3,
    );
    const swarmSkiff = sw.length ? ratio(med(sw), med(skiff)) : NaN;
    return {
      params: { pods, rounds: roundsWanted, concurrency: KUBELET_POD_CONCURRENCY, image: BENCH_IMAGE },
      metrics: {
        allRunningSeconds: {
          floor: floor.map((r) => round(r.totalMs / 1000, 3)),
          floorWithoutPause: single.map((r) => round(r.totalMs / 1000, 3)),
          skiff: skiff.map((r) => round(r.totalMs / 1000, 3)),
          swarm: sw.map((r) => round(r.totalMs / 1000, 3)),
        },
        medianSeconds: {
          floor: med(floor),
          floorWithoutPause: single.length ? med(single) : null,
          skiff: med(skiff),
          swarm: sw.length ? med(sw) : null,
        },
        skiffCreateToBoundSeconds: bound,
        latencySeconds: {
          floor: lat(floor),
          floorWithoutPause: lat(single) ?? null,
          skiff: lat(skiff),
          swarm: lat(sw) ?? null,
        },
        ratios: {
          skiffOverFloor: skiffFloor,
          swarmOverSkiff: swarmSkiff,
          floorOverFloorWithoutPause: single.length ? ratio(med(floor), med(single)) : null,
          swarmOverFloor: sw.length ? ratio(med(sw), med(floor)) : null,
        },
      },
      tables: [
        {
          head: ['', 'all running, s (each round)', 'median, s', 'startup p50, s', 'startup p99, s'],
          rows: [
            describe(`floor (bare dockerode, pause + app, ${KUBELET_POD_CONCURRENCY} at a time)`, floor),
            ...(single.length
              ? [describe('floor without the pause container (one container per pod, as Swarm)', single)]
              : []),
            describe('skiff (1-node lab: master + agent, real pod network)', skiff),
            ...(sw.length ? [describe('Docker Swarm (dedicated dockerd, `service create`)', sw)] : []),
          ],
        },
        {
          head: ['ratio', 'value', 'goal'],
          rows: [
            ['skiff / floor (median all-running time)', fmt(skiffFloor, 2), '≤ 1.2'],
            ['Swarm / skiff (median all-running time)', fmt(swarmSkiff, 2), '≥ 3'],
            ...(single.length
              ? [
                  [
                    'floor / floor without pause (what the pause container costs)',
                    fmt(ratio(med(floor), med(single)), 2),
                    '',
                  ],
                ]
              : []),
            ...(sw.length ? [['Swarm / floor', fmt(ratio(med(sw), med(floor)), 2), '']] : []),
          ],
        },
      ],
      goals: [
        {
          goal: 'Pod startup vs the floor',
          target: '≤ 1.2× the floor',
          measured: `${fmt(skiffFloor, 2)}× (${fmt(med(skiff), 2)} s vs ${fmt(med(floor), 2)} s for ${pods} pods)`,
          met: Number.isFinite(skiffFloor) ? skiffFloor <= 1.2 : null,
        },
        {
          goal: 'Pod startup vs Swarm',
          target: 'Swarm ≥ 3× slower than skiff',
          measured: sw.length
            ? `Swarm/skiff ${fmt(swarmSkiff, 2)}× (${fmt(med(sw), 2)} s vs ${fmt(med(skiff), 2)} s)`
            : 'not run',
          met: Number.isFinite(swarmSkiff) ? swarmSkiff >= 3 : null,
        },
      ],
      notes: [
        `Each round runs the floor, the floor without pause, skiff and Swarm back to back (${roundsWanted} rounds); the ratios use the median all-running times.`,
        `skiff: a 1-node \`skiff lab\` (master in the root namespace, agent and its own dockerd in the node namespace, pods on the real pod bridge); the pods go through the scheduler. Startup latency = client-side create request → the watch event where all containerStatuses are running. Of that, create → bound to the node took p50 ${fmt(bound.p50, 3)} s, p99 ${fmt(bound.p99, 3)} s.`,
        `floor: dockerode against the same node engine and pod network, the sandbox and app configs built with skiff's own sandboxSpec/containerSpec (Init, IPC shareable, DNS, labels), ${KUBELET_POD_CONCURRENCY} pods at a time like the kubelet's pod workers; 4 API calls per pod (create+start ×2), no inspect. Latency = batch start → app container started.`,
        `floor without pause: the same app container alone on the pod network (hostname and DNS set on it), same concurrency — a diagnostic for the pause container's share.`,
        'Swarm: a dedicated dockerd (own netns, socket, data-root, exec-root, `{}` config, same flags as a lab node) with the image loaded by docker save|load; `docker service create --replicas N --no-resolve-image --detach`, polled every 100 ms through the API until N tasks run. Latency = service create → the task status timestamp when it turned running. Swarm containers have no pause container and no Init.',
      ],
      ...(profiles ? { profiles } : {}),
      ...(counter ? { profileTables: [engineCallTable(engineCalls, pods * roundsWanted)] } : {}),
    };
  },
};

function addCounts(into: Map<string, number>, counter: DockerApiCounter | undefined): void {
  for (const [k, v] of counter?.counts() ?? []) into.set(k, (into.get(k) ?? 0) + v);
}

/** The agent's engine calls per pod, from create until all pods ran (the floor makes 4: create+start ×2). */
function engineCallTable(calls: Map<string, number>, pods: number): Table {
  const rows = [...calls.entries()].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((a, [, n]) => a + n, 0);
  return {
    title: `Docker API calls the agent made per pod while ${pods} pods started (the floor makes 4 per pod)`,
    head: ['call', 'per pod'],
    rows: [...rows.map(([k, n]) => [`\`${k}\``, fmt(n / pods, 2)]), ['**total**', fmt(total / pods, 2)]],
  };
}
