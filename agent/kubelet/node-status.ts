// The Node object of this agent (the kubelet's node status manager): registration at start (create, or update an
// existing Node keeping what others set in its spec: podCIDR, unschedulable, taints), then a heartbeat that
// rewrites status (conditions, capacity, addresses, system info) at most `heartbeatSeconds` apart. As the
// kubelet does (maxWaitForContainerRuntime), the node turns NotReady only once the container runtime has not
// answered for 30 s: a quick engine restart must not make the node lifecycle controller evict its pods.
import type { Node, NodeCondition, NodeStatus } from '../../src/api/types.js';
import { NODES, type ApiClient } from '../../src/client/api-client.js';
import { rfc3339, type Clock, type TimerHandle } from '../../src/common/clock.js';
import { isApiError } from '../../src/common/errors.js';
import type { Logger } from '../../src/common/logger.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { FailureLog } from './failure-log.js';
import type { HostInfo } from './host-info.js';

export const KUBELET_VERSION = 'v1.32.0-skiff';
export const MAX_PODS = 110;
/** After a failed heartbeat (the master unreachable) the next try comes this soon, not a whole period later. */
export const HEARTBEAT_RETRY_MS = 2000;
/** How long the runtime may be unreachable before the node reports NotReady (the kubelet's 30 s). */
export const RUNTIME_DOWN_GRACE_MS = 30_000;

/**
 * The runtime version the status reports, or undefined when the runtime counts as down: it answered now, or its
 * last answer (`seen`) is less than `graceMs` old.
 */
export function runtimeVersionToReport(
  answered: string | undefined,
  seen: { at: number; version: string } | undefined,
  nowMs: number,
  graceMs: number = RUNTIME_DOWN_GRACE_MS,
): string | undefined {
  if (answered !== undefined) return answered;
  return seen && nowMs - seen.at < graceMs ? seen.version : undefined;
}

/** What the status is computed from (gathered from the host and the runtime). */
export interface NodeFacts {
  nodeName: string;
  nodeIP: string;
  port: number;
  cpus: number;
  memoryBytes: number;
  diskBytes: number;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  machineID: string;
  bootID: string;
  /** e.g. docker://20.10.24; undefined when the runtime does not answer. */
  runtimeVersion?: string;
}

export function nodeLabels(f: Pick<NodeFacts, 'nodeName' | 'architecture'>): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': f.architecture,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': f.architecture,
    'kubernetes.io/hostname': f.nodeName,
    'kubernetes.io/os': 'linux',
  };
}

function condition(
  prev: NodeStatus | undefined,
  now: string,
  c: Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>,
): NodeCondition {
  const old = prev?.conditions?.find((x) => x.type === c.type);
  const lastTransitionTime =
    old?.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now;
  return { ...c, lastHeartbeatTime: now, lastTransitionTime };
}

/** The node status, pure: conditions keep their lastTransitionTime while their status holds. */
export function buildNodeStatus(prev: NodeStatus | undefined, f: NodeFacts, nowMs: number): NodeStatus {
  const now = rfc3339(nowMs);
  const ki = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;
  const resources = {
    cpu: String(f.cpus),
    'ephemeral-storage': ki(f.diskBytes),
    memory: ki(f.memoryBytes),
    pods: String(MAX_PODS),
  };
  const runtimeUp = f.runtimeVersion !== undefined;
  return {
    ...(prev ?? {}),
    capacity: resources,
    allocatable: { ...resources },
    conditions: [
      condition(prev, now, {
        type: 'MemoryPressure',
        status: 'False',
        reason: 'KubeletHasSufficientMemory',
        message: 'kubelet has sufficient memory available',
      }),
      condition(prev, now, {
        type: 'DiskPressure',
        status: 'False',
        reason: 'KubeletHasNoDiskPressure',
        message: 'kubelet has no disk pressure',
      }),
      condition(prev, now, {
        type: 'PIDPressure',
        status: 'False',
        reason: 'KubeletHasSufficientPID',
        message: 'kubelet has sufficient PID available',
      }),
      runtimeUp
        ? condition(prev, now, {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'skiff agent is posting ready status',
          })
        : condition(prev, now, {
            type: 'Ready',
            status: 'False',
            reason: 'KubeletNotReady',
            message: 'container runtime is down: the Docker engine does not answer',
          }),
    ],
    addresses: [
      { type: 'InternalIP', address: f.nodeIP },
      { type: 'Hostname', address: f.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: f.port } },
    nodeInfo: {
      machineID: f.machineID,
      systemUUID: f.machineID,
      bootID: f.bootID,
      kernelVersion: f.kernelVersion,
      osImage: f.osImage,
      containerRuntimeVersion:
        f.runtimeVersion ?? prev?.nodeInfo?.containerRuntimeVersion ?? 'docker://unknown',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: f.architecture,
    },
  };
}

