// What every benchmark gets (a context) and gives back (a result the report renders): parameters, structured
// metrics, the markdown tables, each goal of issue 7 with the measured figure, notes on method, and CPU profile
// summaries when the run was profiled.
import type { Cleanup, Log } from './cleanup.js';
import type { LoadAverage } from './machine.js';
import type { ProfileSummary } from './profile.js';

export interface BenchContext {
  cleanup: Cleanup;
  log: Log;
  /** Set when the run profiles: a directory for `--cpu-prof` files. */
  profileDir?: string;
}

export interface Table {
  title?: string;
  head: string[];
  rows: (string | number)[][];
}

export interface GoalResult {
  goal: string;
  target: string;
  measured: string;
  /** null: not measured (the step failed or was skipped). */
  met: boolean | null;
}

export interface BenchOutput {
  params: Record<string, number | string>;
  metrics: Record<string, unknown>;
  tables: Table[];
  goals: GoalResult[];
  notes: string[];
  profiles?: ProfileSummary[];
  /** Extra findings of a profiled run (e.g. engine calls per pod), shown with its profiles. */
  profileTables?: Table[];
  /** Part of the benchmark failed (the rest of the output stands). */
  error?: string;
}

export interface BenchResult extends BenchOutput {
  name: string;
  title: string;
  startedAt: string;
  seconds: number;
  loadStart: LoadAverage;
  loadEnd: LoadAverage;
  /** 4 KiB write + fdatasync, median ms, at the start and the end. */
  fsyncMsStart: number;
  fsyncMsEnd: number;
  profiled: boolean;
}

export interface Benchmark {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchOutput>;
}

/** A size from the environment (BENCH_*), or the default. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return n;
}

export function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  return raw.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a comma-separated list of sizes`);
    return n;
  });
}

export function fmt(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return 'n/a';
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
