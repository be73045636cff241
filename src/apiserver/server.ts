// Starts the API server on a host:port: the service, the express app, the exec/attach WebSocket relay.
// close() ends open watches and relayed streams so the process can exit.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { Registry } from '../api/registry.js';
import { defaultRegistry } from '../api/registry.js';
import { systemClock, type Clock } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { Store } from '../store/store.js';
import { createApp } from './app.js';
import type { Authenticate } from './authentication.js';
import { attachExecProxy } from './exec-proxy.js';
import { kubernetesServiceIP } from './ip-allocator.js';
import {
  ensureKubernetesService,
  isUsableAdvertiseAddress,
  pickAdvertiseAddress,
} from './kubernetes-service.js';
import type { DefaultTolerationSeconds } from './admission-default-tolerations.js';
import { HttpNodeProxy, type NodeProxy } from './node-proxy.js';
import { ResourceService } from './resource-service.js';

export interface ApiServerOptions {
  /** host:port; port 0 picks a free one. */
  listen: string;
  store: Store;
  registry?: Registry;
  clock?: Clock;
  logger?: Logger;
  nodeProxy?: NodeProxy;
  authenticate?: Authenticate;
  /** Service ClusterIP range (--service-cluster-ip-range); default 10.96.0.0/12. */
  serviceCIDR?: string;
  /** NodePort range (--service-node-port-range); default 30000-32767. */
  nodePortRange?: string;
  /**
   * The address pods reach the API server at (the `kubernetes` Endpoints); default: the listen host when it is
   * a specific non-loopback address, else the machine's first non-internal IPv4 address.
   */
  advertiseAddress?: string;
  /** --default-{not-ready,unreachable}-toleration-seconds for new pods; unset: no default tolerations. */
  defaultTolerationSeconds?: DefaultTolerationSeconds;
}

export interface RunningApiServer {
  /** http://host:port with the real port. */
  url: string;
  server: http.Server;
  service: ResourceService;
  close(): Promise<void>;
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen.trim());
  if (!m) throw new Error(`listen address must be host:port, got ${JSON.stringify(listen)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`port out of range in ${JSON.stringify(listen)}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const registry = opts.registry ?? defaultRegistry();
  const logger = (opts.logger ?? silentLogger).child({ component: 'apiserver' });
  const clock = opts.clock ?? systemClock;
  const nodeProxy = opts.nodeProxy ?? new HttpNodeProxy();
  if (opts.advertiseAddress !== undefined && !isUsableAdvertiseAddress(opts.advertiseAddress)) {
    throw new Error(`advertise address must be a specific, non-loopback IP, got ${opts.advertiseAddress}`);
  }
  const service = new ResourceService({
    store: opts.store,
    registry,
    clock,
    logger,
    serviceCIDR: opts.serviceCIDR,
    nodePortRange: opts.nodePortRange,
    defaultTolerationSeconds: opts.defaultTolerationSeconds,
  });
  await service.ensureSystemNamespaces();
  const app = createApp({
    store: opts.store,
    registry,
    clock,
    logger,
    nodeProxy,
    service,
    authenticate: opts.authenticate,
  });
  const server = http.createServer(app);
  const exec = attachExecProxy(server, { service, nodeProxy, logger, authenticate: opts.authenticate });

  const { host, port } = parseListen(opts.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logger.info({ url: `http://${urlHost}:${address.port}` }, 'API server listening');
  try {
    await ensureKubernetesService(service, {
      clusterIP: kubernetesServiceIP(opts.serviceCIDR),
      port: address.port,
      advertiseAddress: opts.advertiseAddress ?? pickAdvertiseAddress(host, os.networkInterfaces()),
      logger,
    });
  } catch (err) {
    // The API still serves; pods just cannot reach it through 10.96.0.1 until the next start fixes this.
    logger.error({ err }, 'could not set up the kubernetes service');
  }

  return {
    url: `http://${urlHost}:${address.port}`,
    server,
    service,
    close: async () => {
      service.endAllWatches();
      exec.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
