// Benchmark 4c, readiness → proxy rules (issue 4's benchmark): on a 1-node lab, a Service over 3 pods whose
// readiness probe is `test -f /tmp/ready` every second (failureThreshold 1). Each flip removes the file in one
// pod's app container (docker exec on the node engine) and times, from the exec's return:
//   not ready  the pod's Ready condition turning False (API watch),
//   endpoints  the Endpoints object no longer listing the address as ready (API watch),
//   rules      `iptables-save -t nat` in the node's namespace (polled every 50 ms) no longer DNATing to it;
// then puts the file back and times the way back into the rules. The probe period (1 s) is part of the figure.
import Docker from 'dockerode';
import type { Endpoints, Pod, Service } from '../../src/api/types.js';
import { ENDPOINTS, PODS, SERVICES, type WatchHandle } from '../../src/client/api-client.js';
import { startBenchLab, type BenchLab } from '../lib/bench-lab.js';
import { benchLabProfiles } from '../lib/lab-profiles.js';
import { BENCH_IMAGE, ensureNamespace, isPodReady, PodWatch } from '../lib/pods.js';
import { sleep, waitFor } from '../lib/proc.js';
import { summarize } from '../lib/stats.js';
import { envInt, fmt, type BenchContext, type Benchmark, type BenchOutput } from '../lib/types.js';

const NS = 'bench';
const PORT = 8080;

function probedPod(name: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'rdy' } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'app',
          image: BENCH_IMAGE,
          command: ['sh', '-c', 'touch /tmp/ready && exec sleep 3600'],
          ports: [{ containerPort: PORT }],
          readinessProbe: {
            exec: { command: ['test', '-f', '/tmp/ready'] },
            periodSeconds: 1,
            failureThreshold: 1,
            successThreshold: 1,
          },
        },
      ],
    },
  } as Pod;
}

/** Transitions seen on the watches, with their receipt time. */
class Transitions {
  readonly podReady: { pod: string; ready: boolean; t: number }[] = [];
  readonly endpoints: { ready: Set<string>; t: number }[] = [];
  private handles: WatchHandle[] = [];
  private lastReady = new Map<string, boolean>();

  async start(lab: BenchLab): Promise<void> {
    const pods = await lab.client.list<Pod>(PODS, NS);
    const h1 = lab.client.watch<Pod>(PODS, NS, { resourceVersion: pods.metadata.resourceVersion }, (ev) => {
      const t = performance.now();
      const name = ev.object.metadata.name!;
      const ready = isPodReady(ev.object);
      if (this.lastReady.get(name) !== ready) this.podReady.push({ pod: name, ready, t });
      this.lastReady.set(name, ready);
    });
    const eps = await lab.client.list<Endpoints>(ENDPOINTS, NS);
    const h2 = lab.client.watch<Endpoints>(
      ENDPOINTS,
      NS,
      { resourceVersion: eps.metadata.resourceVersion, fieldSelector: 'metadata.name=rdy' },
      (ev) => {
        const ready = new Set((ev.object.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)));
        this.endpoints.push({ ready, t: performance.now() });
      },
    );
    for (const h of [h1, h2]) h.done.catch(() => undefined);
    this.handles = [h1, h2];
  }

  notReadyAt(pod: string, since: number): number | undefined {
    return this.podReady.find((x) => x.pod === pod && !x.ready && x.t >= since)?.t;
  }

  endpointGoneAt(ip: string, since: number): number | undefined {
    return this.endpoints.find((x) => x.t >= since && !x.ready.has(ip))?.t;
  }

  stop(): void {
    for (const h of this.handles) h.stop();
  }
}

