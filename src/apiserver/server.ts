// Starts the API server on a host:port: the service, the express app, the exec/attach WebSocket relay.
// With `security` (what `skiff master` always passes) it is secure by default: HTTPS with the cluster's serving
// certificate (made or renewed under <data-dir>/pki), bearer tokens, roles and the Node authorizer, the join and
// token endpoints, the master's client certificate towards the agents, and <data-dir>/admin.kubeconfig. Plain HTTP
// then exists only on an explicit loopback `insecureListen`, whose requests act as admin (Kubernetes' old insecure
// port). Without `security` — in-process tests only — it serves plain HTTP and lets everyone in.
// close() ends open watches and relayed streams so the process can exit.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import ipaddr from 'ipaddr.js';
import type { Registry } from '../api/registry.js';
import { defaultRegistry } from '../api/registry.js';
import { systemClock, type Clock } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { Store } from '../store/store.js';
import { createApp } from './app.js';
import type { RequestGuard } from './authentication.js';
import { ensureAdminKubeconfig } from './auth/admin-kubeconfig.js';
import { authRoutes } from './auth/auth-routes.js';
import { createAuthorizer } from './auth/authorizer.js';
import { ensureMasterPki, type MasterPki } from './auth/master-pki.js';
import { serviceNodeGraph } from './auth/node-graph.js';
import { createRequestGuard, InsecureSockets } from './auth/request-guard.js';
import { servingNames, tlsSanProblem } from './auth/sans.js';
import { checkInsecureListen, parseListen } from './listen-address.js';
import { TokenStore } from './auth/token-store.js';
import { attachExecProxy, type ExecProxy } from './exec-proxy.js';
import { kubernetesServiceIP } from './ip-allocator.js';
import {
  ensureKubernetesService,
  isUsableAdvertiseAddress,
  pickAdvertiseAddress,
} from './kubernetes-service.js';
import type { DefaultTolerationSeconds } from './admission-default-tolerations.js';
import { HttpNodeProxy, type NodeProxy } from './node-proxy.js';
import { ResourceService } from './resource-service.js';

export interface ApiServerSecurity {
  /** Where pki/ and admin.kubeconfig live (the master's data dir). */
  dataDir: string;
  /** Extra names and addresses for the serving certificate (--tls-san). */
  tlsSANs?: string[];
  /** host:port for plain HTTP; must be a loopback address. */
  insecureListen?: string;
}

export interface ApiServerOptions {
  /** host:port; port 0 picks a free one. HTTPS when `security` is given. */
  listen: string;
  store: Store;
  registry?: Registry;
  clock?: Clock;
  logger?: Logger;
  nodeProxy?: NodeProxy;
  security?: ApiServerSecurity;
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

/** What a secure API server hands its caller (the master, tests): how to reach it as admin, and its tokens. */
export interface ApiServerCredentials {
  caPem: string;
  caCertHash: string;
  adminToken: string;
  adminKubeconfig: string;
  tokens: TokenStore;
}

export interface RunningApiServer {
  /** https://host:port (http:// without `security`) with the real port. */
  url: string;
  /** http://host:port of the --insecure-listen server, when there is one. */
  insecureUrl?: string;
  credentials?: ApiServerCredentials;
  server: http.Server;
  service: ResourceService;
  close(): Promise<void>;
}

function urlOf(scheme: string, address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}`;
}

/** How local clients (admin.kubeconfig) dial a server listening on `address`: loopback for a wildcard address. */
function localUrl(address: AddressInfo): string {
  const wildcard = ipaddr.parse(address.address).range() === 'unspecified';
  return wildcard ? `https://127.0.0.1:${address.port}` : urlOf('https', address);
}

function listenOn(server: http.Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function interfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}

interface SecureParts {
  pki: MasterPki;
  tokens: TokenStore;
  guard: RequestGuard;
  insecure: InsecureSockets;
}

