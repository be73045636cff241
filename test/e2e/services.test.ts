// Service networking end to end on a real 2-node lab (network namespaces, one dockerd each, real iptables):
// ClusterIP balancing from a pod, DNS by short name and FQDN, readiness taking a pod out of rotation and back,
// liveness restarts, NodePort from the host, Service deletion removing its chains, and a stopped agent leaving no
// skiff rule behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod, Service } from '../../src/api/types.js';
import { PODS, SERVICES } from '../../src/client/api-client.js';
import { waitFor } from './harness.js';
import { startTestLab, type TestLab } from './lab-harness.js';

let t: TestLab;

beforeAll(async () => {
  t = await startTestLab(2);
}, 120_000);

afterAll(async () => {
  await t?.down();
}, 60_000);

const BACKEND = `apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: 3
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: hello
          image: skiff/hello:1
          ports: [{name: http, containerPort: 8080}]
          env:
            - name: POD_NAME
              valueFrom: {fieldRef: {fieldPath: metadata.name}}
          readinessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 2
            failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec:
  type: NodePort
  selector: {app: backend}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: main
      image: skiff/busybox:1
      command: ['sleep', '3600']
`;

/** Calls the Service `n` times from the client pod; returns the pod names that answered, in order. */
async function callFromClient(n: number, url = 'http://backend/'): Promise<string[]> {
  const script = `for i in $(seq ${n}); do timeout 3 wget -qO- ${url} || echo FAILED; done`;
  const r = await t.kubectl(['exec', 'client', '--', 'sh', '-c', script]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => /hello from (\S+)/.exec(l)?.[1] ?? l);
}

const backendPods = async () =>
  (await t.client.list<Pod>(PODS, 'default', { labelSelector: 'app=backend' })).items.filter(
    (p) => !p.metadata.deletionTimestamp,
  );

