// The controller manager (kube-controller-manager): builds every controller on one set of shared informers, starts
// the informers once, then the controllers' workers. Each controller lives in its own folder; this file only wires.
import type { ApiClient } from '../client/api-client.js';
import { InformerFactory } from '../client/informer-factory.js';
import { systemClock, type Clock } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { CronJobController } from './cronjob/controller.js';
import { DaemonSetController } from './daemonset/controller.js';
import { DeploymentController } from './deployment/controller.js';
import { EndpointsController } from './endpoints/controller.js';
import { EndpointSliceController } from './endpointslice/controller.js';
import { EndpointSliceMirroringController } from './endpointslice/mirroring-controller.js';
import { GarbageCollector } from './garbagecollector/controller.js';
import { JobController } from './job/controller.js';
import { TtlAfterFinishedController } from './job/ttl-after-finished-controller.js';
import { NamespaceController } from './namespace/controller.js';
import { NodeIpamController } from './nodeipam/node-ipam-controller.js';
import { NodeLifecycleController } from './nodelifecycle/node-lifecycle-controller.js';
import { PodGCController } from './nodelifecycle/pod-gc-controller.js';
import { nodeLifecycleSettings, type NodeLifecycleSettings } from './nodelifecycle/settings.js';
import { TaintEvictionController } from './nodelifecycle/taint-eviction-controller.js';
import { ReplicaSetController } from './replicaset/controller.js';
import { StatefulSetController } from './statefulset/controller.js';

export interface ControllerManagerOptions {
  client: ApiClient;
  clock?: Clock;
  logger?: Logger;
  /** Pod range nodes get their podCIDRs from (default 10.244.0.0/16) and the size of each (default /24). */
  clusterCIDR?: string;
  nodeCIDRMaskSize?: number;
  /** Service range, kept out of node podCIDRs when it overlaps the cluster range. */
  serviceCIDR?: string;
  /** Node health and eviction timing (default: the lab profile). */
  nodeLifecycle?: NodeLifecycleSettings;
  /** Informers to build on (the master shares them with the scheduler; it stops them). Default: the manager's own. */
  informers?: InformerFactory;
}

interface Startable {
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

export class ControllerManager {
  private readonly informers: InformerFactory;
  /** Whether this manager made its informers (and so stops them). */
  private readonly ownsInformers: boolean;
  private readonly controllers: Startable[];

  constructor(opts: ControllerManagerOptions) {
    const clock = opts.clock ?? systemClock;
    const logger = (opts.logger ?? silentLogger).child({ component: 'controller-manager' });
    const informers = opts.informers ?? new InformerFactory({ client: opts.client, clock, logger });
    this.informers = informers;
    this.ownsInformers = !opts.informers;
    const deps = { client: opts.client, informers, clock, logger };
    const lifecycle = opts.nodeLifecycle ?? nodeLifecycleSettings();
    this.controllers = [
      new NodeIpamController({
        ...deps,
        clusterCIDR: opts.clusterCIDR,
        nodeMaskSize: opts.nodeCIDRMaskSize,
        serviceCIDR: opts.serviceCIDR,
      }),
      new ReplicaSetController(deps),
      new DeploymentController(deps),
      new DaemonSetController(deps),
      new StatefulSetController(deps),
      new JobController(deps),
      new TtlAfterFinishedController(deps),
      new CronJobController(deps),
      new EndpointsController(deps),
      new EndpointSliceController(deps),
      new EndpointSliceMirroringController(deps),
      new GarbageCollector(deps),
      new NamespaceController(deps),
      new NodeLifecycleController({ ...deps, ...lifecycle }),
      new TaintEvictionController(deps),
      new PodGCController({
        ...deps,
        periodMs: lifecycle.podGCPeriodMs,
        quarantineMs: lifecycle.podGCQuarantineMs,
      }),
    ];
  }

  /** Lists every watched resource once (shared informers), then starts every controller. */
  async start(): Promise<void> {
    await this.informers.start();
    for (const c of this.controllers) await c.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.controllers.map((c) => c.stop()));
    if (this.ownsInformers) this.informers.stop();
  }
}
