// The Firewall adapter: runs iptables-restore / iptables-save / iptables as child processes, optionally inside a
// named network namespace (`nsenter --net=/run/netns/<name>`, as the lab and the tests need; not `ip netns exec`,
// which remounts /sys: NETLAB P2). The only place the proxy touches child_process.
import { spawn } from 'node:child_process';
import { internalError } from '../../src/common/errors.js';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import type { Firewall, IptablesTable, RuleSpec } from './firewall.js';
import { isNftBackend, withWholeTableCache } from './nft-restore.js';

export interface IptablesFirewallOptions {
  /** Name of a network namespace under /run/netns to act in; the agent's own namespace when absent. */
  netns?: string;
  logger?: Logger;
  /** Kill a command that runs longer than this (default 60 s). */
  timeoutMs?: number;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Seconds to wait for the xtables lock held by another iptables user (Docker, the network agent). */
const LOCK_WAIT = ['-w', '5'];

export class IptablesFirewall implements Firewall {
  private readonly prefix: string[];
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private nft: Promise<boolean> | undefined;

  constructor(opts: IptablesFirewallOptions = {}) {
    if (opts.netns !== undefined && !/^[A-Za-z0-9_.-]+$/.test(opts.netns)) {
      throw internalError(`invalid network namespace name "${opts.netns}"`);
    }
    this.prefix = opts.netns ? ['nsenter', `--net=/run/netns/${opts.netns}`, '--'] : [];
    this.log = opts.logger ?? silentLogger;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  async restore(rules: string): Promise<void> {
    const batch = (await this.nftBackend()) ? withWholeTableCache(rules) : rules;
    // stdout is only the `-S` listing the workaround may add (nft-restore.ts): not kept.
    const r = await this.run('iptables-restore', [...LOCK_WAIT, '--noflush'], batch, false);
    if (r.code !== 0) throw internalError(`iptables-restore failed (exit ${r.code}): ${r.stderr.trim()}`);
  }

  async save(table: IptablesTable): Promise<string> {
    const r = await this.run('iptables-save', ['-t', table]);
    if (r.code !== 0)
      throw internalError(`iptables-save -t ${table} failed (exit ${r.code}): ${r.stderr.trim()}`);
    return r.stdout;
  }

  async hasRule(rule: RuleSpec): Promise<boolean> {
    const r = await this.run('iptables', [...LOCK_WAIT, '-t', rule.table, '-C', rule.chain, ...rule.args]);
    if (r.code === 0) return true;
    // 1: no such rule (or chain). 2 with "does not exist": the jump target chain is missing, so the rule is too.
    // "incompatible" is iptables-nft's odd wording for a missing chain (NETLAB P18).
    if (r.code === 1 || /does not exist|incompatible/.test(r.stderr)) return false;
    throw internalError(`iptables -C ${rule.chain} failed (exit ${r.code}): ${r.stderr.trim()}`);
  }

  async insertRule(rule: RuleSpec): Promise<void> {
    await this.mustRun([...LOCK_WAIT, '-t', rule.table, '-I', rule.chain, '1', ...rule.args]);
  }

  async deleteRule(rule: RuleSpec): Promise<void> {
    await this.mustRun([...LOCK_WAIT, '-t', rule.table, '-D', rule.chain, ...rule.args]);
  }

  private async mustRun(args: string[]): Promise<void> {
    const r = await this.run('iptables', args);
    if (r.code !== 0)
      throw internalError(`iptables ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  }

  /** Whether iptables-restore is iptables-nft (asked once). */
  private nftBackend(): Promise<boolean> {
    this.nft ??= this.run('iptables-restore', ['--version']).then(
      (r) => r.code === 0 && isNftBackend(r.stdout + r.stderr),
      () => false,
    );
    return this.nft;
  }

  private run(cmd: string, args: string[], input?: string, keepStdout = true): Promise<RunResult> {
    const argv = [...this.prefix, cmd, ...args];
    this.log.debug({ cmd: argv.slice(0, this.prefix.length + 4).join(' ') }, 'run');
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), {
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: this.timeoutMs,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => keepStdout && out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) => reject(internalError(`${cmd}: ${e.message}`)));
      child.on('close', (code, signal) =>
        resolve({
          code: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8') + (signal ? ` (killed by ${signal})` : ''),
        }),
      );
      // A child that dies before reading its input makes stdin emit EPIPE; the exit status tells the story.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? '');
    });
  }
}
