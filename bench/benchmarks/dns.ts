// Benchmark 4b, cluster DNS: queries/s of skiff's DNS server (agent/dns, its own process, names from a
// StaticDnsSource) against dnsmasq (Debian's dnsmasq-base, the same names from a hosts file), both on 127.0.0.1,
// driven by the same load generator: dnsperf (Debian), UDP, A queries for the service names in shuffled order,
// 100 queries in flight, `seconds` per run, alternating dnsmasq and skiff for `rounds` rounds. The server's CPU use
// (utime + stime from /proc) says whether it was saturated.
import dgram from 'node:dgram';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dnsPacket from 'dns-packet';
import { profileOfPid } from '../lib/bench-lab.js';
import {
  freePort,
  isAlive,
  mustRun,
  procCpuSeconds,
  run,
  spawnDaemon,
  stopPid,
  waitFor,
} from '../lib/proc.js';
import { summarizeProfileFile, type ProfileSummary } from '../lib/profile.js';
import { median, ratio, round } from '../lib/stats.js';
import { serviceIP } from '../lib/sim-services.js';
import { envInt, fmt, type BenchContext, type Benchmark, type BenchOutput } from '../lib/types.js';

const SERVER_MAIN = fileURLToPath(new URL('../dns-server-main.js', import.meta.url));

interface PerfRun {
  qps: number;
  lost: number;
  sent: number;
  noerror: number;
  avgLatencyMs: number;
  serverCpuPct: number;
  /** Queries answered per second of server CPU: its capacity on one core, whatever held the rate back. */
  perCpuSecond: number;
}

/** One A query over UDP; resolves with the first answer's address. */
function queryOnce(port: number, name: string, timeoutMs = 500): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      resolve(undefined);
    }, timeoutMs);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      const answer = dnsPacket.decode(msg).answers?.find((a) => a.type === 'A') as
        { data?: unknown } | undefined;
      resolve(answer ? String(answer.data) : undefined);
    });
    sock.on('error', () => undefined);
    sock.send(
      dnsPacket.encode({
        type: 'query',
        id: 1,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type: 'A', name }],
      }),
      port,
      '127.0.0.1',
    );
  });
}

