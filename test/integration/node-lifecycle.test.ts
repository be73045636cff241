// Node failure on a real 2-node lab (lab profile: a node is Unknown 10 s after its last heartbeat, pods evicted
// 5 s after the unreachable taint): kill-node node2 → Ready=Unknown, unreachable taints, the Deployment's pod there
// is evicted and replaced on node1 (the seconds from the power cut to all replicas Ready are printed);
// restart-node → node2 Ready, taints gone, its agent finishes the stale pod, exactly the replicas remain.
// Then partition → the same failover while node2's agent keeps running its pods; heal → its agent stops and removes
// the pods that were deleted meanwhile, so no duplicate survives.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, Event, Node, Pod } from '../../src/api/types.js';
import { DEPLOYMENTS, EVENTS, NODES, PODS } from '../../src/client/api-client.js';
import { HttpApiClient } from '../../src/client/http-api-client.js';
import { labDown, labUp, type Lab } from '../../src/lab/lab.js';
import { freePort, kubeconfigClient, requireBuild, waitFor } from '../e2e/harness.js';

const NAME = `nl${randomBytes(3).toString('hex')}`;
const LAN = `10.${randomInt(200, 244)}.${randomInt(0, 256)}`;
const CLUSTER_CIDR = `10.${randomInt(150, 190)}.0.0/16`;
const GRACE_S = 10;
const UNREACHABLE = 'node.kubernetes.io/unreachable';

let lab: Lab;
let client: HttpApiClient;
const log: string[] = [];

beforeAll(async () => {
  requireBuild();
  if (process.getuid?.() !== 0) throw new Error('the lab test needs root');
  lab = await labUp({
    nodes: 2,
    name: NAME,
    subnet: `${LAN}.0/24`,
    port: await freePort(),
    clusterCIDR: CLUSTER_CIDR,
    progress: (l) => log.push(l),
  });
  client = kubeconfigClient(lab.kubeconfig);
}, 120_000);

afterAll(async () => {
  client?.close();
  await labDown(NAME).catch((err) => console.error(`lab down failed: ${err}`));
  if (process.env.SKIFF_LAB_TEST_LOG) console.log(log.join('\n'));
}, 60_000);

const deployment = (app: string): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: app, namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app } },
    template: {
      metadata: { labels: { app } },
      spec: { containers: [{ name: app, image: 'skiff/busybox:1', command: ['sleep', '3600'] }] },
    },
  },
});

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const podsOf = async (app: string) =>
  (await client.list<Pod>(PODS, 'default', { labelSelector: `app=${app}` })).items;
const webPods = () => podsOf('web');
const containersOf = (node: string, pod: string) =>
  execFileSync(
    'docker',
    ['-H', lab.node(node).dockerHost, 'ps', '-aq', '--filter', `label=io.skiff.pod.name=${pod}`],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  ).trim();
const nodeNamed = async (name: string) => client.get<Node>(NODES, undefined, name);
const readyOf = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const seconds = (from: number) => (Date.now() - from) / 1000;

