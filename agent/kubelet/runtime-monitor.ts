// The kubelet's view of the container runtime (the event half of its PLEG): the runtime's lifecycle events for
// this node's containers become pod syncs, and the event stream's connection tells whether the engine is there.
// When it comes back after being away (a dockerd restart), the kubelet resyncs every pod and the listeners
// registered with onReconnected() run (the agent re-checks the pod network and the proxy rules then).
import type { Logger } from '../../src/common/logger.js';
import type {
  ContainerRuntime,
  RuntimeEventStream,
  RuntimeStreamStatus,
} from '../runtime/container-runtime.js';
import { LABEL_NODE, LABEL_POD_UID } from './labels.js';

export interface RuntimeMonitorOptions {
  runtime: ContainerRuntime;
  nodeName: string;
  log: Logger;
  /** A container of this pod died or vanished: sync it. */
  onPodEvent: (uid: string) => void;
  /** The runtime is reachable again after it was not (called before the listeners). */
  onReconnect: () => void;
}

export class RuntimeMonitor {
  private stream?: RuntimeEventStream;
  /** The event stream's last word on the engine: undefined until its first connection attempt ended. */
  private status: RuntimeStreamStatus | undefined;
  private readonly listeners: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly opts: RuntimeMonitorOptions) {}

  start(): void {
    this.stream = this.opts.runtime.events(
      { [LABEL_NODE]: this.opts.nodeName },
      (e) => {
        const uid = e.labels[LABEL_POD_UID];
        if (uid && (e.type === 'die' || e.type === 'oom' || e.type === 'destroy')) this.opts.onPodEvent(uid);
      },
      (status) => this.onStatus(status),
    );
  }

  stop(): void {
    this.stopped = true;
    this.stream?.stop();
  }

  /** True while the engine is known to be unreachable. */
  get down(): boolean {
    return this.status === 'disconnected';
  }

  onReconnected(fn: () => void): void {
    this.listeners.push(fn);
  }

  private onStatus(status: RuntimeStreamStatus): void {
    const before = this.status;
    this.status = status;
    if (this.stopped || status === before) return;
    const { log } = this.opts;
    if (status === 'disconnected') {
      log.warn(
        { node: this.opts.nodeName },
        'container runtime unreachable; pods stay as they are until it is back',
      );
      return;
    }
    if (before === undefined) return; // the first connection: the kubelet's start resyncs anyway
    this.opts.onReconnect();
    for (const fn of this.listeners) {
      try {
        fn();
      } catch (err) {
        log.error({ err: (err as Error).message }, 'runtime reconnect listener failed');
      }
    }
  }
}
