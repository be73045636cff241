// In-memory kernel settings behind the Sysctl interface (agent/network/sysctl.ts). Keys that were never seeded
// do not exist (like /proc/sys/net/bridge/* without br_netfilter); writes can be made to fail.
import type { Sysctl } from '../../agent/network/sysctl.js';

export class FakeSysctl implements Sysctl {
  /** `set key=value`, in order. */
  readonly writes: string[] = [];
  private readonly values: Map<string, string>;
  private failWrites: string | undefined;

  constructor(initial: Record<string, string> = {}) {
    this.values = new Map(Object.entries(initial));
  }

  value(key: string): string | undefined {
    return this.values.get(key);
  }

  /** Every set() fails with `message` (e.g. a read-only /proc/sys) until called with undefined. */
  failSets(message: string | undefined): void {
    this.failWrites = message;
  }

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    if (this.failWrites) throw new Error(this.failWrites);
    if (!this.values.has(key)) throw new Error(`ENOENT: no such file or directory, open '/proc/sys/${key}'`);
    this.writes.push(`${key}=${value}`);
    this.values.set(key, value);
  }
}
