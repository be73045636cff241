// Pod lifecycle on the real Docker engine through a real master and agent: shared localhost and emptyDir,
// CrashLoopBackOff timing, graceful deletion, and an agent killed with SIGKILL re-adopting its containers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, requireBuild, run, waitFor } from './harness.js';

const cluster = new Cluster();
let node = '';

beforeAll(async () => {
  requireBuild();
  await cluster.startMaster();
  node = await cluster.startAgent();
});

afterAll(async () => {
  await cluster.destroy();
});

const PODS = '/api/v1/namespaces/default/pods';

async function createPod(pod: object): Promise<void> {
  const res = await cluster.fetch(PODS, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', ...pod }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

const getPod = (name: string) => cluster.getJson(`${PODS}/${name}`);

async function containersOf(pod: string): Promise<{ id: string; name: string }[]> {
  const r = await run('docker', [
    'ps',
    '-a',
    '--no-trunc',
    '--filter',
    `label=io.skiff.node=${node}`,
    '--filter',
    `label=io.skiff.pod.name=${pod}`,
    '--format',
    '{{.ID}} {{.Label "io.skiff.container.name"}}',
  ]);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [id, name] = l.split(' ');
      return { id, name };
    });
}

describe('pod lifecycle on Docker', () => {
  it('two containers share localhost and an emptyDir', async () => {
    await createPod({
      metadata: { name: 'pair' },
      spec: {
        terminationGracePeriodSeconds: 2,
        volumes: [{ name: 'shared', emptyDir: {} }],
        containers: [
          {
            name: 'web',
            image: 'skiff/busybox:1',
            command: ['httpd', '-f', '-p', '8080', '-h', '/shared'],
            volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
          },
          {
            name: 'client',
            image: 'skiff/busybox:1',
            command: [
              'sh',
              '-c',
              'echo from-client > /shared/index.html; while true; do wget -qO- http://127.0.0.1:8080/ && break; sleep 0.5; done; sleep 3600',
            ],
            volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
          },
        ],
      },
    });
    await waitFor('pair Running', async () => (await getPod('pair'))?.status?.phase === 'Running', 60_000);
    await waitFor('client fetched the page over localhost', async () => {
      const logs = await cluster.kubectl(['logs', 'pair', '-c', 'client']);
      return logs.stdout.includes('from-client');
    });
    const seen = await cluster.kubectl(['exec', 'pair', '-c', 'web', '--', 'cat', '/shared/index.html']);
    expect(seen.stdout.trim()).toBe('from-client');
    const names = (await containersOf('pair')).map((c) => c.name).sort();
    expect(names).toEqual(['POD', 'client', 'web']);
  });

  it('a container that exits 1 is restarted with growing backoff', async () => {
    await createPod({
      metadata: { name: 'crasher' },
      spec: { containers: [{ name: 'c', image: 'skiff/busybox:1', command: ['sh', '-c', 'exit 1'] }] },
    });
    const seenAt = new Map<number, number>();
    const start = Date.now();
    await waitFor(
      'restartCount 3',
      async () => {
        const pod = await getPod('crasher');
        const cs = pod?.status?.containerStatuses?.[0];
        if (cs && !seenAt.has(cs.restartCount)) seenAt.set(cs.restartCount, Date.now() - start);
        return (cs?.restartCount ?? 0) >= 3;
      },
      70_000,
      250,
    );
    const pod = await getPod('crasher');
    const cs = pod.status.containerStatuses[0];
    expect(cs.lastState.terminated.exitCode).toBe(1);
    // Kubernetes' CrashLoopBackOff: the first crash restarts at once, then 10 s, then 20 s.
    const first = seenAt.get(1)!;
    const second = seenAt.get(2)!;
    const third = seenAt.get(3)!;
    expect(first).toBeLessThan(6_000);
    expect(second - first).toBeGreaterThanOrEqual(8_000);
    expect(third - second).toBeGreaterThanOrEqual(17_000);
    const events = await cluster.getJson(
      `/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=crasher,reason=BackOff`,
    );
    expect(events.items.length).toBeGreaterThan(0);
    expect(events.items[0].message).toContain('Back-off restarting failed container');
  }, 90_000);

  it('deleting a pod stops and removes all its containers within the grace period', async () => {
    await createPod({
      metadata: { name: 'stubborn' },
      spec: {
        terminationGracePeriodSeconds: 3,
        containers: [
          {
            name: 'c',
            image: 'skiff/busybox:1',
            command: ['sh', '-c', "trap '' TERM; while true; do sleep 1; done"],
          },
        ],
      },
    });
    await waitFor(
      'stubborn Running',
      async () => (await getPod('stubborn'))?.status?.phase === 'Running',
      60_000,
    );
    expect((await containersOf('stubborn')).length).toBe(2);
    const t0 = Date.now();
    const res = await cluster.fetch(`${PODS}/stubborn`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    await waitFor(
      'stubborn gone from the API',
      async () => (await getPod('stubborn')) === undefined,
      20_000,
      100,
    );
    const elapsed = Date.now() - t0;
    expect(await containersOf('stubborn')).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(2_500);
    expect(elapsed).toBeLessThan(3_000 + 5_000);
  });

  it('an agent killed with SIGKILL and restarted leaves containers untouched', async () => {
    await createPod({
      metadata: { name: 'survivor' },
      spec: { containers: [{ name: 'c', image: 'skiff/busybox:1', command: ['sleep', '3600'] }] },
    });
    await waitFor(
      'survivor Running',
      async () => (await getPod('survivor'))?.status?.phase === 'Running',
      60_000,
    );
    const before = (await containersOf('survivor')).map((c) => c.id).sort();
    const statusBefore = (await getPod('survivor')).status;

    const agentName = cluster.daemons.find((d) => d.name.startsWith('agent-'))!.name;
    await cluster.stop(agentName, 'SIGKILL');
    await cluster.startAgent(agentName.slice('agent-'.length));
    cluster.nodes.pop(); // same node name as before; keep one entry

    // Give the new agent time to sync, then compare.
    await new Promise((r) => setTimeout(r, 3_000));
    const after = (await containersOf('survivor')).map((c) => c.id).sort();
    expect(after).toEqual(before);
    const pod = await getPod('survivor');
    expect(pod.status.phase).toBe('Running');
    expect(pod.status.containerStatuses[0].restartCount).toBe(0);
    expect(pod.status.containerStatuses[0].containerID).toBe(statusBefore.containerStatuses[0].containerID);
    expect(pod.status.podIP).toBe(statusBefore.podIP);
  });
});
