// The node agent's composition root (`skiff agent`): the Docker runtime, the API client, the node status
// (registration + heartbeat), the pod network (bridge, routes, forward/masquerade rules), kube-proxy (service
// rules), the kubelet loop and the agent server for logs/exec (HTTPS for the master only, with the credential from
// joining: join.ts). Stopping it stops the loops and the server and removes its iptables rules and routes, but
// leaves the pods' containers running: the next agent adopts them.
// Resilience: the agent waits for a Docker engine that is not up yet; when the engine restarts under it, the
// kubelet resyncs every pod and the agent re-checks the pod network, the proxy's rules and the node status at once;
// when the master is away, everything keeps running on cached state and retries quietly.
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { HttpApiClient } from '../src/client/http-api-client.js';
import { EventRecorder } from '../src/client/event-recorder.js';
import { systemClock, type Clock } from '../src/common/clock.js';
import { componentLogger, createLogger, type Logger } from '../src/common/logger.js';
import type { ContainerRuntime, RuntimeVersion } from './runtime/container-runtime.js';
import { DockerContainerRuntime } from './runtime/docker-container-runtime.js';
import { DEFAULT_PAUSE_IMAGE, ensurePauseImage } from './runtime/pause-image.js';
import { systemHostInfo } from './kubelet/host-info.js';
import { Kubelet } from './kubelet/kubelet.js';
import { NodeLease } from './kubelet/node-lease.js';
import { NodeStatusManager } from './kubelet/node-status.js';
import { createAgentServer } from './kubelet/server.js';
import { ensureNodeCredentials } from './join.js';
import { NetworkAgent, cleanupPodNetwork } from './network/network-agent.js';
import { DockerodeNetworks } from './network/dockerode-networks.js';
import { IpRoutes } from './network/ip-routes.js';
import { ProcSysctl } from './network/sysctl.js';
import { POD_NETWORK_NAME, PodNetworkManager } from './network/pod-network.js';
import { IptablesFirewall } from './proxy/iptables-firewall.js';
import { Proxier, cleanupProxyRules } from './proxy/proxier.js';
import { DnsServer } from './dns/dns-server.js';
import { InformerDnsSource } from './dns/dns-source.js';
import { InformerFactory } from '../src/client/informer-factory.js';
import { ENDPOINTS, SERVICES } from '../src/client/api-client.js';
import type { Endpoints, Service } from '../src/api/types.js';

export interface AgentOptions {
  masterUrl: string;
  nodeName: string;
  /** The address other nodes and the master reach this node at (default: the first non-internal IPv4). */
  nodeIP?: string;
  /** Port of the agent server (logs, exec); default 10250; 0 picks a free one. */
  port?: number;
  dockerSocket?: string;
  /** Default /var/lib/skiff/agent; emptyDir volumes live under <dataDir>/pods. */
  dataDir?: string;
  /**
   * An existing Docker network for pods, used as it is (e.g. `bridge`). When absent (the default) the agent manages
   * the pod network itself: the `skiff` bridge on the node's podCIDR, routes to other nodes and forward rules.
   */
  podNetwork?: string;
  /** The cluster's pod range (default 10.244.0.0/16) and service range (default 10.96.0.0/12). */
  clusterCIDR?: string;
  serviceCIDR?: string;
  /** Run kube-proxy (service rules in iptables); default true. */
  proxy?: boolean;
  /**
   * Serve cluster DNS on the pod bridge gateway (10.244.N.1:53) and point pods at it; default true when the agent
   * manages the pod network. `clusterDNS` overrides the address pods use.
   */
  dns?: boolean;
  /** Addresses NodePorts answer on (default: every local address but loopback). */
  nodePortAddresses?: string[];
  /** Default skiff/pause:3.10, built locally from the host's busybox when missing. */
  pauseImage?: string;
  clusterDNS?: string[];
  clusterDomain?: string;
  /**
   * For an https master: the join token for the first start (later starts use the saved node credential, see
   * join.ts). For a plain-http master (--insecure-listen, tests): sent as a bearer token, if given.
   */
  token?: string;
  /** `sha256:<hex>` pin of the cluster CA's public key for joining (`skiff token create --join` prints it). */
  caCertHash?: string;
  /** PEM CA of the master's certificate (https masters); otherwise discovered when joining and pinned by hash. */
  ca?: string | Buffer;
  logger?: Logger;
  heartbeatSeconds?: number;
  /** Crash-loop back-off: first delay and cap (defaults 10 s and 300 s; tests shorten them). */
  backoffBaseSeconds?: number;
  backoffMaxSeconds?: number;
  /** Periodic resync of every pod (default 10 s). */
  resyncSeconds?: number;
}

