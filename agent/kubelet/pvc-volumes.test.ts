// PersistentVolumeClaim volumes in the kubelet, against the in-memory API, the fake runtime and a fake clock: the
// claim is bound to the node on first use, its directory is stable across pod deletion and re-creation, and a pod
// whose claim is missing or bound elsewhere waits with a FailedMount event.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, PersistentVolumeClaim, Pod } from '../../src/api/types.js';
import { PERSISTENTVOLUMECLAIMS, PODS } from '../../src/client/api-client.js';
import { silentLogger } from '../../src/common/logger.js';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { FakeClock, flushMicrotasks } from '../../test/fakes/fake-clock.js';
import { FakeContainerRuntime } from '../../test/fakes/fake-container-runtime.js';
import { createInProcessClient } from '../../src/apiserver/in-process-client.js';
import { harness } from '../../src/apiserver/test-support.js';
import { Kubelet } from './kubelet.js';
import { claimVolumePath, planVolumes } from './pod-volumes.js';
import { SELECTED_NODE_ANNOTATION, VolumeManager } from './volume-manager.js';

const NODE = 'node-1';

class Harness {
  readonly clock = new FakeClock();
  readonly client = new FakeApiClient({ clock: this.clock });
  readonly runtime = new FakeContainerRuntime(this.clock);
  readonly events: { type: string; reason: string; message: string }[] = [];
  readonly dataDir = mkdtempSync(join(tmpdir(), 'skiff-pvc-'));
  kubelet!: Kubelet;

  async start(): Promise<void> {
    this.runtime.addImage('skiff/pause:3.10');
    this.runtime.addImage('busybox:1');
    this.kubelet = new Kubelet({
      client: this.client,
      runtime: this.runtime,
      events: {
        record: (_o: KubeObject, type, reason, message) => this.events.push({ type, reason, message }),
      },
      node: {
        nodeName: NODE,
        nodeIP: '192.168.1.10',
        pauseImage: 'skiff/pause:3.10',
        podNetwork: 'bridge',
        clusterDomain: 'cluster.local',
      },
      dataDir: this.dataDir,
      clock: this.clock,
      logger: silentLogger,
    });
    await this.kubelet.start();
    await this.settle();
  }

  async settle(): Promise<void> {
    const realPause = () => new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 4; i++) await Promise.race([this.kubelet.idle().then(flushMicrotasks), realPause()]);
  }

  async advance(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 500) {
      await this.clock.advance(500);
      await this.settle();
    }
  }

  claim(name = 'www-web-0'): PersistentVolumeClaim {
    return this.client.find<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS, 'default', name)!;
  }

  mounts(): { source: string; target: string; readOnly: boolean }[] {
    const running = this.runtime.named('app').filter((c) => c.state === 'running');
    return running.at(-1)?.spec?.mounts ?? [];
  }

  async cleanup(): Promise<void> {
    const stopped = this.kubelet?.stop();
    await this.clock.advance(10_000);
    await stopped;
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function claimObj(
  name: string,
  extra: Partial<PersistentVolumeClaim['metadata']> = {},
): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default', ...extra },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    status: { phase: 'Pending' },
  };
}

function pod(claimName = 'www-web-0', readOnly?: boolean): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default' },
    spec: {
      nodeName: NODE,
      terminationGracePeriodSeconds: 1,
      volumes: [{ name: 'www', persistentVolumeClaim: { claimName, ...(readOnly ? { readOnly } : {}) } }],
      containers: [{ name: 'app', image: 'busybox:1', volumeMounts: [{ name: 'www', mountPath: '/www' }] }],
    },
  };
}

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

