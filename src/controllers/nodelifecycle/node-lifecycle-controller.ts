// The node lifecycle controller (kube-controller-manager's node-lifecycle-controller), thin: every
// nodeMonitorPeriod it looks at every node and
//   1. notes heartbeats (Lease renewals, Ready lastHeartbeatTime) and sets a node silent for longer than the grace
//      period to Ready/MemoryPressure/DiskPressure/PIDPressure=Unknown (node-health.ts);
//   2. keeps the condition taints in step: not-ready/unreachable NoExecute (taint-based eviction, acted on by
//      taint-eviction-controller.ts) and the NoSchedule ones incl. unschedulable (node-taints.ts);
//   3. marks the pods on an Unknown node Ready=False, so Services stop sending them traffic (pod-conditions.ts).
// Heartbeats are also noted the moment the informers deliver them, so silence is measured from their arrival, not
// from the next check. Upstream rate-limits NoExecute tainting per zone; skiff clusters are small, so it doesn't.
import type { Lease, Node, NodeSpec, Pod } from '../../api/types.js';
import { LEASES, NODES, PODS, type ApiClient } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { objectKey } from '../../client/key.js';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { isApiError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import {
  isFullDisruption,
  isSilent,
  NODE_LEASE_NAMESPACE,
  observeHeartbeat,
  readyStatus,
  unknownConditions,
  type GracePeriods,
  type HeartbeatRecord,
} from './node-health.js';
import { reconcileTaints } from './node-taints.js';
import { notReadyStatus, podsByNode } from './pod-conditions.js';
import { nodeLifecycleSettings } from './settings.js';
import { controllerBasics } from '../runtime/controller-basics.js';

export interface NodeLifecycleControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  /** Events about nodes (RegisteredNode, NodeNotReady, RemovingNode) and pods; default: component node-controller. */
  recorder?: EventRecorder;
  nodeMonitorPeriodMs?: number;
  nodeMonitorGracePeriodMs?: number;
  nodeStartupGracePeriodMs?: number;
}

export class NodeLifecycleController {
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer<Lease>;
  private readonly pods: Informer<Pod>;
  private readonly periodMs: number;
  private readonly grace: GracePeriods;
  private readonly records = new Map<string, HeartbeatRecord>();
  /** Nodes the controller has registered (for RegisteredNode / RemovingNode). */
  private readonly known = new Map<string, Node>();
  private disrupted = false;
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(deps: NodeLifecycleControllerDeps) {
    const defaults = nodeLifecycleSettings();
    this.client = deps.client;
    const basics = controllerBasics(deps, 'node-lifecycle-controller', 'node-controller');
    this.clock = basics.clock;
    this.log = basics.log;
    this.recorder = basics.recorder;
    this.periodMs = deps.nodeMonitorPeriodMs ?? defaults.nodeMonitorPeriodMs;
    const monitorMs = deps.nodeMonitorGracePeriodMs ?? defaults.nodeMonitorGracePeriodMs;
    this.grace = {
      monitorMs,
      startupMs: Math.max(monitorMs, deps.nodeStartupGracePeriodMs ?? defaults.nodeStartupGracePeriodMs),
    };
    this.nodes = deps.informers.get<Node>(NODES);
    this.leases = deps.informers.get<Lease>(LEASES);
    this.pods = deps.informers.get<Pod>(PODS);
    this.nodes.on('add', (n) => this.observe(n));
    this.nodes.on('update', (_old, n) => this.observe(n));
    const onLease = (l: Lease) => {
      if (l.metadata.namespace !== NODE_LEASE_NAMESPACE) return;
      const node = this.nodes.get(undefined, l.metadata.name ?? '');
      if (node) this.observe(node, l);
    };
    this.leases.on('add', onLease);
    this.leases.on('update', (_old, l) => onLease(l));
  }

