// cordon / uncordon / drain end to end: a real master and two agents on the host's Docker engine (each touches
// only its own node's containers), a 2-replica Deployment, a DaemonSet and a bare pod, driven by stock kubectl
// (`kubectl drain` evicts through pods/eviction, found in discovery) and by `skiff drain`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, requireBuild, waitFor } from './harness.js';

const cluster = new Cluster();
let node1 = '';
let node2 = '';

beforeAll(async () => {
  requireBuild();
  await cluster.startMaster();
  [node1, node2] = [await cluster.startAgent('n1'), await cluster.startAgent('n2')];
});

afterAll(async () => {
  await cluster.destroy();
});

function apply(name: string, yaml: string) {
  const file = join(cluster.dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return cluster.kubectl(['apply', '-f', file]);
}

const pods = async (selector: string): Promise<any[]> =>
  (await cluster.getJson(`/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`))
    .items;
const isReady = (p: any) =>
  !p.metadata.deletionTimestamp &&
  p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
/** The ready pods of a selector when there are exactly `n` pods and all are ready, else undefined. */
const allReady = async (selector: string, n: number) => {
  const list = await pods(selector);
  return list.length === n && list.every(isReady) ? list : undefined;
};

const workloads = () => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers: [{name: hello, image: skiff/hello:1}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: hello, image: skiff/hello:1}]
`;

const barePod = () => `apiVersion: v1
kind: Pod
metadata: {name: bare, labels: {app: bare}}
spec:
  nodeName: ${node1}
  terminationGracePeriodSeconds: 1
  containers: [{name: hello, image: skiff/hello:1}]
