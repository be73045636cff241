// The node agent's composition root (`skiff agent`): the Docker runtime, the API client, the node status
// (registration + heartbeat), the kubelet loop and the agent server for logs/exec. Stopping it stops the loops and
// the server but leaves the pods' containers running: the next agent adopts them.
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { HttpApiClient } from '../src/client/http-api-client.js';
import { EventRecorder } from '../src/client/event-recorder.js';
import { systemClock } from '../src/common/clock.js';
import { componentLogger, createLogger, type Logger } from '../src/common/logger.js';
import { DockerContainerRuntime } from './runtime/docker-container-runtime.js';
import { DEFAULT_PAUSE_IMAGE, ensurePauseImage } from './runtime/pause-image.js';
import { systemHostInfo } from './kubelet/host-info.js';
import { Kubelet } from './kubelet/kubelet.js';
import { NodeLease } from './kubelet/node-lease.js';
import { NodeStatusManager } from './kubelet/node-status.js';
import { createAgentServer } from './kubelet/server.js';

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
  /** Docker network pods attach to (default bridge). */
  podNetwork?: string;
  /** Default skiff/pause:3.10, built locally from the host's busybox when missing. */
  pauseImage?: string;
  clusterDNS?: string[];
  clusterDomain?: string;
  token?: string;
  /** PEM CA of the master's certificate (https masters). */
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
  const version = await runtime.version();
  log.info(
    { runtime: `${version.runtimeName}://${version.version}`, api: version.apiVersion },
    'container runtime',
  );
  const pauseImage = opts.pauseImage ?? DEFAULT_PAUSE_IMAGE;
  await ensurePauseImage(runtime, pauseImage, log);

  const client = new HttpApiClient({ server: opts.masterUrl, token: opts.token, ca: opts.ca });
  const events = new EventRecorder({
    client,
    component: 'kubelet',
    host: opts.nodeName,
    clock,
    logger: componentLogger(root, 'agent:events'),
  });

  const kubelet = new Kubelet({
    client,
    runtime,
    events,
    node: {
      nodeName: opts.nodeName,
      nodeIP,
      pauseImage,
      podNetwork: opts.podNetwork ?? 'bridge',
      clusterDNS: opts.clusterDNS,
      clusterDomain: opts.clusterDomain ?? 'cluster.local',
    },
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
  try {
    await nodeStatus.start();
    lease.start();
    await kubelet.start();
  } catch (err) {
    nodeStatus.stop();
    lease.stop();
    server.close();
    throw err;
  }

  return {
    port,
    async stop() {
      nodeStatus.stop();
      lease.stop();
      await kubelet.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      log.info({ node: opts.nodeName }, 'agent stopped; pods keep running');
    },
  };
}