  /** Starts the monitor loop (the first pass at once). */
  start(): void {
    if (this.stopped || this.timer || this.running) return;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass over every node (monitorNodeHealth). Exposed for tests. */
  async monitor(): Promise<void> {
    const nodes = this.nodes.list();
    this.registerNodes(nodes);
    const now = this.clock.now();
    const current: Node[] = [];
    for (const node of nodes) current.push(await this.updateHealth(node, now));

    const disrupted = isFullDisruption(current);
    if (disrupted !== this.disrupted) {
      this.disrupted = disrupted;
      if (disrupted) {
        this.log.warn('no node is Ready: entering full disruption mode, no pod is evicted');
      } else {
        // As Kubernetes does: everyone gets a fresh grace period once the master sees the cluster again.
        this.log.info('some nodes are Ready again: leaving full disruption mode');
        for (const [name, r] of this.records) this.records.set(name, { ...r, probeMs: now });
      }
    }

    const byNode = podsByNode(this.pods.list());
    for (const node of current) {
      await this.syncTaints(node, now, !disrupted);
      if (readyStatus(node) === 'Unknown')
        await this.markPodsNotReady(node, byNode.get(node.metadata.name ?? '') ?? []);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.running = this.monitor()
        .catch((err: unknown) => this.log.error({ err }, 'node health check failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.periodMs);
        });
    }, delayMs);
  }

  private observe(node: Node, lease?: Lease): void {
    const name = node.metadata.name;
    if (!name) return;
    const l = lease ?? this.leases.get(NODE_LEASE_NAMESPACE, name);
    this.records.set(name, observeHeartbeat(this.records.get(name), node, l, this.clock.now()));
  }

  private registerNodes(nodes: Node[]): void {
    const names = new Set(nodes.map((n) => n.metadata.name ?? ''));
    for (const node of nodes) {
      const name = node.metadata.name ?? '';
      if (this.known.has(name)) continue;
      this.known.set(name, node);
      this.recorder.record(node, 'Normal', 'RegisteredNode', `Registered Node ${name} in Controller`);
    }
    for (const [name, node] of this.known) {
      if (names.has(name)) continue;
      this.known.delete(name);
      this.records.delete(name);
      this.recorder.record(node, 'Normal', 'RemovingNode', `Removing Node ${name} from Controller`);
    }
  }

  /** Notes heartbeats and, for a node silent too long, writes its conditions as Unknown. Returns the node as now. */
  private async updateHealth(node: Node, now: number): Promise<Node> {
    const name = node.metadata.name ?? '';
    const record = observeHeartbeat(
      this.records.get(name),
      node,
      this.leases.get(NODE_LEASE_NAMESPACE, name),
      now,
    );
    this.records.set(name, record);
    if (!isSilent(node, record, now, this.grace)) return node;
    const conditions = unknownConditions(node, now);
    if (!conditions) return node;
    let updated: Node;
    try {
      updated = await this.client.updateStatus<Node>(NODES, undefined, {
        ...node,
        status: { ...node.status, conditions },
      });
    } catch (err) {
      // A conflict or a vanished node: the next pass decides again on fresh state.
      if (!isApiError(err, 'NotFound')) this.log.warn({ err, node: name }, 'could not mark the node Unknown');
      return node;
    }
    this.log.warn(
      { node: name, silentForMs: now - record.probeMs },
      'node stopped posting status; its conditions are now Unknown',
    );
    if (readyStatus(node) === 'True') {
      this.recorder.record(updated, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    }
    return updated;
  }

  private async syncTaints(node: Node, now: number, noExecute: boolean): Promise<void> {
    const { taints, changed } = reconcileTaints(node, now, { noExecute });
    if (!changed) return;
    const spec: NodeSpec = { ...node.spec, taints };
    if (taints.length === 0) delete spec.taints;
    try {
      await this.client.update<Node>(NODES, undefined, { ...node, spec });
      this.log.info(
        { node: node.metadata.name, taints: taints.map((t) => `${t.key}:${t.effect}`) },
        'node taints updated',
      );
    } catch (err) {
      if (isApiError(err, 'NotFound') || isApiError(err, 'Conflict')) return; // the next pass sees fresh state
      this.log.warn({ err, node: node.metadata.name }, 'could not update the node taints');
    }
  }

  private async markPodsNotReady(node: Node, pods: Pod[]): Promise<void> {
    for (const pod of pods) {
      const status = notReadyStatus(pod, this.clock.now());
      if (!status) continue;
      try {
        await this.client.updateStatus<Pod>(PODS, pod.metadata.namespace, { ...pod, status });
      } catch (err) {
        if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict'))
          this.log.warn({ err, pod: objectKey(pod) }, 'could not mark the pod NotReady');
        continue;
      }
      this.log.info(
        { pod: objectKey(pod), node: node.metadata.name },
        'pod marked NotReady: its node is silent',
      );
      this.recorder.record(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
  }
}
