// A PersistentVolumeClaim volume with the real Docker engine and an in-memory API (FakeApiClient): web-0 writes a
// file into its claim, web-0 is deleted, a new web-0 on the same claim reads the file back. Each run uses its own
// node label; every container with it is removed afterwards, even on failure.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PersistentVolumeClaim, Pod } from '../../src/api/types.js';
import { PERSISTENTVOLUMECLAIMS, PODS } from '../../src/client/api-client.js';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { DockerContainerRuntime } from '../../agent/runtime/docker-container-runtime.js';
import { importBusyboxImage } from '../../agent/runtime/busybox-rootfs.js';
import { DEFAULT_PAUSE_IMAGE, ensurePauseImage } from '../../agent/runtime/pause-image.js';
import { Kubelet } from '../../agent/kubelet/kubelet.js';
import { LABEL_CONTAINER_NAME, LABEL_NODE, LABEL_POD_UID } from '../../agent/kubelet/labels.js';
import { claimVolumePath } from '../../agent/kubelet/pod-volumes.js';
import { FakeApiClient } from '../fakes/fake-api-client.js';

const run = `${process.pid}-${Date.now().toString(36)}`;
const NODE = `it-pvc-${run}`;
const BUSYBOX = `skiff-test/busybox:${run}`;
const runtime = new DockerContainerRuntime();
const dataDir = mkdtempSync(join(tmpdir(), 'skiff-it-pvc-'));
let kubelet: Kubelet | undefined;

async function until<T>(what: string, fn: () => T | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await systemClock.sleep(100);
  }
}

async function removeNodeContainers(): Promise<void> {
  const all = await runtime.listContainers({ [LABEL_NODE]: NODE });
  const apps = all.filter((c) => c.labels[LABEL_CONTAINER_NAME] !== 'POD');
  for (const c of [...apps, ...all.filter((c) => !apps.includes(c))])
    await runtime.removeContainer(c.id, { force: true });
}

beforeAll(async () => {
  await ensurePauseImage(runtime, DEFAULT_PAUSE_IMAGE, silentLogger);
  await importBusyboxImage(runtime, BUSYBOX);
});

afterEach(async () => {
  await kubelet?.stop();
  kubelet = undefined;
  await removeNodeContainers();
});

afterAll(async () => {
  await removeNodeContainers();
  await runtime.removeImage(BUSYBOX);
  rmSync(dataDir, { recursive: true, force: true });
});

function web0(command: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default' },
    spec: {
      nodeName: NODE,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }],
      containers: [
        {
          name: 'app',
          image: BUSYBOX,
          command: ['sh', '-c', command],
          volumeMounts: [{ name: 'www', mountPath: '/www' }],
        },
      ],
    },
  };
}

describe('PersistentVolumeClaim volumes with the real Docker engine', () => {
  it('keeps what web-0 wrote across its deletion and re-creation', async () => {
    const client = new FakeApiClient({ clock: systemClock });
    const [claim] = client.seed(PERSISTENTVOLUMECLAIMS, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'www-web-0', namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    } as PersistentVolumeClaim);
    client.seed(PODS, web0(`echo "hello from $(hostname) run ${run}" > /www/index.html`));
    kubelet = new Kubelet({
      client,
      runtime,
      events: { record: () => undefined },
      node: {
        nodeName: NODE,
        nodeIP: '127.0.0.1',
        pauseImage: DEFAULT_PAUSE_IMAGE,
        podNetwork: 'bridge',
        clusterDomain: 'cluster.local',
      },
      dataDir,
      clock: systemClock,
      logger: silentLogger,
      resyncPeriodMs: 1000,
    });
    await kubelet.start();
    const pod = () => client.find<Pod>(PODS, 'default', 'web-0');
    await until('web-0 to succeed', () => pod()?.status?.phase === 'Succeeded');
    const dir = claimVolumePath(dataDir, {
      namespace: 'default',
      name: 'www-web-0',
      uid: claim.metadata.uid!,
    });
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toBe(`hello from web-0 run ${run}\n`);
    expect(
      client.find<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS, 'default', 'www-web-0')?.status?.phase,
    ).toBe('Bound');

    // Delete web-0 (it has finished, so it goes at once) and create it again: the new pod reads the old file.
    const firstUid = pod()!.metadata.uid;
    await client.delete(PODS, 'default', 'web-0');
    client.seed(PODS, web0('cat /www/index.html; test -s /www/index.html'));
    await until('the new web-0 to succeed', () => {
      const p = pod();
      return p && p.metadata.uid !== firstUid && p.status?.phase === 'Succeeded';
    });
    const app = (await runtime.listContainers({ [LABEL_NODE]: NODE })).find(
      (c) => c.labels[LABEL_CONTAINER_NAME] === 'app' && c.labels[LABEL_POD_UID] === pod()!.metadata.uid,
    );
    expect(app).toBeDefined();
    const logs = await runtime.logs(app!.id, {});
    let out = '';
    for await (const chunk of logs) out += chunk.toString();
    expect(out).toContain(`hello from web-0 run ${run}`);
  });
});
