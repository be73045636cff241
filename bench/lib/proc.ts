// Processes for the benchmarks: run a command and collect its output, start a daemon in its own session with its
// log in a file, read a process's memory from /proc, stop a process by PID (SIGTERM, then SIGKILL) and wait until
// it is gone (a zombie counts as gone: this machine's PID 1 reaps orphans late, NETLAB P14).
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { runCommand, type CommandResult } from '../../agent/network/command.js';
import { systemClock } from '../../src/common/clock.js';
import { waitFor as pollUntil } from '../../src/common/wait-for.js';

export type RunResult = CommandResult;

/** Runs a command to completion (agent/network/command.ts); one that cannot be started reports exit code 127. */
export function run(
  argv: string[],
  opts: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return runCommand(argv[0], argv.slice(1), opts.input, {
    timeoutMs: opts.timeoutMs ?? 120_000,
    ...(opts.env ? { env: opts.env } : {}),
  }).catch((e: Error) => ({ code: 127, stdout: '', stderr: e.message }));
}

/** Runs a command and throws with its output when it fails. */
export async function mustRun(argv: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}) {
  const r = await run(argv, opts);
  if (r.code !== 0)
    throw new Error(`\`${argv.join(' ')}\` failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
  return r;
}

/** Starts a long-running process in its own session (a Ctrl-C of the runner does not reach it); returns its PID. */
export async function spawnDaemon(
  argv: string[],
  logFile: string,
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<number> {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(argv[0], argv.slice(1), {
      detached: true,
      stdio: ['ignore', fd, fd],
      cwd: opts.cwd ?? '/',
      env: opts.env ?? process.env,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    return child.pid!;
  } finally {
    closeSync(fd);
  }
}

export interface ProcMemory {
  /** Peak resident set size (VmHWM), MiB. */
  peakMiB: number;
  /** Current resident set size (VmRSS), MiB. */
  rssMiB: number;
}

/** VmHWM and VmRSS of a live process, or undefined when it is gone. */
export function procMemory(pid: number): ProcMemory | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { peakMiB: Math.round(kb('VmHWM') / 102.4) / 10, rssMiB: Math.round(kb('VmRSS') / 102.4) / 10 };
}

export function procCmdline(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Signals one PID, waits up to timeoutMs for it to go, then SIGKILLs it and waits again. */
export async function stopPid(pid: number, timeoutMs = 15_000, signal: NodeJS.Signals = 'SIGTERM') {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = performance.now() + timeoutMs;
  while (isAlive(pid) && performance.now() < deadline) await sleep(50);
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  const hard = performance.now() + 5000;
  while (isAlive(pid) && performance.now() < hard) await sleep(50);
  if (isAlive(pid)) throw new Error(`process ${pid} survived SIGKILL`);
}

/** Polls `check` until it returns a value, on the real clock; errors count as "not yet" (src/common/wait-for.ts). */
export function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  return pollUntil(systemClock, what, check, timeoutMs, intervalMs);
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; NaN when it is gone. */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Clock ticks per second of /proc times (USER_HZ; 100 on Linux). */
export const CLK_TCK = 100;

/** Measures the CPU share (% of one core) of a process and of this one over `fn`. */
export async function cpuShare<T>(
  pid: number,
  fn: () => Promise<T>,
): Promise<{ result: T; serverPct: number; selfPct: number; seconds: number }> {
  const p0 = procCpuSeconds(pid);
  const s0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(s0);
  return {
    result,
    seconds,
    serverPct: Math.round((100 * (procCpuSeconds(pid) - p0)) / seconds),
    selfPct: Math.round((100 * (self.user + self.system)) / 1e6 / seconds),
  };
}
