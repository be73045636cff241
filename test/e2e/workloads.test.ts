// Workload controllers end to end: stock kubectl drives Deployments (rolling update, history, undo, scale, cascade
// delete), a StatefulSet with per-pod storage, a DaemonSet, a failing Job and a CronJob, against a real master and
// agent on the host's Docker engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

function apply(name: string, yaml: string) {
  const file = join(cluster.dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return cluster.kubectl(['apply', '-f', file]);
}

const list = async (path: string): Promise<any[]> => (await cluster.getJson(path)).items;
const isReady = (p: any) =>
  !p.metadata.deletionTimestamp &&
  p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kubernetes.io/change-cause: first version
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: hello
          image: skiff/hello:1
          ports: [{containerPort: 8080}]
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
            periodSeconds: 1
`;

describe('workloads through stock kubectl', () => {
  it('rolls a Deployment to v2 keeping replicas − maxUnavailable ready, lists history, undoes, scales, deletes', async () => {
    const applied = await apply('web', DEPLOYMENT);
    expect(applied.stderr).toBe('');
    expect(applied.stdout.trim()).toBe('deployment.apps/web created');
    const first = await cluster.kubectl(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('deployment "web" successfully rolled out');

    // Sample readiness throughout the rollout: with 3 replicas and 25% maxUnavailable, none may be unavailable.
    let minReady = Infinity;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pods = await list('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb');
        minReady = Math.min(minReady, pods.filter(isReady).length);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const set = await cluster.kubectl(['set', 'image', 'deployment/web', 'hello=skiff/hello:2']);
    expect(set.stdout.trim()).toBe('deployment.apps/web image updated');
    const status = await cluster.kubectl(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    sampling = false;
    await sampler;
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('deployment "web" successfully rolled out');
    expect(minReady).toBeGreaterThanOrEqual(3);

    const history = await cluster.kubectl(['rollout', 'history', 'deployment/web']);
    expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE/);
    expect(history.stdout).toMatch(/^1\s+first version$/m);
    expect(history.stdout).toMatch(/^2\s+first version$/m);
    const rsBefore = await list('/apis/apps/v1/namespaces/default/replicasets');
    expect(rsBefore.length).toBe(2);

    const undo = await cluster.kubectl(['rollout', 'undo', 'deployment/web']);
    expect(undo.stdout.trim()).toBe('deployment.apps/web rolled back');
    expect((await cluster.kubectl(['rollout', 'status', 'deployment/web', '--timeout=120s'])).code).toBe(0);
    const rsAfter = await list('/apis/apps/v1/namespaces/default/replicasets');
    expect(rsAfter.map((r) => r.metadata.name).sort()).toEqual(rsBefore.map((r) => r.metadata.name).sort());
    const v1 = rsAfter.find((r) => r.spec.template.spec.containers[0].image === 'skiff/hello:1');
    expect(v1.spec.replicas).toBe(3);
    expect(v1.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');

    const scaled = await cluster.kubectl(['scale', 'deployment/web', '--replicas=5']);
    expect(scaled.stdout.trim()).toBe('deployment.apps/web scaled');
    await waitFor(
      '5 ready replicas',
      async () =>
        (await cluster.getJson('/apis/apps/v1/namespaces/default/deployments/web')).status.readyReplicas ===
        5,
      60_000,
    );
    const wide = await cluster.kubectl(['get', 'deployment', 'web']);
    expect(wide.stdout).toMatch(/web\s+5\/5\s+5\s+5/);

    const deleted = await cluster.kubectl(['delete', 'deployment', 'web']);
    expect(deleted.stdout.trim()).toBe('deployment.apps "web" deleted');
    await waitFor(
      'replica sets and pods gone',
      async () =>
        (await list('/apis/apps/v1/namespaces/default/replicasets')).length === 0 &&
        (await list('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).length === 0,
      60_000,
    );
  }, 300_000);

  it('a StatefulSet creates pods in order and web-0 keeps its file across deletion', async () => {
    const r = await apply(
      'sts',
      `apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: main
          image: skiff/busybox:1
          command: ['sh', '-c', 'sleep 3600']
          volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect((await cluster.kubectl(['rollout', 'status', 'statefulset/db', '--timeout=120s'])).code).toBe(0);
    const pods = await list('/api/v1/namespaces/default/pods?labelSelector=app%3Ddb');
    const byName = Object.fromEntries(pods.map((p) => [p.metadata.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['db-0', 'db-1']);
    // OrderedReady: db-1 was created only after db-0 was Ready.
    const db0Ready = byName['db-0'].status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime;
    expect(Date.parse(byName['db-1'].metadata.creationTimestamp)).toBeGreaterThanOrEqual(
      Date.parse(db0Ready),
    );
    expect(byName['db-0'].spec.hostname).toBe('db-0');
    expect(byName['db-0'].spec.subdomain).toBe('db');
    const pvcs = await list('/api/v1/namespaces/default/persistentvolumeclaims');
    expect(pvcs.map((p) => p.metadata.name).sort()).toEqual(['data-db-0', 'data-db-1']);

    const write = await cluster.kubectl(['exec', 'db-0', '--', 'sh', '-c', 'echo kept > /data/file']);
    expect(write.code, write.stderr).toBe(0);
    const oldUid = byName['db-0'].metadata.uid;
    await cluster.kubectl(['delete', 'pod', 'db-0']);
    await waitFor(
      'a new db-0 Ready',
      async () => {
        const p = await cluster.getJson('/api/v1/namespaces/default/pods/db-0');
        return p && p.metadata.uid !== oldUid && isReady(p);
      },
      60_000,
    );
    const read = await cluster.kubectl(['exec', 'db-0', '--', 'cat', '/data/file']);
    expect(read.stdout).toBe('kept\n');
    await cluster.kubectl(['delete', 'statefulset', 'db']);
  }, 180_000);

  it('a DaemonSet runs one pod on the node', async () => {
    const r = await apply(
      'ds',
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector:
    matchLabels: {app: node-agent}
  template:
    metadata:
      labels: {app: node-agent}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: main
          image: skiff/busybox:1
          command: ['sh', '-c', 'sleep 3600']
`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect((await cluster.kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=60s'])).code).toBe(0);
    const pods = await list('/api/v1/namespaces/default/pods?labelSelector=app%3Dnode-agent');
    expect(pods.map((p) => p.spec.nodeName)).toEqual([node]);
    const table = await cluster.kubectl(['get', 'ds', 'agent']);
    expect(table.stdout).toMatch(/agent\s+1\s+1\s+1\s+1\s+1\s+<none>/);
    await cluster.kubectl(['delete', 'ds', 'agent']);
  }, 120_000);

  it('a Job whose container always fails stops after backoffLimit with a Failed condition', async () => {
    const r = await apply(
      'job',
      `apiVersion: batch/v1
kind: Job
metadata: {name: failing}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: main
          image: skiff/busybox:1
          command: ['sh', '-c', 'exit 2']
`,
    );
    expect(r.code, r.stderr).toBe(0);
    const job = await waitFor(
      'the Job to fail',
      async () => {
        const j = await cluster.getJson('/apis/batch/v1/namespaces/default/jobs/failing');
        return j.status?.conditions?.some((c: any) => c.type === 'Failed' && c.status === 'True')
          ? j
          : undefined;
      },
      90_000,
      500,
    );
    const failed = job.status.conditions.find((c: any) => c.type === 'Failed');
    expect(failed.reason).toBe('BackoffLimitExceeded');
    expect(job.status.failed).toBe(2);
    const table = await cluster.kubectl(['get', 'job', 'failing']);
    expect(table.stdout).toMatch(/failing\s+Failed\s+0\/1/);
  }, 120_000);

  it('a CronJob every minute creates Jobs that complete, pruned to the history limit', async () => {
    const r = await cluster.kubectl([
      'create',
      'cronjob',
      'tick',
      '--image=skiff/busybox:1',
      '--schedule=* * * * *',
      '--',
      'echo',
      'tick',
    ]);
    expect(r.stdout.trim()).toBe('cronjob.batch/tick created');
    await cluster.kubectl(['patch', 'cronjob', 'tick', '-p', '{"spec":{"successfulJobsHistoryLimit":1}}']);
    const seen = new Set<string>();
    await waitFor(
      'two completed runs, the older pruned',
      async () => {
        const jobs = await list('/apis/batch/v1/namespaces/default/jobs?labelSelector=');
        const mine = jobs.filter((j) => j.metadata.ownerReferences?.[0]?.name === 'tick');
        for (const j of mine) seen.add(j.metadata.name);
        const complete = mine.filter((j) => j.status?.conditions?.some((c: any) => c.type === 'Complete'));
        return seen.size >= 2 && mine.length === 1 && complete.length === 1;
      },
      200_000,
      1000,
    );
    const cj = await cluster.getJson('/apis/batch/v1/namespaces/default/cronjobs/tick');
    expect(cj.status.lastScheduleTime).toBeDefined();
    const logs = await run('docker', [
      'ps',
      '-a',
      '--filter',
      `label=io.skiff.node=${node}`,
      '--format',
      '{{.Names}}',
    ]);
    expect(logs.stdout).toMatch(/skiff_tick_tick-/);
  }, 240_000);
});