`;

/** Waits for the DaemonSet's pod on node1 and returns its uid. */
async function daemonPodOnNode1(): Promise<string> {
  const list = await waitFor('one DaemonSet pod per node, ready', () => allReady('app=agent', 2));
  return list.find((p) => p.spec.nodeName === node1).metadata.uid;
}

/** After a drain of node1: the Deployment's 2 pods ready on node2, the DaemonSet pod kept, the bare pod gone. */
async function expectDrained(daemonUid: string): Promise<void> {
  const web = await waitFor(
    "the Deployment's pods ready on node2",
    async () => {
      const list = await allReady('app=web', 2);
      return list?.every((p) => p.spec.nodeName === node2) ? list : undefined;
    },
    30_000,
  );
  expect(web).toHaveLength(2);
  const daemon = (await pods('app=agent')).filter((p) => p.spec.nodeName === node1);
  expect(daemon.map((p) => p.metadata.uid)).toEqual([daemonUid]);
  expect(await cluster.getJson('/api/v1/namespaces/default/pods/bare')).toBeUndefined();
}

describe('cordon, uncordon and drain on two nodes', () => {
  it('kubectl cordon: SchedulingDisabled, new pods avoid the node; uncordon lifts it', async () => {
    expect((await apply('workloads', workloads())).code).toBe(0);
    expect((await apply('bare', barePod())).code).toBe(0);
    await waitFor('web ready', () => allReady('app=web', 2));
    await daemonPodOnNode1();

    const cordon = await cluster.kubectl(['cordon', node1]);
    expect(cordon).toMatchObject({ code: 0, stdout: `node/${node1} cordoned\n` });
    const nodes = await cluster.kubectl(['get', 'nodes']);
    expect(nodes.stdout).toMatch(new RegExp(`^${node1}\\s+Ready,SchedulingDisabled\\s`, 'm'));
    expect(nodes.stdout).toMatch(new RegExp(`^${node2}\\s+Ready\\s`, 'm'));
    expect((await cluster.kubectl(['cordon', node1])).stdout).toBe(`node/${node1} already cordoned\n`);

    const created = await cluster.kubectl([
      'create',
      'deployment',
      'avoid',
      '--image=skiff/hello:1',
      '--replicas=3',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const avoid = await waitFor('the new Deployment ready', () => allReady('app=avoid', 3));
    expect(avoid.map((p) => p.spec.nodeName)).toEqual([node2, node2, node2]);
    expect((await cluster.kubectl(['delete', 'deployment', 'avoid'])).code).toBe(0);

    const uncordon = await cluster.kubectl(['uncordon', node1]);
    expect(uncordon).toMatchObject({ code: 0, stdout: `node/${node1} uncordoned\n` });
    expect((await cluster.kubectl(['get', 'nodes'])).stdout).toMatch(
      new RegExp(`^${node1}\\s+Ready\\s`, 'm'),
    );
  });

  it('kubectl drain --ignore-daemonsets --force: evicts, moves the Deployment to node2, keeps the DaemonSet pod', async () => {
    const daemonUid = await daemonPodOnNode1();
    // The scheduler spread the Deployment: one of its pods runs on node1 and has to move.
    const before = await waitFor('web ready', () => allReady('app=web', 2));
    const onNode1 = before.find((p) => p.spec.nodeName === node1)?.metadata.name;
    expect(onNode1).toBeDefined();
    // Without --force the bare pod blocks the drain (the node is cordoned all the same).
    const refused = await cluster.kubectl(['drain', node1, '--ignore-daemonsets']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error: unable to drain node "${node1}"`);
    expect(refused.stderr).toContain(
      'Pods that declare no controller (use --force to override): default/bare',
    );

    const drained = await cluster.kubectl([
      'drain',
      node1,
      '--ignore-daemonsets',
      '--force',
      '--timeout=40s',
    ]);
    expect(drained.code, drained.stderr).toBe(0);
    expect(drained.stdout).toContain('evicting pod default/bare\n');
    expect(drained.stdout).toContain('pod/bare evicted\n');
    expect(drained.stdout).toContain(`pod/${onNode1} evicted\n`);
    expect(drained.stdout).toMatch(new RegExp(`node/${node1} drained\\n$`));
    expect(drained.stderr).toContain('ignoring DaemonSet-managed Pods: default/agent-');
    await expectDrained(daemonUid);
    expect((await cluster.kubectl(['get', 'nodes'])).stdout).toMatch(
      new RegExp(`^${node1}\\s+Ready,SchedulingDisabled\\s`, 'm'),
    );
  });

  it('skiff uncordon, then skiff drain does the same', async () => {
    expect(await cluster.skiff(['uncordon', node1])).toMatchObject({
      code: 0,
      stdout: `node/${node1} uncordoned\n`,
    });
    expect((await apply('bare', barePod())).code).toBe(0);
    // A restart makes new pods; with node2 cordoned for the while they land on node1 (spreading alone would put
    // one there too, but not for certain: the first new pod may tie-break to node2 and the second follow it).
    expect((await cluster.skiff(['cordon', node2])).code).toBe(0);
    expect((await cluster.kubectl(['rollout', 'restart', 'deployment/web'])).code).toBe(0);
    await waitFor('a web pod on node1', async () => {
      const list = await allReady('app=web', 2);
      return list?.some((p) => p.spec.nodeName === node1);
    });
    expect((await cluster.skiff(['uncordon', node2])).code).toBe(0);
    await waitFor('the bare pod ready', () => allReady('app=bare', 1));
    const daemonUid = await daemonPodOnNode1();
    const onNode1 = (await pods('app=web')).find((p) => p.spec.nodeName === node1).metadata.name;

    const drained = await cluster.skiff([
      'drain',
      node1,
      '--ignore-daemonsets',
      '--force',
      '--timeout',
      '40s',
    ]);
    expect(drained.code, drained.stderr).toBe(0);
    const lines = drained.stdout.split('\n');
    expect(lines[0]).toBe(`node/${node1} cordoned`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'evicting pod default/bare',
        `evicting pod default/${onNode1}`,
        'pod/bare evicted',
        `pod/${onNode1} evicted`,
      ]),
    );
    expect(drained.stdout).toMatch(new RegExp(`node/${node1} drained\\n$`));
    expect(drained.stderr).toMatch(/^Warning: .*ignoring DaemonSet-managed Pods: default\/agent-/);
    await expectDrained(daemonUid);
  });
});