describe('Services, DNS and probes on a 2-node lab', () => {
  it('spreads 300 requests from a pod over all 3 backend pods, none under 20%', async () => {
    const applied = await t.kubectl(['apply', '-f', '-'], BACKEND);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await t.kubectl(['rollout', 'status', 'deployment/backend', '--timeout=120s'])).code).toBe(0);
    await waitFor(
      'client Running',
      async () => (await t.client.get<Pod>(PODS, 'default', 'client')).status?.phase === 'Running',
      60_000,
    );
    const nodesUsed = new Set((await backendPods()).map((p) => p.spec.nodeName));
    expect(nodesUsed.size).toBe(2);
    // Rolled out is not yet in the client node's rules (endpoints controller → proxy, at most one sync per second):
    // wait until every pod has answered through the Service once, then count.
    await waitFor(
      'all 3 backend pods answering through the Service',
      async () => new Set(await callFromClient(30)).size === 3,
      60_000,
    );
    const answers = await callFromClient(300);
    expect(answers.length).toBe(300);
    expect(answers).not.toContain('FAILED');
    const counts = new Map<string, number>();
    for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
    const names = (await backendPods()).map((p) => p.metadata.name!).sort();
    expect([...counts.keys()].sort()).toEqual(names);
    console.log(`300 requests over the Service: ${[...counts.values()].join(' / ')}`);
    for (const [pod, c] of counts) expect(c, `${pod} got ${c}/300`).toBeGreaterThanOrEqual(60);
  }, 240_000);

  it('resolves the Service by short name and by FQDN', async () => {
    const svc = await t.client.get<Service>(SERVICES, 'default', 'backend');
    for (const name of ['backend', 'backend.default.svc.cluster.local']) {
      const r = await t.kubectl(['exec', 'client', '--', 'nslookup', name]);
      expect(r.stdout, `${name}: ${r.stderr}`).toContain(`Address: ${svc.spec.clusterIP}`);
    }
    // The libc resolver walks the search list (ndots:5), so partial names work too.
    for (const url of ['http://backend.default/', 'http://backend.default.svc.cluster.local/']) {
      const answers = await callFromClient(3, url);
      expect(
        answers.every((a) => a.startsWith('backend-')),
        `${url}: ${answers}`,
      ).toBe(true);
    }
    const missing = await t.kubectl(['exec', 'client', '--', 'nslookup', 'nope.default.svc.cluster.local']);
    expect(missing.stdout + missing.stderr).toMatch(/NXDOMAIN|can't find/);
  });

  it('takes a pod whose readiness fails out of rotation within two probe periods, and back when it recovers', async () => {
    const victim = (await backendPods())[0].metadata.name!;
    const rm = await t.kubectl(['exec', victim, '--', 'rm', '/www/healthz']);
    expect(rm.code, rm.stderr).toBe(0);
    const t0 = Date.now();
    await waitFor(
      `${victim} out of the endpoints`,
      async () => {
        const ep = await t.client.get(
          { group: '', version: 'v1', resource: 'endpoints' },
          'default',
          'backend',
        );
        const ready = ((ep as any).subsets ?? []).flatMap((s: any) => s.addresses ?? []);
        return !ready.some((a: any) => a.targetRef?.name === victim);
      },
      20_000,
      100,
    );
    const outAfter = Date.now() - t0;
    console.log(`readiness failure → out of the endpoints in ${outAfter} ms (probe period 2000 ms)`);
    // Two probe periods of 2 s: the probe notices within one period, the rest (status, endpoints, iptables) is fast.
    expect(outAfter).toBeLessThanOrEqual(4_000);
    // The proxy follows at most its minimum sync period (1 s) later; after that the victim gets nothing.
    await new Promise((r) => setTimeout(r, 1_500));
    const during = await callFromClient(60);
    expect(during).not.toContain(victim);
    expect(during).not.toContain('FAILED');

    const restore = await t.kubectl(['exec', victim, '--', 'sh', '-c', 'echo ok > /www/healthz']);
    expect(restore.code).toBe(0);
    await waitFor(
      'the victim back in rotation',
      async () => (await callFromClient(20)).includes(victim),
      20_000,
      500,
    );
  }, 120_000);

  it('restarts a container whose liveness probe fails', async () => {
    const applied = await t.kubectl(
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Pod
metadata: {name: lively}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: skiff/busybox:1
      command: ['sh', '-c', 'touch /tmp/alive; sleep 3600']
      livenessProbe:
        exec: {command: ['cat', '/tmp/alive']}
        periodSeconds: 1
        failureThreshold: 2
`,
    );
    expect(applied.code, applied.stderr).toBe(0);
    await waitFor(
      'lively Running',
      async () => (await t.client.get<Pod>(PODS, 'default', 'lively')).status?.phase === 'Running',
      60_000,
    );
    await t.kubectl(['exec', 'lively', '--', 'rm', '/tmp/alive']);
    const pod = await waitFor(
      'restartCount 1',
      async () => {
        const p = await t.client.get<Pod>(PODS, 'default', 'lively');
        return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined;
      },
      30_000,
      250,
    );
    expect(pod.status!.containerStatuses![0].lastState.terminated).toBeDefined();
    const events = await t.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=lively']);
    expect(events.stdout).toMatch(/Unhealthy\s+pod\/lively\s+Liveness probe failed/);
    expect(events.stdout).toMatch(
      /Killing\s+pod\/lively\s+Container main failed liveness probe, will be restarted/,
    );
  }, 90_000);

  it('answers on the NodePort of every node from the host', async () => {
    const svc = await t.client.get<Service>(SERVICES, 'default', 'backend');
    const nodePort = svc.spec.ports![0].nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    for (const node of t.lab.nodes) {
      const res = await fetch(`http://${node.ip}:${nodePort}/`, { signal: AbortSignal.timeout(5_000) });
      expect(await res.text()).toMatch(/^hello from backend-/);
    }
  });

  it('removes the Service’s chains when it is deleted', async () => {
    const node = t.lab.nodes[0].name;
    const before = (await t.nodeExec(node, ['iptables-save', '-t', 'nat'])).stdout;
    expect(before).toContain('"default/backend:http');
    const del = await t.kubectl(['delete', 'service', 'backend']);
    expect(del.code).toBe(0);
    await waitFor(
      'backend chains gone on both nodes',
      async () => {
        for (const n of t.lab.nodes) {
          const nat = (await t.nodeExec(n.name, ['iptables-save', '-t', 'nat'])).stdout;
          if (nat.includes('default/backend:http')) return false;
        }
        return true;
      },
      10_000,
      200,
    );
  });

  it('leaves no skiff chain or rule behind when the agent stops', async () => {
    const node = t.lab.nodes[1].name;
    const save = async () =>
      (await t.nodeExec(node, ['iptables-save'])).stdout
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .map((l) => l.replace(/\[\d+:\d+\]/g, ''));
    await t.lab.stopAgent(node);
    const clean = await save();
    // Ours: SKIFF-* chains and the hook rules tagged `--comment skiff` (Docker's own rules for the pod bridge
    // stay with the Docker network, which running pods still use).
    expect(clean.filter((l) => /SKIFF-|--comment skiff\b/.test(l))).toEqual([]);
    await t.lab.startAgent(node);
    await t.lab.waitNodeReady(node);
    await waitFor(
      'the agent to put its rules back',
      async () => (await save()).some((l) => l.includes('SKIFF-SERVICES')),
      20_000,
    );
    await t.lab.stopAgent(node);
    expect(await save()).toEqual(clean);
    await t.lab.startAgent(node);
  }, 90_000);
});
