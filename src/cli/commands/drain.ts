// `skiff drain NODE…`: what `kubectl drain` does. Cordon the nodes, then for each node list its pods
// (fieldSelector spec.nodeName), decide which may go (drain-filters.ts: DaemonSet pods stay, bare pods need
// --force, emptyDir pods --delete-emptydir-data), POST a policy/v1 Eviction for each (deleted gracefully by the
// API server, within the pod's terminationGracePeriodSeconds or --grace-period), and wait until every evicted pod
// is gone before printing `node/x drained`. Output and error texts are kubectl 1.32's:
//   node/x cordoned · Warning: … · evicting pod ns/name · pod/name evicted · node/x drained
// A refusal or a timeout stops the drain: `error: unable to drain node "x" due to error: …, continuing command...`,
// the nodes still to drain, then the error lines. The node stays cordoned, as with kubectl.
import type { Command } from 'commander';
import { getControllerOf } from '../../api/object-meta.js';
import type { Node, Pod } from '../../api/types.js';
import { DAEMONSETS, PODS, type WatchHandle } from '../../client/api-client.js';
import { ApiError } from '../../common/errors.js';
import type { CommandHost } from '../command-host.js';
import type { Session } from '../context.js';
import { isTransportError } from '../errors.js';
import { parseDuration } from '../rollout/watch-object.js';
import { cordonNodes, getNodes } from './cordon.js';
import { parseInteger } from './delete.js';
import { planDrain, type DaemonSetProblem, type DrainFlags, type DrainPlan } from './drain-filters.js';

export interface DrainOptions {
  ignoreDaemonsets: boolean;
  force: boolean;
  deleteEmptydirData: boolean;
  /** Seconds each pod gets to stop; negative: its own terminationGracePeriodSeconds. */
  gracePeriod: number;
  /** Give up after this long (Go duration); 0 waits forever. */
  timeout: string;
}

export function register(program: Command, host: CommandHost): void {
  program
    .command('drain')
    .description(
      'Drain nodes for maintenance: cordon them, then evict their pods (DaemonSet pods stay) and wait until gone',
    )
    .argument('<nodes...>', 'node names (node/NAME is accepted too)')
    .option('--ignore-daemonsets', 'leave DaemonSet-managed pods alone instead of refusing to drain', false)
    .option('--force', 'also evict pods that declare no controller (nothing will recreate them)', false)
    .option('--delete-emptydir-data', 'also evict pods with emptyDir volumes (their data is lost)', false)
    .option(
      '--grace-period <seconds>',
      "seconds each pod gets to terminate; negative: the pod's terminationGracePeriodSeconds",
      parseInteger,
      -1,
    )
    .option('--timeout <duration>', 'give up after this long, e.g. 2m (0: wait forever)', '0s')
    .action(async (names: string[], o: DrainOptions, cmd: Command) => {
      host.exit(await runDrain(host.session(cmd), names, o));
    });
}

export async function runDrain(s: Session, names: string[], o: DrainOptions): Promise<number> {
  const timeoutMs = parseDuration(o.timeout);
  const nodes = await getNodes(s, names);
  if (!nodes) return 1;
  if ((await cordonNodes(s, nodes, true)) !== 0) return 1;
  for (const [i, node] of nodes.entries()) {
    const name = node.metadata.name ?? '';
    const errors = await drainNode(s, node, o, timeoutMs);
    if (errors.length === 0) {
      s.ctx.stdout.write(`node/${name} drained\n`);
      continue;
    }
    const remaining = nodes.slice(i).map((n) => ` ${n.metadata.name ?? ''}\n`);
    s.ctx.stderr.write(
      `error: unable to drain node "${name}" due to error: ${aggregate(errors)}, continuing command...\n` +
        `There are pending nodes to be drained:\n${remaining.join('')}` +
        errors.map((e) => `${e}\n`).join(''),
    );
    return 1;
  }
  return 0;
}

/** Go's utilerrors.Aggregate text: the error alone, or `[a, b]`. */
export function aggregate(errors: string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
}

const flagsOf = (o: DrainOptions): DrainFlags => ({
  force: o.force,
  ignoreDaemonSets: o.ignoreDaemonsets,
  deleteEmptyDirData: o.deleteEmptydirData,
});

/** Drains one (already cordoned) node; the errors that stopped it, or [] once every evicted pod is gone. */
async function drainNode(s: Session, node: Node, o: DrainOptions, timeoutMs: number): Promise<string[]> {
  const name = node.metadata.name ?? '';
  const plan = await podsForDeletion(s, name, flagsOf(o));
  if (plan.errors.length > 0) return plan.errors;
  if (plan.warnings) s.ctx.stderr.write(`Warning: ${plan.warnings}\n`);
  const errors = await evictPods(s, name, plan.pods, o.gracePeriod, timeoutMs);
  if (errors.length === 0) return [];
  const pending = await podsForDeletion(s, name, flagsOf(o));
  if (pending.pods.length > 0) {
    s.ctx.stderr.write(
      `There are pending pods in node "${name}" when an error occurred: ${aggregate(errors)}\n` +
        pending.pods.map((p) => `pod/${p.metadata.name ?? ''}\n`).join(''),
    );
  }
  return errors;
}