export interface AgentHandle {
  /** The port the agent server listens on. */
  port: number;
  stop(): Promise<void>;
}

export async function runAgent(opts: AgentOptions): Promise<AgentHandle> {
  const root = opts.logger ?? createLogger();
  const log = componentLogger(root, 'agent');
  const clock = systemClock;
  const dataDir = opts.dataDir ?? '/var/lib/skiff/agent';
  mkdirSync(dataDir, { recursive: true });
  const nodeIP = opts.nodeIP ?? systemHostInfo.defaultIPv4() ?? '127.0.0.1';

  const runtime = new DockerContainerRuntime({
    socketPath: opts.dockerSocket,
    clock,
    logger: componentLogger(root, 'agent:runtime'),
  });
  const version = await waitForRuntime(runtime, clock, log);
  log.info(
    { runtime: `${version.runtimeName}://${version.version}`, api: version.apiVersion },
    'container runtime',
  );
  const pauseImage = opts.pauseImage ?? DEFAULT_PAUSE_IMAGE;
  await ensurePauseImage(runtime, pauseImage, log);

  // An https master: join once (or reuse the saved credential); the agent API then serves TLS for the master only.
  const creds =
    new URL(opts.masterUrl).protocol === 'https:'
      ? await ensureNodeCredentials({
          masterUrl: opts.masterUrl,
          nodeName: opts.nodeName,
          dataDir,
          ...(opts.token ? { joinToken: opts.token } : {}),
          ...(opts.caCertHash ? { caCertHash: opts.caCertHash } : {}),
          ...(opts.ca !== undefined ? { caPem: opts.ca.toString() } : {}),
          clock,
          logger: componentLogger(root, 'agent:join'),
        })
      : undefined;
  const client = creds
    ? new HttpApiClient({ server: opts.masterUrl, token: creds.token, ca: creds.caPem })
    : new HttpApiClient({ server: opts.masterUrl, token: opts.token });
  const events = new EventRecorder({
    client,
    component: 'kubelet',
    host: opts.nodeName,
    clock,
    logger: componentLogger(root, 'agent:events'),
  });

  const clusterCIDR = opts.clusterCIDR ?? '10.244.0.0/16';
  const serviceCIDR = opts.serviceCIDR ?? '10.96.0.0/12';
  // The kubelet reads this object when it runs pods; the pod network fills it in once the node has a podCIDR.
  const nodeConfig = {
    nodeName: opts.nodeName,
    nodeIP,
    pauseImage,
    podNetwork: opts.podNetwork ?? POD_NETWORK_NAME,
    clusterDNS: opts.clusterDNS,
    clusterDomain: opts.clusterDomain ?? 'cluster.local',
  };
  const kubelet = new Kubelet({
    client,
    runtime,
    events,
    node: nodeConfig,
    dataDir,
    clock,
    logger: root,
    backoff: {
      ...(opts.backoffBaseSeconds !== undefined ? { baseMs: opts.backoffBaseSeconds * 1000 } : {}),
      ...(opts.backoffMaxSeconds !== undefined ? { maxMs: opts.backoffMaxSeconds * 1000 } : {}),
    },
    ...(opts.resyncSeconds !== undefined ? { resyncPeriodMs: opts.resyncSeconds * 1000 } : {}),
    ensurePauseImage: () => ensurePauseImage(runtime, pauseImage, log),
  });

  const server = createAgentServer({
    runtime,
    pods: kubelet,
    nodeName: opts.nodeName,
    clock,
    log: componentLogger(root, 'agent:server'),
    ...(creds ? { tls: creds.serving } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 10250, opts.nodeIP ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ node: opts.nodeName, nodeIP, port }, 'agent server listening');

  const nodeStatus = new NodeStatusManager({
    client,
    runtime,
    host: systemHostInfo,
    clock,
    log: componentLogger(root, 'agent:node-status'),
    nodeName: opts.nodeName,
    nodeIP,
    port,
    dataDir,
    heartbeatSeconds: opts.heartbeatSeconds,
  });
  const lease = new NodeLease({
    client,
    clock,
    log: componentLogger(root, 'agent:node-lease'),
    nodeName: opts.nodeName,
  });
  const firewall = new IptablesFirewall({ logger: componentLogger(root, 'agent:iptables') });
  const network = opts.podNetwork
    ? undefined
    : new NetworkAgent({
        client,
        nodeName: opts.nodeName,
        clock,
        logger: root,
        docker: new DockerodeNetworks({ socketPath: opts.dockerSocket }),
        firewall,
        routes: new IpRoutes({ managed: [clusterCIDR, serviceCIDR] }),
        sysctl: new ProcSysctl(),
        clusterCIDR,
        serviceCIDR,
      });
  // Services and Endpoints: one informer each, shared by the proxy and DNS.
  const informers = new InformerFactory({ client, clock, logger: componentLogger(root, 'agent:informers') });
  const serviceInformers = {
    services: informers.get<Service>(SERVICES),
    endpoints: informers.get<Endpoints>(ENDPOINTS),
  };
  const proxier =
    opts.proxy === false
      ? undefined
      : new Proxier({
          client,
          firewall,
          clock,
          logger: root,
          nodeIPs: opts.nodePortAddresses ?? [],
          clusterCIDR,
          serviceCIDR,
          informers: serviceInformers,
        });
  let dns: DnsServer | undefined;
  try {
    await nodeStatus.start();
    lease.start();
    if (network) {
      // Blocks until the master's node IPAM controller has given this node a podCIDR.
      const net = await network.start();
      log.info({ podCIDR: net.podCIDR, gateway: net.gateway }, 'pod network ready');
      if (opts.dns !== false) {
        // The gateway address lives on the pod bridge, so DNS can bind it only now.
        dns = new DnsServer({
          source: new InformerDnsSource(serviceInformers),
          listen: { host: net.gateway, port: 53 },
          clusterDomain: nodeConfig.clusterDomain,
          clock,
          logger: componentLogger(root, 'agent:dns'),
        });
        await dns.start();
        nodeConfig.clusterDNS ??= [net.gateway];
      }
    }
    // dockerd restarted (its graceful stop stopped every container; the kubelet is recreating them): put back at
    // once what a restarting dockerd disturbs (its iptables rules go above ours; the network could be gone), and
    // tell the master the runtime is fine rather than waiting for the next heartbeat.
    kubelet.onRuntimeReconnected(() => {
      void network?.recheck();
      proxier?.resync();
      nodeStatus.heartbeatNow();
    });
    // Pods first: kube-proxy and DNS follow Services on their own and must not hold the kubelet back.
    await kubelet.start();
    if (proxier || dns) void informers.start();
    proxier?.start().catch((err) => log.error({ err }, 'service proxy failed to start'));
  } catch (err) {
    nodeStatus.stop();
    lease.stop();
    await proxier?.stop();
    await dns?.stop();
    informers.stop();
    await network?.stop();
    server.close();
    throw err;
  }

  return {
    port,
    async stop() {
      nodeStatus.stop();
      lease.stop();
      // A clean stop removes the agent's iptables rules and routes (`skiff agent --cleanup` does the same after a
      // crash); the pods keep running and the next agent puts the rules back.
      await proxier?.stop({ cleanup: true });
      await dns?.stop();
      informers.stop();
      await network?.stop({ cleanup: true });
      await kubelet.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      log.info({ node: opts.nodeName }, 'agent stopped; pods keep running');
    },
  };
}

/** The engine's version; while it does not answer (dockerd still starting), retries with back-off up to 5 s. */
async function waitForRuntime(runtime: ContainerRuntime, clock: Clock, log: Logger): Promise<RuntimeVersion> {
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await runtime.version();
    } catch (err) {
      log.warn({ err: (err as Error).message, retryInMs: delay }, 'container runtime not answering yet');
      await clock.sleep(delay);
    }
  }
}

/**
 * `skiff agent --cleanup`: removes every iptables chain, hook rule and route the agent created on this node (the
 * pods' containers and the Docker network are left alone; delete pods through the API first).
 */
export interface CleanupOptions {
  clusterCIDR?: string;
  serviceCIDR?: string;
  dockerSocket?: string;
  logger?: Logger;
}

export async function cleanupAgent(opts: CleanupOptions): Promise<void> {
  const root = opts.logger ?? createLogger();
  const clusterCIDR = opts.clusterCIDR ?? '10.244.0.0/16';
  const serviceCIDR = opts.serviceCIDR ?? '10.96.0.0/12';
  const firewall = new IptablesFirewall({ logger: componentLogger(root, 'agent:iptables') });
  await cleanupProxyRules(firewall, componentLogger(root, 'agent:proxy'));
  const log = componentLogger(root, 'agent:network');
  const pod = new PodNetworkManager({
    docker: new DockerodeNetworks({ socketPath: opts.dockerSocket }),
    sysctl: new ProcSysctl(),
    firewall,
    clusterCIDR,
    serviceCIDR,
    logger: log,
  });
  await cleanupPodNetwork(pod, new IpRoutes({ managed: [clusterCIDR, serviceCIDR] }), log);
}
