// Facts about the host the node reports (capacity, addresses, system info), behind an interface so node-status.ts
// is tested with fixed values. systemHostInfo reads them from Node's os module, /etc and /proc.
import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';

export interface HostInfo {
  cpus(): number;
  memoryBytes(): number;
  /** Size of the file system holding `path`, in bytes. */
  diskBytes(path: string): number;
  kernelVersion(): string;
  osImage(): string;
  /** Kubernetes architecture names: amd64, arm64, … */
  architecture(): string;
  machineID(): string;
  bootID(): string;
  /** The first non-internal IPv4 address, if any. */
  defaultIPv4(): string | undefined;
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  s390x: 's390x',
  ppc64: 'ppc64le',
};

export const systemHostInfo: HostInfo = {
  cpus: () => os.cpus().length,
  memoryBytes: () => os.totalmem(),
  diskBytes: (path) => {
    const s = statfsSync(path);
    return s.blocks * s.bsize;
  },
  kernelVersion: () => os.release(),
  osImage: () => {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readTrimmed('/etc/os-release'));
    return m ? m[1] : `${os.type()} ${os.release()}`;
  },
  architecture: () => ARCH[os.arch()] ?? os.arch(),
  machineID: () => readTrimmed('/etc/machine-id'),
  bootID: () => readTrimmed('/proc/sys/kernel/random/boot_id'),
  defaultIPv4: () => {
    for (const list of Object.values(os.networkInterfaces())) {
      for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
    }
    return undefined;
  },
};
