// The machine a run was measured on, for the report: CPU, cores, memory, kernel, OS, Docker, Node, iptables, and
// the load average and the disk's fsync time (the machine is shared: both say how much to trust a number).
import { closeSync, fdatasyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import { run } from './proc.js';
import { median, round } from './stats.js';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  os: string;
  docker: string;
  node: string;
  iptables: string;
  virtualization?: string;
}

export type LoadAverage = [number, number, number];

export function loadAverage(): LoadAverage {
  return os.loadavg().map((x) => Math.round(x * 100) / 100) as LoadAverage;
}

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function describeMachine(): Promise<MachineInfo> {
  const docker = await run([
    'docker',
    'version',
    '--format',
    '{{.Server.Version}} (API {{.Server.APIVersion}})',
  ]);
  const ipt = await run(['iptables', '--version']);
  const lscpu = await run(['lscpu']);
  const hyper = /^Hypervisor vendor:\s+(.*)$/m.exec(lscpu.stdout)?.[1];
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    os: osName(),
    docker: docker.code === 0 ? docker.stdout.trim() : 'unavailable',
    node: process.version,
    iptables: ipt.code === 0 ? ipt.stdout.trim() : 'unavailable',
    ...(hyper ? { virtualization: `${hyper} guest` } : {}),
  };
}

/**
 * Median time (ms) of a 4 KiB write + fdatasync in /var/tmp (where the benchmarks keep their stores): what every
 * durable store commit waits for. On a shared machine it swings by 10× with the other users' I/O, so each
 * benchmark records it at its start and end.
 */
export function fsyncLatencyMs(samples = 40): number {
  const file = `/var/tmp/skiff-bench-fsync-${process.pid}`;
  const fd = openSync(file, 'w');
  const buf = Buffer.alloc(4096, 7);
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const t = performance.now();
      writeSync(fd, buf, 0, buf.length, (i % 16) * 4096);
      fdatasyncSync(fd);
      times.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return round(median(times), 2);
}
