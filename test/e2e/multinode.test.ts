// Multi-node behaviour on a real 3-node lab: spreading, DaemonSets following nodes (including one that joins later),
// Services across nodes by DNS name from every node, and failover when a node loses power or its network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Pod } from '../../src/api/types.js';
import { NODES, PODS } from '../../src/client/api-client.js';
import { run, waitFor } from './harness.js';
import { startTestLab, type TestLab } from './lab-harness.js';

let t: TestLab;
let names: string[] = [];

beforeAll(async () => {
  t = await startTestLab(3);
  names = t.lab.nodes.map((n) => n.name);
}, 120_000);

afterAll(async () => {
  await t?.down();
}, 60_000);

const pods = async (selector: string) =>
  (await t.client.list<Pod>(PODS, 'default', { labelSelector: selector })).items;
const live = (ps: Pod[]) => ps.filter((p) => !p.metadata.deletionTimestamp);
const ready = (p: Pod) =>
  !p.metadata.deletionTimestamp &&
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
const perNode = (ps: Pod[]) => {
  const m: Record<string, number> = {};
  for (const p of ps) m[p.spec.nodeName ?? '-'] = (m[p.spec.nodeName ?? '-'] ?? 0) + 1;
  return m;
};
const nodeReady = async (name: string) => {
  const n = await t.client.get<Node>(NODES, undefined, name);
  return n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
};

