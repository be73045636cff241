// Pods for the lab benchmarks: the busybox `sleep 3600` pod, a watch that records when each pod first satisfies a
// condition (the pod-startup SLI reads "all containers running" off the watch, as Kubernetes' does), and removing
// a batch of pods until both the API and the node's engine have none left.
import Docker from 'dockerode';
import type { Pod } from '../../src/api/types.js';
import { NAMESPACES, PODS, type ApiClient, type WatchHandle } from '../../src/client/api-client.js';
import { isApiError } from '../../src/common/errors.js';
import { mapLimit, waitFor } from './proc.js';

export const BENCH_IMAGE = 'skiff/busybox:1';

export function sleepPod(name: string, namespace: string, labels: Record<string, string>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      containers: [{ name: 'app', image: BENCH_IMAGE, command: ['sleep', '3600'] }],
    },
  };
}

export function allContainersRunning(pod: Pod): boolean {
  const statuses = pod.status?.containerStatuses ?? [];
  return statuses.length === pod.spec.containers.length && statuses.every((s) => !!s.state?.running);
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export async function ensureNamespace(client: ApiClient, name: string): Promise<void> {
  try {
    await client.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err) {
    if (!isApiError(err, 'AlreadyExists')) throw err;
  }
}

/** Records, per pod name, the first time (performance.now) each named condition held in a watch event. */
export class PodWatch {
  private handle: WatchHandle | undefined;
  readonly seen = new Map<string, Map<string, number>>();
  readonly last = new Map<string, Pod>();

  constructor(
    private readonly client: ApiClient,
    private readonly namespace: string,
    private readonly conditions: Record<string, (pod: Pod) => boolean>,
  ) {}

  /** Starts watching from the current revision (no synthetic ADDED events for pods that exist). */
  async start(labelSelector?: string): Promise<void> {
    const list = await this.client.list<Pod>(PODS, this.namespace, { labelSelector });
    this.handle = this.client.watch<Pod>(
      PODS,
      this.namespace,
      { resourceVersion: list.metadata.resourceVersion, labelSelector },
      (ev) => {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') return;
        const now = performance.now();
        const pod = ev.object;
        const name = pod.metadata.name!;
        this.last.set(name, pod);
        let times = this.seen.get(name);
        if (!times) this.seen.set(name, (times = new Map()));
        for (const [cond, holds] of Object.entries(this.conditions)) {
          if (!times.has(cond) && holds(pod)) times.set(cond, now);
        }
      },
    );
    this.handle.done.catch(() => undefined);
  }

  at(name: string, cond: string): number | undefined {
    return this.seen.get(name)?.get(cond);
  }

  async waitAll(names: string[], cond: string, timeoutMs: number): Promise<void> {
    await waitFor(
      `${names.length} pods to reach "${cond}" (${names.filter((n) => this.at(n, cond) !== undefined).length} did)`,
      () => names.every((n) => this.at(n, cond) !== undefined),
      timeoutMs,
      20,
    );
  }

  stop(): void {
    this.handle?.stop();
  }
}

/** Deletes the pods (grace 0) and waits until the API lists none and the engine holds none of their containers. */
export async function deletePodsAndWait(
  client: ApiClient,
  namespace: string,
  names: string[],
  engine: { socketPath: string; nodeName: string },
  timeoutMs = 180_000,
): Promise<void> {
  await mapLimit(names, 16, (name) =>
    client.delete(PODS, namespace, name, { gracePeriodSeconds: 0 }).catch((err) => {
      if (!isApiError(err, 'NotFound')) throw err;
    }),
  );
  const docker = new Docker({ socketPath: engine.socketPath, version: 'v1.41' });
  const wanted = new Set(names);
  await waitFor(
    `pods in ${namespace} to be gone from the API and the engine`,
    async () => {
      const pods = await client.list<Pod>(PODS, namespace);
      if (pods.items.some((p) => wanted.has(p.metadata.name!))) return false;
      const left = await docker.listContainers({
        all: true,
        filters: { label: [`io.skiff.node=${engine.nodeName}`, `io.skiff.pod.namespace=${namespace}`] },
      });
      return left.length === 0;
    },
    timeoutMs,
    250,
  );
}
