// Composition root of the master (`skiff master`): the cluster store, the API server over it, and the control
// plane components that talk to the API through the in-process client — the scheduler and the controller manager.
// This is the only place that wires them together; each part is built and tested on its own. Secure by default:
// the API server serves HTTPS with the cluster CA under <data-dir>/pki, checks bearer tokens and roles, and writes
// <data-dir>/admin.kubeconfig; the scheduler and controllers are trusted and bypass HTTP (in-process client).
import { mkdirSync } from 'node:fs';
import { defaultRegistry } from './api/registry.js';
import { startApiServer, type ApiServerCredentials } from './apiserver/server.js';
import { createInProcessClient } from './apiserver/in-process-client.js';
import { EventRecorder } from './client/event-recorder.js';
import { InformerFactory } from './client/informer-factory.js';
import { systemClock, type Clock } from './common/clock.js';
import { silentLogger, type Logger } from './common/logger.js';
import { ControllerManager } from './controllers/manager.js';
import { nodeLifecycleSettings, type NodeLifecycleProfile } from './controllers/nodelifecycle/settings.js';
import { Scheduler } from './scheduler/scheduler.js';
import { EncryptingStore } from './store/encrypting-store.js';
import { SqliteStore } from './store/sqlite-store.js';

export interface MasterOptions {
  /** host:port for the API server over HTTPS (port 0 picks a free one). */
  listen: string;
  /** host:port for plain HTTP without authentication; refused unless it is a loopback address. */
  insecureListen?: string;
  /** Extra DNS names / IPs for the serving certificate (--tls-san). */
  tlsSANs?: string[];
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
  /** https://host:port */
  url: string;
  /** http://host:port of --insecure-listen, when given. */
  insecureUrl?: string;
  /** The CA, its hash, the admin token and admin.kubeconfig's path, and the token store (tests make join tokens). */
  credentials: ApiServerCredentials;
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
  const storeLog = logger.child({ component: 'store' });
  // Secrets are encrypted at rest with <dataDir>/encryption.key (0600, created on first start).
  const store = await EncryptingStore.open(SqliteStore.open({ dataDir: opts.dataDir, logger: storeLog }), {
    dataDir: opts.dataDir,
    logger: storeLog,
  });
  const api = await startApiServer({
    listen: opts.listen,
    security: { dataDir: opts.dataDir, tlsSANs: opts.tlsSANs, insecureListen: opts.insecureListen },
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
  if (!api.credentials) throw new Error('the API server started without its credentials');
  const credentials = api.credentials;
  const client = createInProcessClient(api.service);
  // One set of informers for the scheduler and the controllers: every pod and node is cached (and watched) once.
  const informers = new InformerFactory({ client, clock, logger: logger.child({ component: 'informers' }) });

  const scheduler = new Scheduler({
    client,
    informers,
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
    informers,
  });
  await scheduler.start();
  await controllers.start();
  logger.info(
    {
      url: api.url,
      insecureUrl: api.insecureUrl,
      dataDir: opts.dataDir,
      adminKubeconfig: credentials.adminKubeconfig,
      caCertHash: credentials.caCertHash,
      profile: opts.profile ?? 'lab',
      nodeLifecycle: lifecycle,
    },
    'master running',
  );

  return {
    url: api.url,
    ...(api.insecureUrl ? { insecureUrl: api.insecureUrl } : {}),
    credentials,
    async stop() {
      scheduler.stop();
      await controllers.stop();
      informers.stop();
      await api.close();
      await store.close();
    },
  };
}