export interface NodeStatusOptions {
  client: ApiClient;
  runtime: ContainerRuntime;
  host: HostInfo;
  clock: Clock;
  log: Logger;
  nodeName: string;
  nodeIP: string;
  port: number;
  dataDir: string;
  heartbeatSeconds?: number;
  /** How long the runtime may not answer before the node is NotReady (default 30 s). */
  runtimeDownGraceMs?: number;
}

export class NodeStatusManager {
  private timer?: TimerHandle;
  private stopped = false;
  private beating = false;
  /** The runtime's last answer. */
  private runtimeSeen: { at: number; version: string } | undefined;
  private readonly heartbeatFailures: FailureLog;

  constructor(private readonly opts: NodeStatusOptions) {
    this.heartbeatFailures = new FailureLog(opts.log, 'node heartbeat');
  }

  async facts(): Promise<NodeFacts> {
    const { host, runtime, clock } = this.opts;
    const v = await runtime.version().catch(() => undefined);
    const answered = v ? `${v.runtimeName}://${v.version}` : undefined;
    const now = clock.now();
    if (answered) this.runtimeSeen = { at: now, version: answered };
    const version = runtimeVersionToReport(answered, this.runtimeSeen, now, this.opts.runtimeDownGraceMs);
    return {
      nodeName: this.opts.nodeName,
      nodeIP: this.opts.nodeIP,
      port: this.opts.port,
      cpus: host.cpus(),
      memoryBytes: host.memoryBytes(),
      diskBytes: host.diskBytes(this.opts.dataDir),
      kernelVersion: host.kernelVersion(),
      osImage: host.osImage(),
      architecture: host.architecture(),
      machineID: host.machineID(),
      bootID: host.bootID(),
      ...(version ? { runtimeVersion: version } : {}),
    };
  }

  /** Creates the Node, or takes over an existing one (its spec stays as others set it). */
  async register(): Promise<Node> {
    const { client, nodeName, log } = this.opts;
    const f = await this.facts();
    let node: Node;
    try {
      const existing = await client.get<Node>(NODES, undefined, nodeName);
      node = await client.update<Node>(NODES, undefined, {
        ...existing,
        metadata: { ...existing.metadata, labels: { ...existing.metadata.labels, ...nodeLabels(f) } },
      });
      log.info({ node: nodeName }, 'node already registered; taking it over');
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
      node = await client.create<Node>(NODES, undefined, {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: nodeName, labels: nodeLabels(f) },
        spec: {},
      });
      log.info({ node: nodeName }, 'node registered');
    }
    return this.writeStatus(node, f);
  }

  /** Registers (retrying while the master is unreachable), then keeps the heartbeat going until stop(). */
  async start(): Promise<void> {
    for (let delay = 1000; !this.stopped; delay = Math.min(delay * 2, 30_000)) {
      try {
        await this.register();
        break;
      } catch (err) {
        this.opts.log.warn({ err: (err as Error).message, retryInMs: delay }, 'node registration failed');
        await this.opts.clock.sleep(delay);
      }
    }
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.opts.clock.clearTimeout(this.timer);
  }

  /** Heartbeats now instead of at the next period (the container runtime came back; the master did). */
  heartbeatNow(): void {
    void this.beat();
  }

  async heartbeat(): Promise<void> {
    const { client, nodeName } = this.opts;
    try {
      const node = await client.get<Node>(NODES, undefined, nodeName);
      await this.writeStatus(node, await this.facts());
    } catch (err) {
      if (isApiError(err, 'NotFound')) await this.register();
      else throw err;
    }
  }

  private async writeStatus(node: Node, f: NodeFacts): Promise<Node> {
    const { client, clock, nodeName } = this.opts;
    const put = (n: Node) =>
      client.updateStatus<Node>(NODES, undefined, {
        ...n,
        status: buildNodeStatus(n.status, f, clock.now()),
      });
    try {
      return await put(node);
    } catch (err) {
      // The Node changed since we read it (right after registration the IPAM controller sets its podCIDR):
      // write onto the current version rather than fail the registration or skip a heartbeat.
      if (!isApiError(err, 'Conflict')) throw err;
      return put(await client.get<Node>(NODES, undefined, nodeName));
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const period = (this.opts.heartbeatSeconds ?? 10) * 1000;
    const delay = this.heartbeatFailures.count > 0 ? Math.min(period, HEARTBEAT_RETRY_MS) : period;
    this.opts.clock.clearTimeout(this.timer);
    this.timer = this.opts.clock.setTimeout(() => void this.beat(), delay);
  }

  /**
   * One heartbeat at a time. A failure (the master unreachable or restarting) is retried 2 s later, so the node is
   * Ready again within about 2 s of the master's return rather than up to a whole period.
   */
  private async beat(): Promise<void> {
    if (this.stopped || this.beating) return;
    this.beating = true;
    this.opts.clock.clearTimeout(this.timer);
    try {
      await this.heartbeat();
      this.heartbeatFailures.succeeded();
    } catch (err) {
      this.heartbeatFailures.failed(err);
    } finally {
      this.beating = false;
    }
    this.schedule();
  }
}
