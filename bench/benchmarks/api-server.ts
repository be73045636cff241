// Benchmark 3, API server: a real `skiff master` process (SQLite store in a temp dir) driven over HTTP from this
// process with skiff's HttpApiClient (keep-alive):
//   creates/s  small ConfigMaps, `concurrency` requests in flight;
//   gets/s     random gets of those ConfigMaps, same concurrency;
//   watch      `watchers` concurrent HTTP watches on one namespace, then ConfigMap creates at a steady rate, one
//              at a time; latency = the create's response (ack) → each watcher's receipt of its ADDED event (also
//              from the request's send). Writer and watchers share this process and its clock.
import { randomInt } from 'node:crypto';
import type { ConfigMap, KubeObject } from '../../src/api/types.js';
import { CONFIGMAPS, NAMESPACES, type WatchHandle } from '../../src/client/api-client.js';
import type { HttpApiClient } from '../../src/client/http-api-client.js';
import { clientFor, type ApiAccess } from '../lib/api-access.js';
import { profileOfPid } from '../lib/bench-lab.js';
import { startMasterProcess } from '../lib/master-process.js';
import { cpuShare, mapLimit, procMemory, sleep, waitFor } from '../lib/proc.js';
import { summarizeProfileFile, type ProfileSummary } from '../lib/profile.js';
import { round, summarize } from '../lib/stats.js';
import { envInt, fmt, type BenchContext, type Benchmark, type BenchOutput } from '../lib/types.js';

function configMap(name: string, namespace: string, i: number): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { app: 'apibench' } },
    data: { index: String(i), greeting: 'hello from the API benchmark' },
  } as ConfigMap;
}

interface Timed {
  perSecond: number;
  seconds: number;
  latencyMs: ReturnType<typeof summarize>;
  /** CPU of the master and of this (client) process over the phase, % of one core. */
  masterCpuPct: number;
  clientCpuPct: number;
}

