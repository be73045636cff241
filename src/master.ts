// Composition root of the master (`skiff master`): the cluster store, the API server over it, and the control
// plane components that talk to the API through the in-process client — the scheduler and the controller manager.
// This is the only place that wires them together; each part is built and tested on its own.
import { mkdirSync } from 'node:fs';
import { defaultRegistry } from './api/registry.js';
import { startApiServer } from './apiserver/server.js';
import { createInProcessClient } from './apiserver/in-process-client.js';
import { EventRecorder } from './client/event-recorder.js';
import { systemClock, type Clock } from './common/clock.js';
import { silentLogger, type Logger } from './common/logger.js';
import { ControllerManager } from './controllers/manager.js';
import { nodeLifecycleSettings, type NodeLifecycleProfile } from './controllers/nodelifecycle/settings.js';
import { Scheduler } from './scheduler/scheduler.js';
import { SqliteStore } from './store/sqlite-store.js';

export interface MasterOptions {
  /** host:port for the API server (port 0 picks a free one). */
  listen: string;
  /** Where the SQLite store lives. */
  dataDir: string;
  logger?: Logger;
  clock?: Clock;
  /** Pod range nodes get their podCIDRs from (default 10.244.0.0/16) and each node's prefix length (default 24). */
  clusterCIDR?: string;
  nodeCIDRMaskSize?: number;
  /** Service range for ClusterIPs (default 10.96.0.0/12). */
  serviceCIDR?: string;
  /** NodePort range, e.g. 30000-32767 (the default). */
  serviceNodePortRange?: string;
  /** The address pods reach the API server at; default: derived from the listen host (see startApiServer). */
  advertiseAddress?: string;
  /**
   * Node failure timing: `lab` (default: Unknown after 10 s of silence, pods evicted 5 s later) or `kubernetes`
   * (upstream's 50 s and 300 s); the four values below override single settings of the profile.
   */
  profile?: NodeLifecycleProfile;
  nodeMonitorGracePeriodMs?: number;
  nodeMonitorPeriodMs?: number;
  defaultNotReadyTolerationSeconds?: number;
  defaultUnreachableTolerationSeconds?: number;
}

export interface RunningMaster {
  url: string;
  stop(): Promise<void>;
}

export async function startMaster(opts: MasterOptions): Promise<RunningMaster> {
  const logger = opts.logger ?? silentLogger;
  const clock = opts.clock ?? systemClock;
  const lifecycle = nodeLifecycleSettings(opts.profile, {
    nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs,
    nodeMonitorPeriodMs: opts.nodeMonitorPeriodMs,
    defaultNotReadyTolerationSeconds: opts.defaultNotReadyTolerationSeconds,
    defaultUnreachableTolerationSeconds: opts.defaultUnreachableTolerationSeconds,
  });
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const store = SqliteStore.open({ dataDir: opts.dataDir, logger: logger.child({ component: 'store' }) });
  const api = await startApiServer({
    listen: opts.listen,
    store,
    registry: defaultRegistry(),
    clock,
    logger,
    serviceCIDR: opts.serviceCIDR,
    nodePortRange: opts.serviceNodePortRange,
    advertiseAddress: opts.advertiseAddress,
    defaultTolerationSeconds: {
      notReady: lifecycle.defaultNotReadyTolerationSeconds,
      unreachable: lifecycle.defaultUnreachableTolerationSeconds,
    },
  });
  const client = createInProcessClient(api.service);

  const scheduler = new Scheduler({
    client,
    clock,
    logger,
    recorder: new EventRecorder({ client, component: 'default-scheduler', clock, logger }),
  });
  const controllers = new ControllerManager({
    client,
    clock,
    logger,
    clusterCIDR: opts.clusterCIDR,
    nodeCIDRMaskSize: opts.nodeCIDRMaskSize,
    serviceCIDR: opts.serviceCIDR,
    nodeLifecycle: lifecycle,
  });
  await scheduler.start();
  await controllers.start();
  logger.info(
    { url: api.url, dataDir: opts.dataDir, profile: opts.profile ?? 'lab', nodeLifecycle: lifecycle },
    'master running',
  );

  return {
    url: api.url,
    async stop() {
      scheduler.stop();
      await controllers.stop();
      await api.close();
      await store.close();
    },
  };
}