describe('node lifecycle on a 2-node lab', () => {
  it('kill-node → Unknown, tainted, pods replaced on node1; restart-node → Ready, untainted, no duplicates', async () => {
    const [n1, n2] = lab.nodes.map((n) => n.name);
    await client.create(DEPLOYMENTS, 'default', deployment('web'));
    const before = await waitFor(
      'both replicas Ready, one per node',
      async () => {
        const pods = await webPods();
        const ready = pods.filter((p) => isReady(p) && !p.metadata.deletionTimestamp);
        return ready.length === 2 && new Set(ready.map((p) => p.spec.nodeName)).size === 2
          ? ready
          : undefined;
      },
      60_000,
    );
    // DefaultTolerationSeconds gave them the lab's 5 s.
    expect(before[0].spec.tolerations).toEqual(
      expect.arrayContaining([
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 5,
        },
        { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
      ]),
    );
    const stale = before.find((p) => p.spec.nodeName === n2)!;

    const killedAt = Date.now();
    await lab.killNode(n2);

    await waitFor('node2 Unknown', async () => readyOf(await nodeNamed(n2)) === 'Unknown', 30_000, 100);
    const unknownAfter = seconds(killedAt);
    expect(unknownAfter).toBeLessThanOrEqual(GRACE_S + 3);
    const tainted = await waitFor(
      'the unreachable taints',
      async () => {
        const n = await nodeNamed(n2);
        return (n.spec.taints ?? []).some((t) => t.key === UNREACHABLE && t.effect === 'NoExecute')
          ? n
          : undefined;
      },
      5_000,
      100,
    );
    expect(tainted.spec.taints?.map((t) => `${t.key}:${t.effect}`).sort()).toEqual([
      `${UNREACHABLE}:NoExecute`,
      `${UNREACHABLE}:NoSchedule`,
    ]);
    expect(readyOf(await nodeNamed(n1))).toBe('True');

    const replaced = await waitFor(
      'two Ready replicas on node1',
      async () => {
        const live = (await webPods()).filter((p) => !p.metadata.deletionTimestamp);
        return live.length === 2 && live.every((p) => p.spec.nodeName === n1 && isReady(p))
          ? live
          : undefined;
      },
      45_000,
      100,
    );
    const recovered = seconds(killedAt);
    console.log(
      `kill-node ${n2}: Unknown after ${unknownAfter.toFixed(1)} s, all replicas Ready again after ` +
        `${recovered.toFixed(1)} s (goal ≤ 20 s)`,
    );
    expect(replaced.map((p) => p.metadata.name)).not.toContain(stale.metadata.name);
    // The evicted pod waits, Terminating, for its agent: nobody else can confirm its containers are gone.
    const evicted = await client.get<Pod>(PODS, 'default', stale.metadata.name!);
    expect(evicted.metadata.deletionTimestamp).toBeDefined();
    expect(evicted.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason).toBe(
      'DeletionByTaintManager',
    );
    const events = (await client.list<Event>(EVENTS, undefined)).items;
    expect(
      events.some(
        (e) =>
          e.reason === 'TaintManagerEviction' &&
          e.message === `Marking for deletion Pod default/${stale.metadata.name}`,
      ),
    ).toBe(true);
    expect(events.some((e) => e.reason === 'NodeNotReady' && e.involvedObject.name === n2)).toBe(true);

    const restartedAt = Date.now();
    await lab.restartNode(n2, { waitReady: true, timeoutMs: 60_000 });
    await waitFor(
      'node2 without taints',
      async () => !(await nodeNamed(n2)).spec.taints?.length,
      15_000,
      100,
    );
    await waitFor(
      'the stale pod gone',
      async () => !(await webPods()).some((p) => p.metadata.name === stale.metadata.name),
      45_000,
      250,
    );
    console.log(
      `restart-node ${n2}: Ready, untainted and the stale pod gone after ${seconds(restartedAt).toFixed(1)} s`,
    );
    const after = await webPods();
    expect(after.map((p) => p.metadata.name).sort()).toEqual(replaced.map((p) => p.metadata.name).sort());
    expect(after.every((p) => p.spec.nodeName === n1 && isReady(p))).toBe(true);
    // node1 never looked dead meanwhile.
    const nodeEvents = (await client.list<Event>(EVENTS, undefined)).items;
    expect(nodeEvents.filter((e) => e.reason === 'NodeNotReady' && e.involvedObject.name === n1)).toEqual([]);
    // No container of the stale pod survives on node2.
    expect(containersOf(n2, stale.metadata.name!)).toBe('');
  });

  it('partition → Unknown, pods rescheduled; heal → Ready, the stale pods’ running containers stopped and removed', async () => {
    const [n1, n2] = lab.nodes.map((n) => n.name);
    await client.create(DEPLOYMENTS, 'default', deployment('api'));
    const before = await waitFor(
      'two api replicas Ready, one on node2 or more',
      async () => {
        const ready = (await podsOf('api')).filter((p) => isReady(p) && !p.metadata.deletionTimestamp);
        return ready.length === 2 && ready.some((p) => p.spec.nodeName === n2) ? ready : undefined;
      },
      60_000,
    );
    const stale = before.filter((p) => p.spec.nodeName === n2).map((p) => p.metadata.name!);
    expect(containersOf(n2, stale[0])).not.toBe('');

    const cutAt = Date.now();
    await lab.partition(n2);
    await waitFor('node2 Unknown', async () => readyOf(await nodeNamed(n2)) === 'Unknown', 30_000, 100);
    await waitFor(
      'two api replicas Ready on node1',
      async () => {
        const live = (await podsOf('api')).filter((p) => !p.metadata.deletionTimestamp);
        return live.length === 2 && live.every((p) => p.spec.nodeName === n1 && isReady(p));
      },
      45_000,
      100,
    );
    console.log(`partition ${n2}: all api replicas Ready on ${n1} after ${seconds(cutAt).toFixed(1)} s`);
    // Cut off, the agent keeps running what it was told to run.
    expect(containersOf(n2, stale[0])).not.toBe('');

    const healedAt = Date.now();
    await lab.heal(n2);
    await waitFor('node2 Ready', async () => readyOf(await nodeNamed(n2)) === 'True', 45_000, 250);
    await waitFor(
      'node2 without taints',
      async () => !(await nodeNamed(n2)).spec.taints?.length,
      15_000,
      100,
    );
    await waitFor(
      'the stale api pods gone',
      async () => !(await podsOf('api')).some((p) => stale.includes(p.metadata.name!)),
      60_000,
      250,
    );
    console.log(`heal ${n2}: Ready and the stale pods gone after ${seconds(healedAt).toFixed(1)} s`);
    const after = await podsOf('api');
    expect(after).toHaveLength(2);
    expect(after.every((p) => p.spec.nodeName === n1 && isReady(p))).toBe(true);
    for (const name of stale) expect(containersOf(n2, name)).toBe('');
  });
});
