// A Mounter that keeps a mount table in memory and records every call, for the volume manager's unit tests. It does
// not mount anything: files written under a "mounted" path land in the (temporary) directory itself.
import type { Mounter } from '../../agent/kubelet/mounter.js';

export class FakeMounter implements Mounter {
  readonly mounted = new Set<string>();
  readonly calls: string[] = [];
  /** The next call of this kind fails with this error. */
  failNext?: { op: 'mount' | 'unmount'; error: Error };

  async mountTmpfs(target: string): Promise<void> {
    this.calls.push(`mount tmpfs ${target}`);
    this.maybeFail('mount');
    if (this.mounted.has(target)) throw new Error(`${target} is already mounted`);
    this.mounted.add(target);
  }

  async unmount(target: string): Promise<void> {
    this.calls.push(`umount ${target}`);
    this.maybeFail('unmount');
    if (!this.mounted.delete(target)) throw new Error(`umount: ${target}: not mounted`);
  }

  async mountPointsUnder(dir: string): Promise<string[]> {
    return [...this.mounted]
      .filter((p) => p === dir || p.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length);
  }

  private maybeFail(op: 'mount' | 'unmount'): void {
    if (this.failNext?.op !== op) return;
    const { error } = this.failNext;
    this.failNext = undefined;
    throw error;
  }
}
