// Secrets and ConfigMaps end to end, with a real master (API server over SQLite), a real agent on the host's Docker
// engine (pods on Docker's default bridge, no proxy: the host's networking stays untouched) and stock kubectl: a pod
// reads a Secret as env and as files from a tmpfs, and a ConfigMap as files that follow updates; the Secret's value
// is nowhere in the master's SQLite files, in the master's or the agent's logs, or in `skiff describe`.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap, Event, Pod } from '../../src/api/types.js';
import { CONFIGMAPS, EVENTS, PODS, type ResourceRef } from '../../src/client/api-client.js';
import { HttpApiClient } from '../../src/client/http-api-client.js';
import { systemClock } from '../../src/common/clock.js';
import { waitFor } from '../../src/common/wait-for.js';
import { startMaster, type RunningMaster } from '../../src/master.js';
import { testCli } from '../../src/cli/cli-test-support.js';
import { runAgent, type AgentHandle } from '../../agent/agent.js';
import { DockerContainerRuntime } from '../../agent/runtime/docker-container-runtime.js';
import { importBusyboxImage } from '../../agent/runtime/busybox-rootfs.js';
import { LABEL_CONTAINER_NAME, LABEL_NODE, LABEL_POD_UID } from '../../agent/kubelet/labels.js';
import { secretVolumePath } from '../../agent/kubelet/pod-volumes.js';
import { parseMountPoints } from '../../src/lab/host-parse.js';
import { RecordingLogger } from '../fakes/recording-logger.js';

const SECRETS: ResourceRef = { group: '', version: 'v1', resource: 'secrets' };
const run = `${process.pid}-${Date.now().toString(36)}`;
const NODE = `it-secrets-${run}`;
const BUSYBOX = `skiff-test/busybox:${run}`;
const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
const tmp = mkdtempSync(join(tmpdir(), 'skiff-it-secrets-'));
const masterDir = join(tmp, 'master');
const agentDir = join(tmp, 'agent');
const runtime = new DockerContainerRuntime();
/** Values that must never show up where they do not belong. */
const VALUE = `s3cr3t-${randomBytes(12).toString('hex')}`;
const ROTATED = `r0tated-${randomBytes(12).toString('hex')}`;
const LITERAL = `lit-${randomBytes(12).toString('hex')}`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

