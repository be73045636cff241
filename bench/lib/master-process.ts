// A real `skiff master` process (the built CLI, as deployed) on 127.0.0.1 with its store in a temp dir, for the
// API server and footprint benchmarks: the load generator stays in the runner's process, so the master's CPU and
// memory are its own. Optionally under `node --cpu-prof`. Stopped with SIGTERM (profile written), then removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODES } from '../../src/client/api-client.js';
import { accessFrom, clientFor, type ApiAccess } from './api-access.js';
import type { Cleanup } from './cleanup.js';
import { freePort, isAlive, spawnDaemon, stopPid, waitFor } from './proc.js';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface MasterProcess {
  pid: number;
  /** Server URL, CA and admin token (from <data-dir>/admin.kubeconfig when the master writes one). */
  access: ApiAccess;
  dir: string;
  /** SIGTERM and wait (the profile, if any, is written on exit); its temp dir goes with the run's cleanup. */
  stop(): Promise<void>;
}

export interface MasterProcessOptions {
  cleanup: Cleanup;
  /** Extra `skiff master` flags. */
  args?: string[];
  profileDir?: string;
}

export async function startMasterProcess(opts: MasterProcessOptions): Promise<MasterProcess> {
  const dir = mkdtempSync('/var/tmp/skiff-bench-master-');
  opts.cleanup.add(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const nodeArgs = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : [];
  const argv = [
    process.execPath,
    ...nodeArgs,
    CLI,
    'master',
    '--listen',
    `127.0.0.1:${port}`,
    '--data-dir',
    join(dir, 'data'),
    '--log-level',
    'warn',
    ...(opts.args ?? []),
  ];
  const pid = await spawnDaemon(argv, join(dir, 'master.log'));
  const stop = opts.cleanup.add(`master process ${pid}`, () => stopPid(pid, 20_000));
  const url = `http://127.0.0.1:${port}`;
  const kubeconfig = join(dir, 'data', 'admin.kubeconfig');
  const access = await waitFor(
    `the master on port ${port} (log ${dir}/master.log)`,
    async () => {
      if (!isAlive(pid)) throw new Error('the master exited');
      const a = accessFrom(url, kubeconfig);
      const client = clientFor(a, 2000);
      try {
        await client.list(NODES, undefined);
        return a;
      } finally {
        client.close();
      }
    },
    60_000,
    100,
  );
  return { pid, access, dir, stop };
}