function deployment(name: string, replicas: number, extra = '') {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
${extra}      containers:
        - name: hello
          image: skiff/hello:1
          ports: [{name: http, containerPort: 8080}]
          env:
            - name: POD_NAME
              valueFrom: {fieldRef: {fieldPath: metadata.name}}
          readinessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 1
`;
}

describe('a 3-node lab', () => {
  it('spreads a 6-replica Deployment 2/2/2', async () => {
    expect((await t.kubectl(['apply', '-f', '-'], deployment('spread', 6))).code).toBe(0);
    expect((await t.kubectl(['rollout', 'status', 'deployment/spread', '--timeout=120s'])).code).toBe(0);
    const counts = perNode(live(await pods('app=spread')));
    expect(Object.values(counts).sort()).toEqual([2, 2, 2]);
    expect(Object.keys(counts).sort()).toEqual([...names].sort());
    await t.kubectl(['delete', 'deployment', 'spread']);
  }, 180_000);

  it('runs one DaemonSet pod per node, and one on a node that joins later', async () => {
    const ds = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: probe}
spec:
  selector: {matchLabels: {app: probe}}
  template:
    metadata: {labels: {app: probe}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
        - name: main
          image: skiff/busybox:1
          command: ['sleep', '3600']
`;
    expect((await t.kubectl(['apply', '-f', '-'], ds)).code).toBe(0);
    await waitFor(
      'a probe pod Running on each node',
      async () => {
        const ps = live(await pods('app=probe')).filter((p) => p.status?.phase === 'Running');
        return ps.length === 3 && new Set(ps.map((p) => p.spec.nodeName)).size === 3;
      },
      90_000,
    );

    const grown = await t.resize(4);
    const joined = grown.nodes[3].name;
    await waitFor(
      `a probe pod Running on ${joined}`,
      async () =>
        live(await pods('app=probe')).some(
          (p) => p.spec.nodeName === joined && p.status?.phase === 'Running',
        ),
      90_000,
    );
    expect(perNode(live(await pods('app=probe')))).toEqual(
      Object.fromEntries(grown.nodes.map((n) => [n.name, 1])),
    );
    await t.kubectl(['delete', 'daemonset', 'probe']);
    await t.resize(3);
    await waitFor(
      'the lab back to 3 nodes',
      async () => (await t.client.list<Node>(NODES, undefined)).items.length === 3 || undefined,
      30_000,
    ).catch(() => undefined);
  }, 240_000);

  it('reaches a Service whose pods are on node2 and node3 by DNS name from a pod on every node', async () => {
    const affinity = `      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - {key: kubernetes.io/hostname, operator: In, values: [${names[1]}, ${names[2]}]}
`;
    const manifests = `${deployment('remote', 2, affinity)}---
apiVersion: v1
kind: Service
metadata: {name: remote}
spec:
  selector: {app: remote}
  ports: [{port: 80, targetPort: http}]
`;
    expect((await t.kubectl(['apply', '-f', '-'], manifests)).code).toBe(0);
    expect((await t.kubectl(['rollout', 'status', 'deployment/remote', '--timeout=120s'])).code).toBe(0);
    const servedBy = new Set(live(await pods('app=remote')).map((p) => p.spec.nodeName));
    expect([...servedBy].sort()).toEqual([names[1], names[2]].sort());

    for (const node of names) {
      const client = `client-${node}`;
      const pod = `apiVersion: v1
kind: Pod
metadata: {name: ${client}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 0
  containers:
    - name: main
      image: skiff/busybox:1
      command: ['sleep', '3600']
`;
      expect((await t.kubectl(['apply', '-f', '-'], pod)).code).toBe(0);
    }
    for (const node of names) {
      const client = `client-${node}`;
      await waitFor(
        `${client} Running`,
        async () => (await t.client.get<Pod>(PODS, 'default', client)).status?.phase === 'Running',
        60_000,
      );
      const r = await t.kubectl([
        'exec',
        client,
        '--',
        'sh',
        '-c',
        'for i in 1 2 3 4 5 6; do timeout 3 wget -qO- http://remote/ || echo FAILED; done',
      ]);
      expect(r.stdout, `from ${node}: ${r.stderr}`).not.toContain('FAILED');
      expect(r.stdout.match(/hello from remote-/g)?.length, `from ${node}`).toBe(6);
    }
  }, 240_000);

  it('replaces the pods of a node that loses power, and leaves no duplicates when it comes back', async () => {
    expect((await t.kubectl(['apply', '-f', '-'], deployment('failover', 3))).code).toBe(0);
    expect((await t.kubectl(['rollout', 'status', 'deployment/failover', '--timeout=120s'])).code).toBe(0);
    const victim = names[1];
    const onVictim = live(await pods('app=failover')).filter((p) => p.spec.nodeName === victim).length;
    expect(onVictim).toBeGreaterThan(0);

    const t0 = Date.now();
    await t.lab.killNode(victim);
    await waitFor(
      'all 3 replicas Ready on the other nodes',
      async () => {
        const ps = live(await pods('app=failover')).filter((p) => p.spec.nodeName !== victim && ready(p));
        return ps.length === 3;
      },
      60_000,
      250,
    );
    const seconds = (Date.now() - t0) / 1000;
    console.log(`kill-node ${victim}: all replicas Ready again after ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThanOrEqual(20);
    expect(await nodeReady(victim)).toBe('Unknown');

    await t.lab.restartNode(victim, { waitReady: true });
    await waitFor(
      'no pod left on the restarted node, exactly 3 replicas',
      async () => {
        const all = await pods('app=failover');
        return all.length === 3 && all.every((p) => p.spec.nodeName !== victim);
      },
      60_000,
      500,
    );
    // And on the node itself: no container of those pods is left running.
    const node = t.lab.nodes.find((n) => n.name === victim)!;
    const running = await run('docker', [
      '-H',
      node.dockerHost,
      'ps',
      '--format',
      '{{.Label "io.skiff.pod.name"}}',
    ]);
    expect(running.stdout.split('\n').filter((n) => n.startsWith('failover-'))).toEqual([]);
  }, 180_000);

  it('reschedules the pods of a partitioned node; after healing the node is Ready and its stale pods are gone', async () => {
    const victim = names[2];
    await waitFor('failover pods spread again', async () => live(await pods('app=failover')).length === 3);
    // Make sure something runs on the victim: scale up so the scheduler has to use it.
    await t.kubectl(['scale', 'deployment/failover', '--replicas=6']);
    await waitFor(
      'a failover pod on the victim',
      async () => live(await pods('app=failover')).some((p) => p.spec.nodeName === victim && ready(p)),
      60_000,
    );

    await t.lab.partition(victim);
    await waitFor(
      'the partitioned node Unknown',
      async () => (await nodeReady(victim)) === 'Unknown',
      30_000,
      250,
    );
    await waitFor(
      '6 replicas Ready off the partitioned node',
      async () =>
        live(await pods('app=failover')).filter((p) => p.spec.nodeName !== victim && ready(p)).length === 6,
      60_000,
      250,
    );

    await t.lab.heal(victim);
    await waitFor('the healed node Ready', async () => (await nodeReady(victim)) === 'True', 30_000, 250);
    await waitFor(
      'stale pods on the healed node removed, 6 replicas in total',
      async () => {
        const all = await pods('app=failover');
        return all.length === 6 && all.every((p) => p.spec.nodeName !== victim);
      },
      60_000,
      500,
    );
  }, 240_000);
});