async function dnsperf(port: number, queries: string, seconds: number, pid: number): Promise<PerfRun> {
  const before = procCpuSeconds(pid);
  const t0 = performance.now();
  const r = await mustRun(
    [
      'dnsperf',
      '-s',
      '127.0.0.1',
      '-p',
      String(port),
      '-d',
      queries,
      '-l',
      String(seconds),
      '-q',
      '100',
      '-c',
      '1',
      '-T',
      '1',
    ],
    { timeoutMs: (seconds + 30) * 1000 },
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = procCpuSeconds(pid) - before;
  const num = (re: RegExp) => Number(re.exec(r.stdout)?.[1] ?? NaN);
  const qps = num(/Queries per second:\s+([\d.]+)/);
  return {
    qps: round(qps, 0),
    perCpuSecond: round(num(/Queries completed:\s+(\d+)/) / cpu, 0),
    sent: num(/Queries sent:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    noerror: num(/NOERROR (\d+)/),
    avgLatencyMs: round(num(/Average Latency \(s\):\s+([\d.]+)/) * 1000, 3),
    serverCpuPct: round((100 * cpu) / wall, 0),
  };
}

async function ensureTools(ctx: BenchContext): Promise<void> {
  const missing = [];
  if ((await run(['sh', '-c', 'command -v dnsmasq'])).code !== 0) missing.push('dnsmasq-base');
  if ((await run(['sh', '-c', 'command -v dnsperf'])).code !== 0) missing.push('dnsperf');
  if (missing.length === 0) return;
  // bench/run.sh installs these; a direct run of dist/bench/main.js may not have.
  ctx.log(`installing ${missing.join(' ')}`);
  await mustRun(['apt-get', 'install', '-y', '--no-install-recommends', ...missing], { timeoutMs: 600_000 });
}

export const dns: Benchmark = {
  name: 'dns',
  title: 'Cluster DNS: skiff vs dnsmasq, queries per second',
  async run(ctx: BenchContext): Promise<BenchOutput> {
    const names = envInt('BENCH_DNS_NAMES', 1000);
    const seconds = envInt('BENCH_DNS_SECONDS', 10);
    const rounds = envInt('BENCH_DNS_ROUNDS', 2);
    await ensureTools(ctx);
    const dir = mkdtempSync('/var/tmp/skiff-bench-dns-');
    ctx.cleanup.add(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    const fqdn = (i: number) => `svc-${i}.default.svc.cluster.local`;
    writeFileSync(
      join(dir, 'hosts'),
      Array.from({ length: names }, (_, i) => `${serviceIP(i)} ${fqdn(i)}\n`).join(''),
    );
    const order = Array.from({ length: names }, (_, i) => i).sort(() => Math.random() - 0.5);
    writeFileSync(join(dir, 'queries'), order.map((i) => `${fqdn(i)} A\n`).join(''));

    const dnsmasqPort = await freePort();
    const dnsmasqPid = await spawnDaemon(
      [
        'dnsmasq',
        '--keep-in-foreground',
        '--no-resolv',
        '--no-hosts',
        `--addn-hosts=${join(dir, 'hosts')}`,
        '--listen-address=127.0.0.1',
        '--bind-interfaces',
        `--port=${dnsmasqPort}`,
        '--user=root',
        '--pid-file=',
        '--log-facility=-',
      ],
      join(dir, 'dnsmasq.log'),
    );
    ctx.cleanup.add(`dnsmasq ${dnsmasqPid}`, () => stopPid(dnsmasqPid, 5000));
    const skiffPort = await freePort();
    const nodeArgs = ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`] : [];
    const skiffPid = await spawnDaemon(
      [process.execPath, ...nodeArgs, SERVER_MAIN, '--port', String(skiffPort), '--names', String(names)],
      join(dir, 'skiff-dns.log'),
    );
    const stopSkiff = ctx.cleanup.add(`skiff DNS server ${skiffPid}`, () => stopPid(skiffPid, 10_000));
    const probe = fqdn(Math.min(7, names - 1));
    for (const [what, port, pid] of [
      ['dnsmasq', dnsmasqPort, dnsmasqPid],
      ['skiff DNS', skiffPort, skiffPid],
    ] as const) {
      await waitFor(
        `${what} to answer ${probe} (log in ${dir})`,
        async () => {
          if (!isAlive(pid))
            throw new Error(
              `${what} exited: ${readFileSync(join(dir, what === 'dnsmasq' ? 'dnsmasq.log' : 'skiff-dns.log'), 'utf8').slice(-500)}`,
            );
          return (await queryOnce(port, probe)) === serviceIP(Math.min(7, names - 1));
        },
        20_000,
        100,
      );
    }

    const dm: PerfRun[] = [];
    const sk: PerfRun[] = [];
    for (let r = 1; r <= rounds; r++) {
      dm.push(await dnsperf(dnsmasqPort, join(dir, 'queries'), seconds, dnsmasqPid));
      ctx.log(`round ${r}: dnsmasq ${dm.at(-1)!.qps} q/s`);
      sk.push(await dnsperf(skiffPort, join(dir, 'queries'), seconds, skiffPid));
      ctx.log(`round ${r}: skiff ${sk.at(-1)!.qps} q/s`);
    }
    await stopSkiff();
    let profiles: ProfileSummary[] | undefined;
    if (ctx.profileDir) {
      const file = profileOfPid(ctx.profileDir, skiffPid);
      if (file) profiles = [summarizeProfileFile(file, `skiff DNS server (pid ${skiffPid})`)];
    }
    const medDm = median(dm.map((x) => x.qps));
    const medSk = median(sk.map((x) => x.qps));
    const rawRatio = ratio(medSk, medDm);
    const capDm = median(dm.map((x) => x.perCpuSecond));
    const capSk = median(sk.map((x) => x.perCpuSecond));
    const r = ratio(capSk, capDm);
    const row = (what: string, runs: PerfRun[]) => [
      what,
      runs.map((x) => fmt(x.qps, 0)).join(' / '),
      fmt(median(runs.map((x) => x.qps)), 0),
      fmt(median(runs.map((x) => x.avgLatencyMs)), 2),
      runs.map((x) => `${x.serverCpuPct}%`).join(' / '),
      fmt(median(runs.map((x) => x.perCpuSecond)), 0),
      runs.reduce((a, x) => a + x.lost, 0),
    ];
    return {
      params: {
        names,
        secondsPerRun: seconds,
        rounds,
        inFlight: 100,
        generator: 'dnsperf 2.x, UDP, 1 client thread',
      },
      metrics: { dnsmasq: dm, skiff: sk, ratioPerCpuSecond: r, ratioQueriesPerSecond: rawRatio },
      tables: [
        {
          head: [
            'server',
            'queries/s (each run)',
            'median q/s',
            'avg latency, ms',
            'server CPU (each run)',
            'queries per CPU-second (median)',
            'lost',
          ],
          rows: [row('dnsmasq (hosts file)', dm), row('skiff DNS (agent/dns, StaticDnsSource)', sk)],
        },
        {
          head: ['ratio skiff / dnsmasq', 'value', 'goal'],
          rows: [
            ['queries per CPU-second (capacity)', fmt(r, 2), '≥ 0.8'],
            ['queries/s as driven (generator-bound; see the CPU column)', fmt(rawRatio, 2), ''],
          ],
        },
      ],
      goals: [
        {
          goal: 'DNS throughput',
          target: '≥ 0.8× dnsmasq',
          measured: `${fmt(r, 2)}× in queries per CPU-second (${fmt(capSk, 0)} vs ${fmt(capDm, 0)}); as driven ${fmt(medSk, 0)} vs ${fmt(medDm, 0)} q/s (${fmt(rawRatio, 2)}×)`,
          met: Number.isFinite(r) ? r >= 0.8 : null,
        },
      ],
      notes: [
        `${names} names svc-N.default.svc.cluster.local → 10.96.x.y. dnsmasq: \`--no-resolv --no-hosts --addn-hosts=<file> --listen-address=127.0.0.1 --bind-interfaces\`, otherwise defaults. skiff: bench/dns-server-main.ts runs the agent's DnsServer (UDP+TCP, answer cache) with no upstreams.`,
        `dnsperf \`-q 100 -c 1 -T 1 -l ${seconds}\` on the query list (shuffled, looped), runs alternating; the load generator shares the 2 cores with the server and with whatever else runs on the machine.`,
        "Fix (issue 7): the profile (`--profile dns`, and `perf` on the server) showed the JS of the query path (cache hit, reply copy) at ~10% of the server's CPU and the rest in Node's dgram send/receive; per send, dgram ran the reply address through dns.lookup (a regexp and a deferred tick) and, because a callback was passed, one more tick to report success. Sends now go out with no callback and the UDP sockets get a lookup that passes IP literals through synchronously. Before → after, back to back on this machine (load average 11–17, default sizes): 61,510 → 70,354 queries per CPU-second, 0.60× → 0.71× dnsmasq. A bare Node dgram echo server (no DNS work at all) reaches ~0.85× dnsmasq here: most of the remaining gap is Node's per-datagram cost, not the DNS code.",
        "Second pass (2026-11-30), nothing adopted: the query path already answers cache hits without dns-packet (QueryHandler reads simple queries by hand and copies the cached encoded reply, patching the id, the RD/CD bits and the question). The profile of the server (`--profile dns`) had 83.6% of its self time in dgram's send (the syscall and the kernel under it), 4.5% in agent/dns and 3% in GC; `perf` showed ~60% kernel time for skiff and for a bare Node dgram echo server alike. Tried and measured against the current code and dnsmasq, alternated in one session (dnsperf as here, 5 s runs, queries per CPU-second as a fraction of dnsmasq's): a reply table keyed by a hash of the question bytes with the reply built in the query's own buffer, median 0.595× vs 0.690× for the current code (4 rounds); the same table with a copied reply, 0.713× vs 0.747× (6 rounds). Both were dropped. In those sessions a bare Node dgram echo server that does no DNS work at all reached 0.80-0.90× dnsmasq (medians 0.854× and 0.803×), so 0.8× is at Node's own per-datagram cost on this machine: the DNS code is ~5-9% of the server's CPU, less than the run-to-run noise (±5-10%).",
        "On this shared 2-core machine neither server keeps its core busy (see the CPU column): the rate a run reaches is set by the generator and the machine's scheduling as much as by the server, and swings from run to run. The goal is therefore judged on queries per second of server CPU (utime + stime from /proc over the run), which is what each server costs per query and its single-core capacity.",
      ],
      ...(profiles ? { profiles } : {}),
    };
  },
};