async function secureParts(
  security: ApiServerSecurity,
  opts: ApiServerOptions,
  service: ResourceService,
  host: string,
  advertiseAddress: string,
  clock: Clock,
  logger: Logger,
): Promise<SecureParts> {
  for (const san of security.tlsSANs ?? []) {
    const problem = tlsSanProblem(san);
    if (problem) throw new Error(problem);
  }
  const names = servingNames({
    hostnames: [os.hostname()],
    listenHost: host,
    interfaceAddresses: interfaceAddresses(),
    advertiseAddress,
    serviceIP: kubernetesServiceIP(opts.serviceCIDR),
    extra: security.tlsSANs,
  });
  const pki = await ensureMasterPki({ dataDir: security.dataDir, names, now: clock.now(), logger });
  const tokens = new TokenStore({ store: opts.store, clock });
  const insecure = new InsecureSockets();
  const guard = createRequestGuard({
    tokens,
    authorizer: createAuthorizer({ graph: serviceNodeGraph(service) }),
    insecure,
    logger: logger.child({ component: 'apiserver:auth' }),
  });
  return { pki, tokens, guard, insecure };
}

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const registry = opts.registry ?? defaultRegistry();
  const logger = (opts.logger ?? silentLogger).child({ component: 'apiserver' });
  const clock = opts.clock ?? systemClock;
  if (opts.advertiseAddress !== undefined && !isUsableAdvertiseAddress(opts.advertiseAddress)) {
    throw new Error(`advertise address must be a specific, non-loopback IP, got ${opts.advertiseAddress}`);
  }
  const { host, port } = parseListen(opts.listen);
  const insecureListen =
    opts.security?.insecureListen !== undefined
      ? checkInsecureListen(opts.security.insecureListen)
      : undefined;
  const advertiseAddress = opts.advertiseAddress ?? pickAdvertiseAddress(host, os.networkInterfaces());
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
  const secure = opts.security
    ? await secureParts(opts.security, opts, service, host, advertiseAddress, clock, logger)
    : undefined;
  const nodeProxy =
    opts.nodeProxy ??
    new HttpNodeProxy(
      secure
        ? {
            tls: {
              ca: secure.pki.ca.certPem,
              cert: secure.pki.kubeletClient.certPem,
              key: secure.pki.kubeletClient.keyPem,
            },
          }
        : {},
    );
  const app = createApp({
    store: opts.store,
    registry,
    clock,
    logger,
    nodeProxy,
    service,
    guard: secure?.guard,
    routes: secure
      ? [
          authRoutes({
            tokens: secure.tokens,
            pki: secure.pki,
            clock,
            logger: logger.child({ component: 'apiserver:auth' }),
          }),
        ]
      : [],
  });
  const server = secure
    ? https.createServer({ cert: secure.pki.apiserver.certPem, key: secure.pki.apiserver.keyPem }, app)
    : http.createServer(app);
  const relays: ExecProxy[] = [attachExecProxy(server, { service, nodeProxy, logger, guard: secure?.guard })];
  const address = await listenOn(server, host, port);
  const url = urlOf(secure ? 'https' : 'http', address);
  logger.info({ url }, 'API server listening');

  let insecureServer: http.Server | undefined;
  let insecureUrl: string | undefined;
  if (secure && insecureListen) {
    insecureServer = http.createServer(app);
    secure.insecure.track(insecureServer);
    relays.push(attachExecProxy(insecureServer, { service, nodeProxy, logger, guard: secure.guard }));
    insecureUrl = urlOf('http', await listenOn(insecureServer, insecureListen.host, insecureListen.port));
    logger.warn(
      { url: insecureUrl },
      'insecure (plain HTTP, no authentication) API server listening on loopback',
    );
  }

  try {
    await ensureKubernetesService(service, {
      clusterIP: kubernetesServiceIP(opts.serviceCIDR),
      port: address.port,
      advertiseAddress,
      logger,
    });
  } catch (err) {
    // The API still serves; pods just cannot reach it through 10.96.0.1 until the next start fixes this.
    logger.error({ err }, 'could not set up the kubernetes service');
  }

  let credentials: ApiServerCredentials | undefined;
  if (secure && opts.security) {
    const admin = await ensureAdminKubeconfig({
      dataDir: opts.security.dataDir,
      tokens: secure.tokens,
      server: localUrl(address),
      caPem: secure.pki.ca.certPem,
      logger,
    });
    credentials = {
      caPem: secure.pki.ca.certPem,
      caCertHash: secure.pki.caCertHash,
      adminToken: admin.token,
      adminKubeconfig: admin.path,
      tokens: secure.tokens,
    };
  }

  const closeServer = (s: http.Server) =>
    new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  return {
    url,
    ...(insecureUrl ? { insecureUrl } : {}),
    ...(credentials ? { credentials } : {}),
    server,
    service,
    close: async () => {
      service.endAllWatches();
      for (const r of relays) r.close();
      await Promise.all([closeServer(server), ...(insecureServer ? [closeServer(insecureServer)] : [])]);
    },
  };
}