async function dnatTargets(lab: BenchLab): Promise<Set<string>> {
  const r = await lab.nodeExec(['iptables-save', '-t', 'nat']);
  return new Set(
    [...r.stdout.matchAll(/--to-destination (\d+\.\d+\.\d+\.\d+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`),
  );
}

/** Polls the node's nat table until `pred` holds; returns the time of the poll that saw it. */
async function pollRules(
  lab: BenchLab,
  pred: (targets: Set<string>) => boolean,
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (pred(await dnatTargets(lab))) return performance.now();
    await sleep(50);
  }
  throw new Error('timed out waiting for the proxy rules');
}

async function execIn(docker: Docker, id: string, cmd: string[]): Promise<void> {
  const exec = await docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.resume();
  });
}

export const readinessToRules: Benchmark = {
  name: 'readiness',
  title: 'Readiness → proxy rules: a pod turning not-ready until iptables excludes it',
  async run(ctx: BenchContext): Promise<BenchOutput> {
    const flips = envInt('BENCH_READY_FLIPS', 5);
    const lab = await startBenchLab({ cleanup: ctx.cleanup, log: ctx.log, profileDir: ctx.profileDir });
    await ensureNamespace(lab.client, NS);
    await lab.client.create<Service>(SERVICES, NS, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'rdy', namespace: NS },
      spec: { selector: { app: 'rdy' }, ports: [{ port: 80, targetPort: PORT, protocol: 'TCP' }] },
    } as Service);
    const names = ['rdy-0', 'rdy-1', 'rdy-2'];
    const ready = new PodWatch(lab.client, NS, { ready: isPodReady });
    await ready.start();
    for (const n of names) await lab.client.create<Pod>(PODS, NS, probedPod(n));
    await ready.waitAll(names, 'ready', 120_000);
    ready.stop();
    const ips = new Map<string, string>();
    for (const n of names) ips.set(n, (await lab.client.get<Pod>(PODS, NS, n)).status!.podIP!);
    const target = (n: string) => `${ips.get(n)}:${PORT}`;
    await pollRules(lab, (t) => names.every((n) => t.has(target(n))), 60_000);

    const docker = new Docker({ socketPath: lab.node.dockerSocket, version: 'v1.41' });
    const containerOf = async (pod: string) => {
      const list = await docker.listContainers({
        filters: { label: [`io.skiff.pod.name=${pod}`, 'io.skiff.container.name=app'], status: ['running'] },
      });
      if (!list[0]) throw new Error(`no running app container for ${pod}`);
      return list[0].Id;
    };
    const tr = new Transitions();
    await tr.start(lab);
    const samples: { notReady: number; endpoints: number; rules: number; back: number }[] = [];
    try {
      for (let k = 0; k < flips; k++) {
        const pod = names[k % names.length];
        const id = await containerOf(pod);
        await execIn(docker, id, ['rm', '-f', '/tmp/ready']);
        const t0 = performance.now();
        const gone = await pollRules(lab, (t) => !t.has(target(pod)), 60_000);
        const notReady = await waitFor(
          'the pod to turn not ready',
          () => tr.notReadyAt(pod, t0 - 1000),
          10_000,
          20,
        );
        const epGone = await waitFor(
          'the endpoint to go',
          () => tr.endpointGoneAt(ips.get(pod)!, t0 - 1000),
          10_000,
          20,
        );
        await execIn(docker, id, ['touch', '/tmp/ready']);
        const t1 = performance.now();
        const back = await pollRules(lab, (t) => t.has(target(pod)), 60_000);
        samples.push({ notReady: notReady - t0, endpoints: epGone - t0, rules: gone - t0, back: back - t1 });
        ctx.log(
          `flip ${k + 1}: out of the rules after ${fmt((gone - t0) / 1000, 2)} s, back in after ${fmt((back - t1) / 1000, 2)} s`,
        );
        await sleep(1500);
      }
    } finally {
      tr.stop();
    }
    const profiles = ctx.profileDir ? await benchLabProfiles(lab, ctx.profileDir) : undefined;
    await lab.down();
    const s = (f: (x: (typeof samples)[number]) => number) =>
      summarize(
        samples.map((x) => f(x) / 1000),
        2,
      );
    const notReady = s((x) => x.notReady);
    const endpoints = s((x) => x.endpoints);
    const rules = s((x) => x.rules);
    const back = s((x) => x.back);
    const rulesAfterStatus = s((x) => x.rules - x.notReady);
    const row = (what: string, v: ReturnType<typeof summarize>) => [what, fmt(v.p50, 2), fmt(v.max, 2)];
    return {
      params: { flips, probePeriodSeconds: 1, failureThreshold: 1, iptablesPollMs: 50 },
      metrics: { samplesMs: samples, notReady, endpoints, rules, back, rulesAfterStatus },
      tables: [
        {
          head: ['readiness lost (file removed) →', 'median, s', 'max, s'],
          rows: [
            row('pod Ready=False seen on a watch', notReady),
            row('Endpoints without the address (watch)', endpoints),
            row('iptables no longer DNATs to it', rules),
            row('… of which after the pod status changed', rulesAfterStatus),
            row('readiness back → iptables DNATs to it again', back),
          ],
        },
      ],
      goals: [],
      notes: [
        `${flips} flips over 3 pods behind one Service, 1-node lab; times from the return of the \`docker exec rm\` (negative "after the status" parts would mean the rules changed before the watch saw the status). The rules are read with \`iptables-save -t nat\` in the node's namespace every 50 ms (about 20 ms per read), so each figure carries up to ~70 ms of polling.`,
        'The chain: prober (1 s period) → kubelet status write → endpoints controller → agent proxy informer → iptables-restore (the proxier syncs at most once per second, DEFAULT_MIN_SYNC_PERIOD_MS).',
      ],
      ...(profiles ? { profiles } : {}),
    };
  },
};