async function timed(
  masterPid: number,
  count: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<Timed> {
  const lat: number[] = [];
  const { seconds, serverPct, selfPct } = await cpuShare(masterPid, () =>
    mapLimit(
      Array.from({ length: count }, (_, i) => i),
      concurrency,
      async (i) => {
        const s = performance.now();
        await op(i);
        lat.push(performance.now() - s);
      },
    ),
  );
  return {
    perSecond: round(count / seconds, 0),
    seconds: round(seconds, 2),
    latencyMs: summarize(lat, 1),
    masterCpuPct: serverPct,
    clientCpuPct: selfPct,
  };
}

interface WatchRun {
  fromAck: ReturnType<typeof summarize>;
  fromSend: ReturnType<typeof summarize>;
  missed: number;
  beforeAck: number;
}

async function watchLatency(
  access: ApiAccess,
  writer: HttpApiClient,
  watchers: number,
  writes: number,
  rate: number,
): Promise<WatchRun> {
  const ns = 'watchbench';
  await writer.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const rv = (await writer.list(CONFIGMAPS, ns)).metadata.resourceVersion;
  const watchClient = clientFor(access);
  const received: Map<string, number>[] = [];
  const handles: WatchHandle[] = [];
  try {
    for (let w = 0; w < watchers; w++) {
      const got = new Map<string, number>();
      received.push(got);
      const h = watchClient.watch<KubeObject>(CONFIGMAPS, ns, { resourceVersion: rv }, (ev) => {
        if (ev.type === 'ADDED') got.set(ev.object.metadata.name!, performance.now());
      });
      h.done.catch(() => undefined);
      handles.push(h);
    }
    // Every watch is established once each has seen a first write.
    await writer.create(CONFIGMAPS, ns, configMap('warmup', ns, -1));
    await waitFor(
      `${watchers} watches to see the first write`,
      () => received.every((g) => g.has('warmup')),
      60_000,
      10,
    );
    const sent: number[] = [];
    const acked: number[] = [];
    const interval = 1000 / rate;
    const t0 = performance.now();
    for (let k = 0; k < writes; k++) {
      const wait = t0 + k * interval - performance.now();
      if (wait > 0) await sleep(wait);
      sent[k] = performance.now();
      await writer.create(CONFIGMAPS, ns, configMap(`w-${k}`, ns, k));
      acked[k] = performance.now();
    }
    await waitFor(
      'every watcher to receive every write',
      () => received.every((g) => g.size >= writes + 1),
      30_000,
      20,
    ).catch(() => undefined);
    const fromAck: number[] = [];
    const fromSend: number[] = [];
    let missed = 0;
    let beforeAck = 0;
    for (const got of received) {
      for (let k = 0; k < writes; k++) {
        const t = got.get(`w-${k}`);
        if (t === undefined) {
          missed++;
          continue;
        }
        fromAck.push(t - acked[k]);
        fromSend.push(t - sent[k]);
        if (t < acked[k]) beforeAck++;
      }
    }
    return { fromAck: summarize(fromAck, 2), fromSend: summarize(fromSend, 2), missed, beforeAck };
  } finally {
    for (const h of handles) h.stop();
    watchClient.close();
  }
}

// Before/after figures of the store changes (issue 7), measured back to back in one session on this shared 2-core
// machine: the build before them (commit 29add4a, in a second worktree) and the build with them, alternating.
const GROUP_COMMIT_NOTES = [
  "Fix 1, group commit (src/store/versioned-store.ts, sqlite-store.ts). The profile of the master under this benchmark (`--profile`, 3,000 creates) had better-sqlite3's transaction — the synchronous=FULL fsync of every commit, blocking the event loop — as its largest cost: 24% of the samples (5.4 s of 22.1 s). Now the writes that reach the store in one event-loop turn share one transaction and one fsync, and each is answered only after that commit: 3,009 writes took ~350–410 commits (≈8 writes per fsync, at most 16). The same checks run inside the transaction, so AlreadyExists/Conflict, per-key order, the revision sequence and the change log are unchanged (src/store/group-commit.test.ts). The store alone (16 creates in flight, no HTTP) went from 4,435 to 28,324 creates/s.",
  'Fix 1, before → after at the full sizes (creates/s; master CPU per create = CPU share ÷ rate), six pairs, load average 5–15 from other work, fsync 0.3–3.4 ms: 269 → 653 (1.12 → 0.72 ms), 199 → 250 (1.51 → 0.92), 259 → 737 (1.39 → 0.61), 919 → 712 (0.78 → 0.79), 764 → 714 (0.82 → 0.66), 582 → 750 (0.89 → 0.63); creates only (4,000, same client): 633 → 1,507 (0.96 → 0.62), 421 → 864 (1.13 → 0.70), 531 → 983 (1.00 → 0.67). The master CPU per create fell by 20–55% (typically a third) in all but one pair; the rate follows how much CPU the master gets on this busy machine (40–93% of a core), so it ranged from 0.8× to 2.8×. The gain is largest when fsync is slow.',
  "Gets are unchanged by fix 1 (they do not write): master CPU per get 0.30 → 0.27 and 0.27 → 0.25 ms in two creates-then-gets pairs (10,000 gets); gets/s in the six pairs 1,496 → 1,474, 1,220 → 978, 1,641 → 1,981, 3,326 → 1,930, 2,581 → 1,853, 2,124 → 2,018, the master's CPU share moving with the machine's load (CPU per get 0.26–0.37 ms before and after).",
  "Fix 2, a row cache (src/store/row-cache.ts): committed rows, LRU, at most 8 Mi JSON characters, so the token read of every request, the namespace read of every create and gets of recent objects skip SQLite (readRow was ~4% of the master's samples). Its effect is within the noise of these runs; it is not claimed as a speed-up.",
  'Since fix 1 every watcher has the event before the writer has its create\'s answer (the master still fans a batch out before answering it), so "write ack → event" is negative and the watch goal is met trivially; "write sent → event" is the figure to compare (p99 before → after: 44 → 70, 131 → 92, 23 → 26, 15 → 20, 30 → 27, 31 → 22 ms — within the noise), also given in the goal line.',
  'The goal of 1,500 creates/s is not met at the full sizes here: after fix 1 the master needs ~0.6–0.8 ms of CPU per create (HTTP parsing and writing, express routing, authentication with a store read and a sha256 per request, body decoding, validation, admission, the store write), so it reaches ~1,500/s only with a whole core to itself (1,507/s once, at 93% of a core), and in these runs it got 40–70%.',
];

export const apiServer: Benchmark = {
  name: 'api-server',
  title: 'API server over HTTP (SQLite store): creates, gets, watch latency',
  async run(ctx: BenchContext): Promise<BenchOutput> {
    const creates = envInt('BENCH_API_CREATES', 5000);
    const gets = envInt('BENCH_API_GETS', 20000);
    const concurrency = envInt('BENCH_API_CONCURRENCY', 16);
    const watchers = envInt('BENCH_WATCHERS', 100);
    const writes = envInt('BENCH_WATCH_WRITES', 500);
    const rate = envInt('BENCH_WATCH_RATE', 50);
    const master = await startMasterProcess({ cleanup: ctx.cleanup, profileDir: ctx.profileDir });
    const client = clientFor(master.access);
    ctx.cleanup.add('API client', () => client.close());
    const ns = 'apibench';
    await client.create(NAMESPACES, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });

    const create = await timed(master.pid, creates, concurrency, (i) =>
      client.create(CONFIGMAPS, ns, configMap(`cm-${i}`, ns, i)),
    );
    ctx.log(`creates: ${create.perSecond}/s`);
    const get = await timed(master.pid, gets, concurrency, () =>
      client.get(CONFIGMAPS, ns, `cm-${randomInt(creates)}`),
    );
    ctx.log(`gets: ${get.perSecond}/s`);
    const watchRun = await cpuShare(master.pid, () =>
      watchLatency(master.access, client, watchers, writes, rate),
    );
    const watch = { ...watchRun.result, masterCpuPct: watchRun.serverPct, clientCpuPct: watchRun.selfPct };
    ctx.log(`watch: p50 ${watch.fromAck.p50} ms, p99 ${watch.fromAck.p99} ms`);
    const memory = procMemory(master.pid);
    client.close();
    await master.stop();
    let profiles: ProfileSummary[] | undefined;
    if (ctx.profileDir) {
      const file = profileOfPid(ctx.profileDir, master.pid);
      if (file) profiles = [summarizeProfileFile(file, `skiff master (pid ${master.pid})`)];
    }
    const row = (what: string, r: Timed) => [
      what,
      fmt(r.perSecond, 0),
      fmt(r.latencyMs.p50, 1),
      fmt(r.latencyMs.p99, 1),
      fmt(r.latencyMs.max, 1),
      `${r.masterCpuPct}% / ${r.clientCpuPct}%`,
    ];
    return {
      params: { creates, gets, concurrency, watchers, watchWrites: writes, watchWriteRatePerSecond: rate },
      metrics: { create, get, watch, masterMemoryMiB: memory },
      tables: [
        {
          head: ['operation', 'per second', 'latency p50, ms', 'p99, ms', 'max, ms', 'CPU master / client'],
          rows: [
            row(`create ConfigMap (${creates}, ${concurrency} in flight)`, create),
            row(`get ConfigMap (${gets}, ${concurrency} in flight)`, get),
          ],
        },
        {
          head: [
            'watch delivery',
            'p50, ms',
            'p90, ms',
            'p99, ms',
            'max, ms',
            'events',
            'CPU master / client',
          ],
          rows: [
            [
              `write ack → event, ${watchers} watchers, ${rate} writes/s`,
              fmt(watch.fromAck.p50, 2),
              fmt(watch.fromAck.p90, 2),
              fmt(watch.fromAck.p99, 2),
              fmt(watch.fromAck.max, 2),
              `${watch.fromAck.n} (${watch.missed} missed, ${watch.beforeAck} before the ack)`,
              `${watch.masterCpuPct}% / ${watch.clientCpuPct}%`,
            ],
            [
              'write sent → event',
              fmt(watch.fromSend.p50, 2),
              fmt(watch.fromSend.p90, 2),
              fmt(watch.fromSend.p99, 2),
              fmt(watch.fromSend.max, 2),
              '',
              '',
            ],
          ],
        },
      ],
      goals: [
        {
          goal: 'API writes',
          target: '≥ 1,500 writes/s',
          measured: `${fmt(create.perSecond, 0)} creates/s (${concurrency} in flight)`,
          met: create.perSecond >= 1500,
        },
        {
          goal: 'Watch delivery',
          target: 'p99 < 50 ms',
          measured: `p99 ${fmt(watch.fromAck.p99, 1)} ms (p50 ${fmt(watch.fromAck.p50, 1)} ms) with ${watchers} watchers; from the write's send p99 ${fmt(watch.fromSend.p99, 1)} ms`,
          met: watch.missed === 0 && watch.fromAck.p99 < 50,
        },
      ],
      notes: [
        'The master is the real `skiff master` process (scheduler and controllers running, store in a temp dir, WAL with synchronous=FULL); the load comes from this process over 127.0.0.1 through HttpApiClient, which parses every response and watch line as a real client does.',
        master.access.server.startsWith('https:')
          ? 'The master serves HTTPS: requests carry the admin bearer token over keep-alive TLS connections (authentication and authorization included in every figure).'
          : 'The master serves plain HTTP.',
        `ConfigMaps of ~200 bytes. Watch: ${watchers} HTTP watches from the current revision, warmed up by one write all of them must see; then ${writes} creates, one at a time, at most ${rate}/s; a negative ack→event time (counted in "before the ack") means the event arrived before the create's response.`,
        memory ? `Master memory after the run: ${memory.rssMiB} MiB RSS, peak ${memory.peakMiB} MiB.` : '',
        ...GROUP_COMMIT_NOTES,
      ].filter(Boolean),
      ...(profiles ? { profiles } : {}),
    };
  },
};
