// Stock kubectl (the machine's /usr/bin/kubectl 1.32, isolated KUBECONFIG and cache dir) against a real skiff
// master and agent running pods on the real Docker engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, KUBECTL, requireBuild, run, waitFor } from './harness.js';

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

function podManifest(name: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  terminationGracePeriodSeconds: 5
  containers:
    - name: main
      image: skiff/busybox:1
      command: ['sh', '-c', 'echo started $(hostname); while true; do echo tick; sleep 1; done']
`;
}

async function podPhase(name: string): Promise<string | undefined> {
  const pod = await cluster.getJson(`/api/v1/namespaces/default/pods/${name}`);
  return pod?.status?.phase;
}

describe('stock kubectl against skiff', () => {
  it('get nodes shows the agent Ready', async () => {
    const r = await cluster.kubectl(['get', 'nodes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    expect(r.stdout).toMatch(new RegExp(`${node}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32`));
  });

  it('version reports minor 32 so the dispatcher runs kubectl 1.32', async () => {
    const r = await cluster.kubectl(['version', '-o', 'json']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.serverVersion.minor).toBe('32');
    expect(v.clientVersion.minor).toMatch(/^32/);
  });

  it('apply, watch, wide listing, logs, exec, describe and delete a pod', async () => {
    const file = join(cluster.dir, 'web.yaml');
    writeFileSync(file, podManifest('web'));

    // Start `kubectl get pods -w` first; it must see the pod appear and turn Running.
    const watcher = spawn(KUBECTL, ['--cache-dir', cluster.kubeCache, 'get', 'pods', '-w'], {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
    });
    let watched = '';
    watcher.stdout.on('data', (d) => (watched += String(d)));

    try {
      const applied = await cluster.kubectl(['apply', '-f', file]);
      expect(applied.stderr).toBe('');
      expect(applied.stdout.trim()).toBe('pod/web created');

      await waitFor('pod web Running', async () => (await podPhase('web')) === 'Running', 60_000);
      await waitFor(
        'kubectl get -w to show Running',
        async () => /web\s+1\/1\s+Running/.test(watched),
        15_000,
      );
      expect(watched).toMatch(/web\s+0\/1\s+(Pending|ContainerCreating)/);
    } finally {
      watcher.kill('SIGTERM');
    }

    const wide = await cluster.kubectl(['get', 'pods', '-o', 'wide']);
    expect(wide.code).toBe(0);
    expect(wide.stdout).toMatch(
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/,
    );
    expect(wide.stdout).toMatch(
      new RegExp(`web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+\\d+\\.\\d+\\.\\d+\\.\\d+\\s+${node}`),
    );

    const unchanged = await cluster.kubectl(['apply', '-f', file]);
    expect(unchanged.stdout.trim()).toBe('pod/web unchanged');

    await waitFor('two log lines', async () => {
      const logs = await cluster.kubectl(['logs', 'web']);
      return logs.code === 0 && logs.stdout.startsWith('started web\ntick\n');
    });
    const tail = await cluster.kubectl(['logs', 'web', '--tail=1']);
    expect(tail.stdout).toBe('tick\n');

    const exec = await cluster.kubectl(['exec', 'web', '--', 'cat', '/etc/hostname']);
    expect(exec.stderr).toBe('');
    expect(exec.stdout.trim()).toBe('web');
    const failing = await cluster.kubectl(['exec', 'web', '--', 'sh', '-c', 'exit 3']);
    expect(failing.code).toBe(3);
    expect(failing.stderr).toContain('command terminated with exit code 3');

    const described = await cluster.kubectl(['describe', 'pod', 'web']);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/^Name:\s+web$/m);
    expect(described.stdout).toMatch(new RegExp(`^Node:\\s+${node}/127\\.0\\.0\\.1$`, 'm'));
    expect(described.stdout).toMatch(/^Status:\s+Running$/m);
    expect(described.stdout).toMatch(/Normal\s+Scheduled\s+.*Successfully assigned default\/web to/);
    expect(described.stdout).toMatch(/Normal\s+Started\s+/);

    const started = Date.now();
    const deleted = await cluster.kubectl(['delete', 'pod', 'web']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout.trim()).toBe('pod "web" deleted');
    expect(Date.now() - started).toBeLessThan(5_000 + 10_000);
    expect(await podPhase('web')).toBeUndefined();
    const left = await run('docker', [
      'ps',
      '-aq',
      '--filter',
      `label=io.skiff.pod.name=web`,
      '--filter',
      `label=io.skiff.node=${node}`,
    ]);
    expect(left.stdout.trim()).toBe('');
  });

  it('kubectl create namespace sends protobuf and works', async () => {
    const r = await cluster.kubectl(['create', 'namespace', 'team-a']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('namespace/team-a created');
    const list = await cluster.kubectl(['get', 'ns']);
    expect(list.stdout).toMatch(/team-a\s+Active/);
    expect(list.stdout).toMatch(/kube-system\s+Active/);
  });

  it('kubectl run, get -o yaml and get by label work', async () => {
    const r = await cluster.kubectl([
      'run',
      'runner',
      '--image=skiff/busybox:1',
      '--restart=Never',
      '--',
      'echo',
      'ran',
    ]);
    expect(r.stdout.trim()).toBe('pod/runner created');
    await waitFor('pod runner Succeeded', async () => (await podPhase('runner')) === 'Succeeded', 60_000);
    const yaml = await cluster.kubectl(['get', 'pod', 'runner', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/phase: Succeeded/);
    const byLabel = await cluster.kubectl(['get', 'pods', '-l', 'run=runner']);
    expect(byLabel.stdout).toMatch(/runner\s+0\/1\s+Completed/);
    const logs = await cluster.kubectl(['logs', 'runner']);
    expect(logs.stdout).toBe('ran\n');
    await cluster.kubectl(['delete', 'pod', 'runner']);
  });

  it('errors come back as Kubernetes Status messages', async () => {
    const missing = await cluster.kubectl(['get', 'pod', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');

    const bad = join(cluster.dir, 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: noimage\nspec:\n  containers:\n    - name: c\n',
    );
    const invalid = await cluster.kubectl(['apply', '-f', bad]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain(
      'The Pod "noimage" is invalid: spec.containers[0].image: Required value',
    );
  });
});
