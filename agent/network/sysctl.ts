// Kernel settings the pod network needs, behind a small interface (fake: test/fakes/fake-sysctl.ts). Both are
// per network namespace on current kernels (NETLAB §0), so an agent running in a lab node's netns sets its own:
//   net.ipv4.ip_forward=1                   the node routes between the pod bridge and its LAN;
//   net.bridge.bridge-nf-call-iptables=1    bridged pod-to-pod frames pass iptables, so the reply of a service
//                                           call to a same-node backend is un-DNATed (NETLAB P7).
// The adapter writes /proc/sys; with `netns` it runs cat/tee inside that namespace, because /proc/sys/net shows
// the namespace of the process that opens it.
import { readFile, writeFile } from 'node:fs/promises';
import { inNetns, mustRun, runCommand, type CommandRunner } from './command.js';

export interface Sysctl {
  /** The current value (trimmed), or undefined if the key does not exist (e.g. br_netfilter not loaded). */
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export const POD_NETWORK_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_forward': '1',
  'net.bridge.bridge-nf-call-iptables': '1',
};

/** `net.ipv4.ip_forward` → `/proc/sys/net/ipv4/ip_forward` (only plain key characters are accepted). */
export function sysctlPath(key: string): string {
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/i.test(key)) throw new Error(`bad sysctl key ${JSON.stringify(key)}`);
  return `/proc/sys/${key.replaceAll('.', '/')}`;
}

export class ProcSysctl implements Sysctl {
  private readonly run: CommandRunner | undefined;

  constructor(opts: { netns?: string; run?: CommandRunner } = {}) {
    this.run = opts.netns ? inNetns(opts.netns, opts.run ?? runCommand) : undefined;
  }

  async get(key: string): Promise<string | undefined> {
    const path = sysctlPath(key);
    if (this.run) {
      const res = await this.run('cat', [path]);
      return res.code === 0 ? res.stdout.trim() : undefined;
    }
    try {
      return (await readFile(path, 'utf8')).trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async set(key: string, value: string): Promise<void> {
    const path = sysctlPath(key);
    if (this.run) await mustRun(this.run, 'tee', [path], `${value}\n`);
    else await writeFile(path, `${value}\n`);
  }
}