const masterLog = new RecordingLogger();
const agentLog = new RecordingLogger();
let master: RunningMaster;
/** The master's loopback plain-HTTP address (it acts as admin): what TLS and tokens guard is tested elsewhere. */
let url: string;
let agent: AgentHandle | undefined;
let client: HttpApiClient;

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> =>
  waitFor(systemClock, what, fn, ms, 200);

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const kubeconfig = join(tmp, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: skiff, cluster: {server: "${url}"}}]`,
      'contexts: [{name: skiff, context: {cluster: skiff, user: skiff, namespace: default}}]',
      'current-context: skiff',
      'users: [{name: skiff, user: {}}]',
      '',
    ].join('\n'),
  );
  return new Promise((resolve) => {
    execFile(
      KUBECTL,
      ['--cache-dir', join(tmp, 'kube-cache'), ...args],
      { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** What the pod's `main` container printed, read from the engine. */
async function podLog(name: string): Promise<string> {
  const pod = await client.get<Pod>(PODS, 'default', name);
  const [c] = await runtime.listContainers({
    [LABEL_POD_UID]: pod.metadata.uid!,
    [LABEL_CONTAINER_NAME]: 'main',
  });
  if (!c) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of await runtime.logs(c.id, {})) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The logs, as text, with errors spelled out (pino would print their messages and stacks). */
function logText(log: RecordingLogger): string {
  return JSON.stringify(log.records, (_k, v: unknown) =>
    v instanceof Error ? { message: v.message, stack: v.stack } : v,
  );
}

/** Every byte SQLite holds for the master: state.db, its WAL and shared-memory index. */
function masterStoreBytes(): Buffer {
  const files = readdirSync(masterDir).filter((f) => f.startsWith('state.db'));
  return Buffer.concat(files.map((f) => readFileSync(join(masterDir, f))));
}

function forms(value: string): string[] {
  return [value, b64(value)];
}

beforeAll(async () => {
  await importBusyboxImage(runtime, BUSYBOX);
  master = await startMaster({
    listen: '127.0.0.1:0',
    insecureListen: '127.0.0.1:0',
    dataDir: masterDir,
    logger: masterLog,
  });
  url = master.insecureUrl ?? master.url;
  client = new HttpApiClient({ server: url });
  agent = await runAgent({
    masterUrl: url,
    nodeName: NODE,
    nodeIP: '127.0.0.1',
    port: 0,
    dataDir: agentDir,
    heartbeatSeconds: 2,
    resyncSeconds: 2,
    podNetwork: 'bridge',
    proxy: false,
    logger: agentLog,
  });
});

afterAll(async () => {
  await agent?.stop();
  await master?.stop();
  const all = await runtime.listContainers({ [LABEL_NODE]: NODE });
  for (const c of all.sort((a) => (a.labels['io.skiff.container.name'] === 'POD' ? 1 : -1))) {
    await runtime.removeContainer(c.id, { force: true }).catch(() => undefined);
  }
  // Anything the agent left mounted under its data dir (only if a test failed half-way).
  const mounts = parseMountPoints(readFileSync('/proc/self/mountinfo', 'utf8')).filter((m) =>
    m.startsWith(tmp),
  );
  for (const m of mounts.sort((a, b) => b.length - a.length)) {
    await new Promise((r) => execFile('umount', [m], () => r(undefined)));
  }
  await runtime.removeImage(BUSYBOX).catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
});

describe('Secrets and ConfigMaps', () => {
  it('kubectl creates them (protobuf bodies) and lists secrets with Type and Data', async () => {
    const secret = await kubectl(['create', 'secret', 'generic', 'lit', `--from-literal=token=${LITERAL}`]);
    expect(secret.stderr).toBe('');
    expect(secret.stdout).toBe('secret/lit created\n');
    const cm = await kubectl([
      'create',
      'configmap',
      'lit',
      '--from-literal=mode=prod',
      '--from-literal=level=2',
    ]);
    expect(cm.stdout).toBe('configmap/lit created\n');
    const stored = await client.get(SECRETS, 'default', 'lit');
    expect(stored).toMatchObject({ type: 'Opaque', data: { token: b64(LITERAL) } });
    expect((await client.get<ConfigMap>(CONFIGMAPS, 'default', 'lit')).data).toEqual({
      mode: 'prod',
      level: '2',
    });
    const get = await kubectl(['get', 'secrets']);
    expect(get.stdout).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE\nlit\s+Opaque\s+1\s+\d+s\n$/);
    const describe = await kubectl(['describe', 'secret', 'lit']);
    expect(describe.stdout).toContain('token:  ');
    expect(describe.stdout).not.toContain(LITERAL);

    const registry = await kubectl([
      'create',
      'secret',
      'docker-registry',
      'reg',
      '--docker-server=registry.example',
      '--docker-username=u',
      `--docker-password=${LITERAL}`,
    ]);
    expect(registry.stdout).toBe('secret/reg created\n');
    expect(await client.get(SECRETS, 'default', 'reg')).toMatchObject({
      type: 'kubernetes.io/dockerconfigjson',
    });
  });

  it('kubectl apply merges stringData into data, on create and on change', async () => {
    const manifest = (value: string) =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: applied\nstringData:\n  api-key: ${value}\n`;
    const file = join(tmp, 'applied.yaml');
    for (const value of ['first', 'second']) {
      writeFileSync(file, manifest(value));
      const applied = await kubectl(['apply', '-f', file]);
      expect(applied.stderr).toBe('');
      const got = await kubectl(['get', 'secret', 'applied', '-o', 'jsonpath={.data.api-key}']);
      expect(Buffer.from(got.stdout, 'base64').toString()).toBe(value);
    }
    const stored = await client.get(SECRETS, 'default', 'applied');
    expect(stored).not.toHaveProperty('stringData');
  });

  it('runs a pod with a Secret as env and tmpfs files and a ConfigMap as files', async () => {
    await client.create(SECRETS, 'default', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      stringData: { password: VALUE, user: 'admin' },
    });
    await client.create(CONFIGMAPS, 'default', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app' },
      data: { mode: 'blue' },
    });
    await client.create<Pod>(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'reader' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'main',
            image: BUSYBOX,
            command: [
              'sh',
              '-c',
              'echo "env=$DB_PASSWORD"; echo "file=$(cat /etc/db/password)"; echo "mode=$(stat -c %a /etc/db/..data/password)"; ' +
                'echo "fs=$(stat -f -c %T /etc/db)"; echo "user=$(cat /etc/db-items/u)"; ' +
                'while true; do echo "cfg=$(cat /etc/app/mode)"; sleep 1; done',
            ],
            env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
            volumeMounts: [
              { name: 'db', mountPath: '/etc/db' },
              { name: 'db-items', mountPath: '/etc/db-items' },
              { name: 'app', mountPath: '/etc/app' },
            ],
          },
        ],
        volumes: [
          { name: 'db', secret: { secretName: 'db', defaultMode: 0o400 } },
          { name: 'db-items', secret: { secretName: 'db', items: [{ key: 'user', path: 'u' }] } },
          { name: 'app', configMap: { name: 'app' } },
        ],
      },
    });
    const logs = await until('the pod to print what it reads', async () => {
      const text = await podLog('reader');
      return text.includes('cfg=') ? text : undefined;
    });
    expect(logs).toContain(`env=${VALUE}\n`);
    expect(logs).toContain(`file=${VALUE}\n`);
    expect(logs).toContain('mode=400\n');
    expect(logs).toContain('fs=tmpfs\n');
    expect(logs).toContain('user=admin\n');
    expect(logs).toContain('cfg=blue\n');

    // On the host: the secret volumes are tmpfs mounts under the agent's data dir.
    const uid = (await client.get<Pod>(PODS, 'default', 'reader')).metadata.uid!;
    const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
    for (const vol of ['db', 'db-items']) {
      const path = secretVolumePath(agentDir, uid, vol);
      const line = mountinfo.find((l) => l.split(' ')[4] === path);
      expect(line, path).toBeDefined();
      expect(line!.split(' - ')[1]).toMatch(/^tmpfs /);
    }
  });

  it('propagates a ConfigMap update into the running container', async () => {
    await client.patch(CONFIGMAPS, 'default', 'app', 'merge', { data: { mode: 'green' } });
    await until(
      'the new value in the container',
      async () => (await podLog('reader')).includes('cfg=green\n'),
      60_000,
    );
  });

  it('fails a container whose key is missing with CreateContainerConfigError and the kubelet message', async () => {
    await client.create<Pod>(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nokey' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'main',
            image: BUSYBOX,
            command: ['sleep', '1000'],
            env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'db', key: 'nope' } } }],
          },
        ],
      },
    });
    const waiting = await until('CreateContainerConfigError', async () => {
      const p = await client.get<Pod>(PODS, 'default', 'nokey');
      const w = p.status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'CreateContainerConfigError' ? w : undefined;
    });
    expect(waiting.message).toBe("couldn't find key nope in Secret default/db");
    await client.delete(PODS, 'default', 'nokey');
  });

  it('keeps the value out of the store files, the logs, the events and skiff describe', async () => {
    // An update and a delete leave old versions in the change log: those must be encrypted too.
    await client.patch(SECRETS, 'default', 'db', 'merge', { stringData: { rotated: ROTATED } });
    await client.create(SECRETS, 'default', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'short-lived' },
      data: { k: b64(ROTATED) },
    });
    await client.delete(SECRETS, 'default', 'short-lived');

    const cli = testCli({ server: url });
    const described = await cli.run('describe', 'secret', 'db');
    expect(described.code).toBe(0);
    expect(described.stdout).toContain('Type:  Opaque\n');
    expect(described.stdout).toMatch(new RegExp(`password:\\s+${VALUE.length} bytes\\n`));
    expect(described.stdout).toMatch(/user:\s+5 bytes\n/);

    const events = (await client.list<Event>(EVENTS, 'default')).items;
    expect(events.length).toBeGreaterThan(0);
    const places: [string, string][] = [
      ['state.db files', masterStoreBytes().toString('latin1')],
      ['master log', logText(masterLog)],
      ['agent log', logText(agentLog)],
      ['events', JSON.stringify(events)],
      ['skiff describe', described.stdout],
    ];
    for (const [where, text] of places) {
      for (const v of [VALUE, ROTATED, LITERAL].flatMap(forms)) {
        expect(text.includes(v), `${where} holds ${v}`).toBe(false);
      }
    }
    expect(masterStoreBytes().includes('k8s:enc:aesgcm:v1:')).toBe(true);
  });

  it('unmounts the tmpfs and removes the volumes when the pod goes', async () => {
    const uid = (await client.get<Pod>(PODS, 'default', 'reader')).metadata.uid!;
    await client.delete(PODS, 'default', 'reader');
    await until('the pod gone', async () => {
      try {
        await client.get(PODS, 'default', 'reader');
        return undefined;
      } catch {
        return true;
      }
    });
    const mounts = parseMountPoints(readFileSync('/proc/self/mountinfo', 'utf8'));
    expect(mounts.filter((m) => m.includes(uid))).toEqual([]);
    expect(readdirSync(join(agentDir, 'pods'))).not.toContain(uid);
  });
});
