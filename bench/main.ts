// The benchmark runner (`bench/run.sh`, `sudo npm run bench`): runs the named benchmarks (all by default) one after
// the other, each with its own Cleanup that runs whether it passed or failed (and on Ctrl-C), writes the run to
// bench/results/<timestamp>.json, merges it into bench/results/latest.json and regenerates BENCHMARKS.md.
//
//   node dist/bench/main.js [--profile] [--no-write] [benchmark …]
//
// --profile runs the measured processes under the CPU profiler; its summaries go to the report's profile section
// and its (slower) figures do not replace the unprofiled ones.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiServer } from './benchmarks/api-server.js';
import { dns } from './benchmarks/dns.js';
import { footprint } from './benchmarks/footprint.js';
import { iptablesSync } from './benchmarks/iptables-sync.js';
import { podStartup } from './benchmarks/pod-startup.js';
import { readinessToRules } from './benchmarks/readiness.js';
import { scheduler } from './benchmarks/scheduler.js';
import { Cleanup } from './lib/cleanup.js';
import { describeMachine, fsyncLatencyMs, loadAverage } from './lib/machine.js';
import { renderProfileText, renderReport, renderTable, type LatestResults } from './report.js';
import type { Benchmark, BenchOutput, BenchResult } from './lib/types.js';

export const BENCHMARKS: Benchmark[] = [
  podStartup,
  scheduler,
  apiServer,
  iptablesSync,
  dns,
  readinessToRules,
  footprint,
];

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results');
const LATEST = join(RESULTS, 'latest.json');
const REPORT = join(ROOT, 'BENCHMARKS.md');

function log(line: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function usage(): string {
  return [
    'usage: bench/run.sh [--profile] [--no-write] [benchmark …] | bench/run.sh --report (re-render BENCHMARKS.md only)',
    `benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
  ].join('\n');
}

function readLatest(): LatestResults {
  if (!existsSync(LATEST)) return { benchmarks: {}, profiles: {} };
  const parsed = JSON.parse(readFileSync(LATEST, 'utf8')) as Partial<LatestResults>;
  return { machine: parsed.machine, benchmarks: parsed.benchmarks ?? {}, profiles: parsed.profiles ?? {} };
}

async function main(argv: string[]): Promise<number> {
  const profile = argv.includes('--profile');
  const write = !argv.includes('--no-write');
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage());
    return 0;
  }
  if (argv.includes('--report')) {
    // Only re-render BENCHMARKS.md from bench/results/latest.json (e.g. after merging results of separate runs).
    writeFileSync(
      REPORT,
      renderReport(
        readLatest(),
        BENCHMARKS.map((b) => b.name),
      ),
    );
    log(`wrote ${REPORT}`);
    return 0;
  }
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}\n${usage()}`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    console.error(
      'the benchmarks need root (network namespaces, dockerd, iptables): run `sudo npm run bench`',
    );
    return 2;
  }
  const selected = names.length ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS;
  const machine = await describeMachine();
  log(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, kernel ${machine.kernel}`,
  );
  const profileRoot = profile ? mkdtempSync('/var/tmp/skiff-bench-prof-') : undefined;

  let current: Cleanup | undefined;
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${sig}: cleaning up (again to exit at once)`);
    void (current?.runAll() ?? Promise.resolve()).finally(() => {
      if (profileRoot) rmSync(profileRoot, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const runAt = new Date().toISOString();
  const results: BenchResult[] = [];
  for (const bench of selected) {
    if (interrupted) break;
    const cleanup = new Cleanup((l) => log(`  ${l}`));
    current = cleanup;
    const profileDir = profileRoot ? join(profileRoot, bench.name) : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    log(`== ${bench.name}: ${bench.title}`);
    const startedAt = new Date().toISOString();
    const loadStart = loadAverage();
    const fsyncMsStart = fsyncLatencyMs();
    log(`  load average ${loadStart.join(', ')}; disk fsync ${fsyncMsStart} ms`);
    const t0 = performance.now();
    let out: BenchOutput;
    try {
      out = await bench.run({ cleanup, log: (l) => log(`  ${l}`), profileDir });
    } catch (err) {
      log(`  FAILED: ${(err as Error).stack ?? err}`);
      out = { params: {}, metrics: {}, tables: [], goals: [], notes: [], error: (err as Error).message };
    } finally {
      await cleanup.runAll();
    }
    const result: BenchResult = {
      name: bench.name,
      title: bench.title,
      startedAt,
      seconds: 0,
      loadStart,
      loadEnd: loadStart,
      fsyncMsStart,
      fsyncMsEnd: fsyncMsStart,
      profiled: profile,
      ...out,
    };
    result.seconds = Math.round((performance.now() - t0) / 100) / 10;
    result.loadEnd = loadAverage();
    result.fsyncMsEnd = fsyncLatencyMs();
    results.push(result);
    for (const t of result.tables) console.log(`\n${renderTable(t)}\n`);
    for (const g of result.goals) log(`  goal ${g.goal}: ${g.measured} (target ${g.target})`);
    for (const t of result.profileTables ?? []) console.log(`\n${renderTable(t)}\n`);
    for (const p of result.profiles ?? []) console.log(`\n${renderProfileText(p)}`);
  }
  current = undefined;
  if (profileRoot) rmSync(profileRoot, { recursive: true, force: true });

  if (write && results.length) {
    mkdirSync(RESULTS, { recursive: true });
    const stamp = runAt.replace(/[:.]/g, '-');
    writeFileSync(
      join(RESULTS, `${profile ? 'profile-' : ''}${stamp}.json`),
      JSON.stringify({ runAt, machine, profiled: profile, results }, null, 2) + '\n',
    );
    // Timestamped runs stay local (git ignores them); the ten newest are kept.
    const runs = readdirSync(RESULTS)
      .filter((f) => /^(profile-)?\d{4}-.*\.json$/.test(f))
      .sort((a, b) => a.replace(/^profile-/, '').localeCompare(b.replace(/^profile-/, '')));
    for (const f of runs.slice(0, -10)) rmSync(join(RESULTS, f), { force: true });
    const latest = readLatest();
    for (const r of results) {
      if (profile) {
        if (r.profiles?.length || r.profileTables?.length)
          latest.profiles[r.name] = {
            runAt: r.startedAt,
            benchmark: r.name,
            loadStart: r.loadStart,
            loadEnd: r.loadEnd,
            summaries: r.profiles ?? [],
            ...(r.profileTables?.length ? { tables: r.profileTables } : {}),
          };
      } else {
        latest.benchmarks[r.name] = r;
        latest.machine = machine;
      }
    }
    writeFileSync(LATEST, JSON.stringify(latest, null, 2) + '\n');
    writeFileSync(
      REPORT,
      renderReport(
        latest,
        BENCHMARKS.map((b) => b.name),
      ),
    );
    log(`wrote ${LATEST} and ${REPORT}`);
  }
  return results.some((r) => r.error) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