/** kubectl's GetPodsForDeletion: the node's pods through the filters, reading the DaemonSets that own some. */
async function podsForDeletion(s: Session, node: string, flags: DrainFlags): Promise<DrainPlan> {
  const pods = (await s.client.list<Pod>(PODS, undefined, { fieldSelector: `spec.nodeName=${node}` })).items;
  const problems = new Map<string, DaemonSetProblem>();
  const checked = new Set<string>();
  for (const pod of pods) {
    const ref = getControllerOf(pod);
    const key = `${pod.metadata.namespace ?? ''}/${ref?.name ?? ''}`;
    if (ref?.kind !== 'DaemonSet' || checked.has(key)) continue;
    checked.add(key);
    try {
      await s.client.get(DAEMONSETS, pod.metadata.namespace, ref.name);
    } catch (err) {
      if (isTransportError(err) || !(err instanceof ApiError)) throw err;
      problems.set(key, { message: err.message, notFound: err.reason === 'NotFound' });
    }
  }
  return planDrain(pods, flags, problems);
}

/** The Eviction body kubectl sends (deleteOptions is always present, empty without --grace-period). */
export function evictionFor(pod: Pod, gracePeriod: number): object {
  return {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
    deleteOptions: gracePeriod >= 0 ? { gracePeriodSeconds: gracePeriod } : {},
  };
}

/** Evicts each pod, then waits (up to timeoutMs) until the evicted ones are gone; the errors, in pod order. */
async function evictPods(
  s: Session,
  node: string,
  pods: Pod[],
  gracePeriod: number,
  timeoutMs: number,
): Promise<string[]> {
  const errors: string[] = [];
  const evicted: Pod[] = [];
  for (const pod of pods) {
    const { name = '', namespace = '' } = pod.metadata;
    s.ctx.stdout.write(`evicting pod ${namespace}/${name}\n`);
    try {
      await s.client.createSubresource(PODS, namespace, name, 'eviction', evictionFor(pod, gracePeriod));
      evicted.push(pod);
    } catch (err) {
      if (isTransportError(err) || !(err instanceof ApiError)) throw err;
      if (err.reason === 'NotFound') continue; // gone already: nothing to wait for
      errors.push(`error when evicting pods/"${name}" -n "${namespace}": ${err.message}`);
    }
  }
  const left = await waitUntilGone(s, node, evicted, timeoutMs, (pod) =>
    s.ctx.stdout.write(`pod/${pod.metadata.name ?? ''} evicted\n`),
  );
  for (const pod of left) {
    errors.push(
      `error when waiting for pod "${pod.metadata.name ?? ''}" in namespace "${pod.metadata.namespace ?? ''}" ` +
        'to terminate: context deadline exceeded',
    );
  }
  return errors;
}

/**
 * Waits until none of `pods` (by uid) is left on the node, calling onGone for each as it goes: a list of the
 * node's pods, then a watch from that list's resourceVersion until their DELETED events (a watch that ends is
 * resumed from a fresh list). Returns the pods still there when the timeout (on the CLI's clock) passed.
 */
async function waitUntilGone(
  s: Session,
  node: string,
  pods: Pod[],
  timeoutMs: number,
  onGone: (pod: Pod) => void,
): Promise<Pod[]> {
  const pending = new Map(pods.map((p) => [p.metadata.uid ?? '', p]));
  const settle = (uid: string | undefined) => {
    const pod = pending.get(uid ?? '');
    if (!pod) return;
    pending.delete(uid ?? '');
    onGone(pod);
  };
  const fieldSelector = `spec.nodeName=${node}`;
  let timedOut = false;
  let handle: WatchHandle | undefined;
  const timer =
    timeoutMs > 0
      ? s.ctx.clock.setTimeout(() => {
          timedOut = true;
          handle?.stop();
        }, timeoutMs)
      : undefined;
  try {
    while (pending.size > 0 && !timedOut) {
      const list = await s.client.list<Pod>(PODS, undefined, { fieldSelector });
      const live = new Set(list.items.map((p) => p.metadata.uid));
      for (const uid of [...pending.keys()]) if (!live.has(uid)) settle(uid);
      if (pending.size === 0 || timedOut) break;
      const watch = s.client.watch<Pod>(
        PODS,
        undefined,
        { fieldSelector, resourceVersion: list.metadata.resourceVersion },
        (ev) => {
          if (ev.type === 'DELETED') settle(ev.object.metadata.uid);
          // ERROR (e.g. 410 Expired): list again and watch from there.
          if (ev.type === 'ERROR' || pending.size === 0) watch.stop();
        },
      );
      handle = watch;
      try {
        await watch.done;
      } catch (err) {
        if (!timedOut) throw err;
      }
    }
  } finally {
    s.ctx.clock.clearTimeout(timer);
  }
  return [...pending.values()];
}
