// Running host commands (ip, iptables, iptables-restore) for the network adapters: the only place in
// agent/network that touches child_process. With `netns` every command runs inside that network namespace
// (`nsenter --net=/run/netns/<name> --`), which is how the tests keep their hands off the host's routes and rules.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (never rejects for a non-zero exit; rejects only if it cannot be started). */
export type CommandRunner = (cmd: string, args: string[], input?: string) => Promise<CommandResult>;

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: CommandResult,
  ) {
    super(`${command} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
    this.name = 'CommandError';
  }
}

/** A stuck command (say, waiting for the xtables lock) is killed after this long. */
const TIMEOUT_MS = 30_000;

/** A CommandRunner (the benchmarks also give it their own timeout and environment). */
export function runCommand(
  cmd: string,
  args: string[],
  input?: string | Buffer,
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? TIMEOUT_MS,
      env: opts.env ?? process.env,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\nkilled by ${signal}` : ''),
      }),
    );
    child.stdin.on('error', () => {}); // a command that exits without reading its input
    child.stdin.end(input ?? '');
  });
}

/** The netns file for a name (`skt-1` → /run/netns/skt-1) or a path given as is. */
export function netnsPath(netns: string): string {
  return netns.includes('/') ? netns : `/run/netns/${netns}`;
}

/** A runner that runs every command inside `netns` (or the given runner unchanged when netns is undefined). */
export function inNetns(netns: string | undefined, run: CommandRunner = runCommand): CommandRunner {
  if (!netns) return run;
  const path = netnsPath(netns);
  return (cmd, args, input) => run('nsenter', [`--net=${path}`, '--', cmd, ...args], input);
}

/** Runs and throws CommandError unless the exit code is 0; returns stdout. */
export async function mustRun(
  run: CommandRunner,
  cmd: string,
  args: string[],
  input?: string,
): Promise<string> {
  const res = await run(cmd, args, input);
  if (res.code !== 0) throw new CommandError(`${cmd} ${args.join(' ')}`, res);
  return res.stdout;
}