describe('PersistentVolumeClaim volumes', () => {
  it('binds the claim to the node and mounts its directory, which survives pod deletion and re-creation', async () => {
    h.client.seed(PERSISTENTVOLUMECLAIMS, claimObj('www-web-0'));
    h.client.seed(PODS, pod());
    await h.start();
    const claim = h.claim();
    expect(claim.metadata.annotations).toEqual({ [SELECTED_NODE_ANNOTATION]: NODE });
    expect(claim.status).toEqual({
      phase: 'Bound',
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '1Gi' },
    });
    const dir = join(h.dataDir, 'volumes', 'pvc', 'default', `www-web-0-${claim.metadata.uid}`);
    expect(h.mounts()).toEqual([{ type: 'bind', source: dir, target: '/www', readOnly: false }]);
    expect(existsSync(dir)).toBe(true);
    writeFileSync(join(dir, 'index.html'), 'written by web-0');

    const firstUid = h.client.find<Pod>(PODS, 'default', 'web-0')!.metadata.uid!;
    await h.client.delete(PODS, 'default', 'web-0');
    await h.advance(2000);
    expect(h.client.find(PODS, 'default', 'web-0')).toBeUndefined();
    expect(existsSync(join(h.dataDir, 'pods', firstUid))).toBe(false); // the pod's own directory is gone
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toBe('written by web-0');

    h.client.seed(PODS, pod()); // the StatefulSet recreates web-0: a new pod (uid) on the same claim
    await h.advance(1000);
    expect(h.client.find<Pod>(PODS, 'default', 'web-0')!.metadata.uid).not.toBe(firstUid);
    expect(h.mounts()).toEqual([{ type: 'bind', source: dir, target: '/www', readOnly: false }]);
    // The claim was bound once; the second pod only read it.
    expect(h.client.actionsOf('patch', 'persistentvolumeclaims')).toHaveLength(2);
  });

  it('waits with FailedMount while the claim does not exist, and starts once it does', async () => {
    h.client.seed(PODS, pod());
    await h.start();
    expect(h.runtime.named('POD')).toEqual([]);
    expect(h.events).toContainEqual({
      type: 'Warning',
      reason: 'FailedMount',
      message: 'MountVolume.SetUp failed for volume "www" : persistentvolumeclaim "www-web-0" not found',
    });
    h.client.seed(PERSISTENTVOLUMECLAIMS, claimObj('www-web-0'));
    await h.advance(6000);
    expect(h.runtime.named('app').some((c) => c.state === 'running')).toBe(true);
  });

  it('does not use a claim bound to another node', async () => {
    h.client.seed(
      PERSISTENTVOLUMECLAIMS,
      claimObj('www-web-0', { annotations: { [SELECTED_NODE_ANNOTATION]: 'node-2' } }),
    );
    h.client.seed(PODS, pod());
    await h.start();
    expect(h.runtime.named('POD')).toEqual([]);
    expect(h.events.find((e) => e.reason === 'FailedMount')?.message).toBe(
      'MountVolume.SetUp failed for volume "www" : persistentvolumeclaim "www-web-0" is bound to node "node-2", not to this node ("node-1")',
    );
    expect(h.claim().metadata.annotations).toEqual({ [SELECTED_NODE_ANNOTATION]: 'node-2' });
  });

  it('mounts a readOnly claim read-only in every container', async () => {
    h.client.seed(PERSISTENTVOLUMECLAIMS, claimObj('data'));
    h.client.seed(PODS, pod('data', true));
    await h.start();
    expect(h.mounts()[0].readOnly).toBe(true);
  });
});

describe('planVolumes for claims', () => {
  it('places a claim under <dataDir>/volumes/pvc/<namespace>/<claim>-<uid>', () => {
    const claim = { namespace: 'default', name: 'www-web-0', uid: 'c-uid' };
    expect(claimVolumePath('/data', claim)).toBe('/data/volumes/pvc/default/www-web-0-c-uid');
    const p = pod();
    p.metadata.uid = 'pod-uid';
    expect([...planVolumes(p, '/data', new Map([['www-web-0', claim]])).values()]).toEqual([
      {
        kind: 'pvc',
        name: 'www',
        claimName: 'www-web-0',
        hostPath: '/data/volumes/pvc/default/www-web-0-c-uid',
        readOnly: false,
      },
    ]);
    expect(() => planVolumes(p, '/data')).toThrow('persistentvolumeclaim "www-web-0" is not bound here');
  });
});

describe('binding claims through the real API logic', () => {
  it('annotates the claim and writes its status through the status subresource', async () => {
    const { service } = await harness();
    const api = createInProcessClient(service);
    await api.create(PERSISTENTVOLUMECLAIMS, 'default', claimObj('www-web-0'));
    const volumes = new VolumeManager({
      runtime: h.runtime,
      client: api,
      dataDir: h.dataDir,
      nodeName: NODE,
    });
    const p = pod();
    p.metadata.uid = 'pod-uid';
    const bound = await volumes.resolveClaims(p);
    const claim = await api.get<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS, 'default', 'www-web-0');
    expect(bound.get('www-web-0')).toEqual({
      namespace: 'default',
      name: 'www-web-0',
      uid: claim.metadata.uid,
    });
    expect(claim.metadata.annotations).toEqual({ [SELECTED_NODE_ANNOTATION]: NODE });
    expect(claim.status).toEqual({
      phase: 'Bound',
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '1Gi' },
    });
  });
});
