// The Mounter adapter for Linux: mount(8) and umount(8), and /proc/self/mountinfo for what is mounted. The agent
// shares the host's mount namespace with the container engine (also in the lab, whose nodes only get their own
// network and UTS namespaces), so a tmpfs mounted here is what Docker bind-mounts into the pod's containers.
import { promises as fs } from 'node:fs';
import { isUnder, parseMountPoints } from '../../src/lab/host-parse.js';
import { mustRun, runCommand, type CommandRunner } from '../network/command.js';
import type { Mounter } from './mounter.js';

export class LinuxMounter implements Mounter {
  constructor(
    private readonly run: CommandRunner = runCommand,
    private readonly mountinfo: () => Promise<string> = () => fs.readFile('/proc/self/mountinfo', 'utf8'),
  ) {}

  async mountTmpfs(target: string): Promise<void> {
    await mustRun(this.run, 'mount', ['-t', 'tmpfs', '-o', 'mode=0755,nosuid,nodev', 'tmpfs', target]);
  }

  async unmount(target: string): Promise<void> {
    await mustRun(this.run, 'umount', [target]);
  }

  async mountPointsUnder(dir: string): Promise<string[]> {
    // mountinfo shows resolved paths: compare against the real path of `dir`, answer in terms of `dir`.
    const real = await fs.realpath(dir).catch(() => dir);
    const points = parseMountPoints(await this.mountinfo()).filter((p) => isUnder(p, real));
    return [...new Set(points)]
      .sort((a, b) => b.length - a.length)
      .map((p) => (real === dir ? p : dir + p.slice(real.length)));
  }
}
