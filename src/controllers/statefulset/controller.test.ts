// The StatefulSet controller loop against the in-memory API (FakeApiClient + shared informers) and a fake clock.
// runPods() stands in for the scheduler and kubelets: it binds pods, makes them Running and Ready, and finishes
// graceful deletions.
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerRevision, Event, PersistentVolumeClaim, Pod, StatefulSet } from '../../api/types.js';
import {
  CONTROLLERREVISIONS,
  EVENTS,
  PERSISTENTVOLUMECLAIMS,
  PODS,
  STATEFULSETS,
} from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { rfc3339 } from '../../common/clock.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { StatefulSetController } from './controller.js';

function statefulSet(spec: Partial<StatefulSet['spec']> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 3,
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'nginx', image: 'web:v1', volumeMounts: [{ name: 'www', mountPath: '/www' }] },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'www' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
      ...spec,
    },
  };
}

class Harness {
  readonly clock = new FakeClock();
  readonly api = new FakeApiClient({ clock: this.clock });
  readonly informers = new InformerFactory({ client: this.api, clock: this.clock });
  readonly recorder = new EventRecorder({
    client: this.api,
    component: 'statefulset-controller',
    clock: this.clock,
  });
  ssc!: StatefulSetController;

  async start(): Promise<void> {
    this.ssc = new StatefulSetController({
      client: this.api,
      informers: this.informers,
      clock: this.clock,
      recorder: this.recorder,
    });
    await this.informers.start();
    this.ssc.start();
    await this.settle();
  }

  async settle(): Promise<void> {
    for (let i = 0; i < 6; i++) {
      await this.clock.advance(0);
      await this.recorder.flush();
    }
  }

  /** Binds new pods to node n1, starts them Running/Ready, and completes graceful deletions. */
  async runPods(): Promise<void> {
    for (const p of this.api.objectsOf<Pod>(PODS)) {
      const { namespace, name } = p.metadata;
      if (p.metadata.deletionTimestamp) {
        await this.api.delete(PODS, namespace, name!, { gracePeriodSeconds: 0 });
        continue;
      }
      if (!p.spec.nodeName)
        await this.api.createSubresource(PODS, namespace, name!, 'binding', {
          target: { kind: 'Node', name: 'n1' },
        });
      const cur = this.api.find<Pod>(PODS, namespace, name!)!;
      if (cur.status?.phase === 'Running') continue;
      await this.api.updateStatus(PODS, namespace, {
        ...cur,
        status: {
          ...cur.status,
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(this.clock.now()) }],
        },
      });
    }
    await this.settle();
  }

  /** Runs pods round after round until nothing changes any more. */
  async converge(): Promise<void> {
    for (let i = 0; i < 15; i++) {
      const before = this.api.resourceVersion();
      await this.runPods();
      if (this.api.resourceVersion() === before) return;
    }
  }

  podNames(): string[] {
    return this.api
      .objectsOf<Pod>(PODS, 'default')
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => p.metadata.name!)
      .sort();
  }

  pod(name: string): Pod {
    return this.api.find<Pod>(PODS, 'default', name)!;
  }

  set(): StatefulSet {
    return this.api.find<StatefulSet>(STATEFULSETS, 'default', 'web')!;
  }

  claims(): PersistentVolumeClaim[] {
    return this.api.objectsOf<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS, 'default');
  }

  messages(reason: string): string[] {
    return this.api
      .objectsOf<Event>(EVENTS)
      .filter((e) => e.reason === reason)
      .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
      .map((e) => e.message!);
  }

  async patchSet(mutate: (s: StatefulSet) => void): Promise<void> {
    const s = this.set();
    mutate(s);
    await this.api.update(STATEFULSETS, 'default', s);
    await this.settle();
  }

  async stop(): Promise<void> {
    await this.ssc?.stop();
    this.informers.stop();
  }
}

let h: Harness;
afterEach(async () => {
  await h.stop();
});

describe('StatefulSetController', () => {
  it('creates web-0, web-1, web-2 in order with one claim each, and reports status and revision', async () => {
    h = new Harness();
    h.api.seed(STATEFULSETS, statefulSet());
    await h.start();
    expect(h.podNames()).toEqual(['web-0']); // web-1 waits for web-0 to be Ready
    await h.runPods();
    expect(h.podNames()).toEqual(['web-0', 'web-1']);
    await h.converge();
    expect(h.podNames()).toEqual(['web-0', 'web-1', 'web-2']);
    expect(h.messages('SuccessfulCreate')).toEqual([
      'create Claim www-web-0 Pod web-0 in StatefulSet web success',
      'create Pod web-0 in StatefulSet web successful',
      'create Claim www-web-1 Pod web-1 in StatefulSet web success',
      'create Pod web-1 in StatefulSet web successful',
      'create Claim www-web-2 Pod web-2 in StatefulSet web success',
      'create Pod web-2 in StatefulSet web successful',
    ]);
    const web1 = h.pod('web-1');
    expect(web1.spec.hostname).toBe('web-1');
    expect(web1.spec.subdomain).toBe('nginx');
    expect(web1.spec.volumes).toEqual([{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } }]);
    const [rev] = h.api.objectsOf<ControllerRevision>(CONTROLLERREVISIONS, 'default');
    expect(rev.revision).toBe(1);
    expect(rev.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(web1.metadata.labels).toMatchObject({
      'controller-revision-hash': rev.metadata.name,
      'statefulset.kubernetes.io/pod-name': 'web-1',
      'apps.kubernetes.io/pod-index': '1',
    });
    expect(h.claims().map((c) => [c.metadata.name, c.metadata.ownerReferences])).toEqual([
      ['www-web-0', undefined],
      ['www-web-1', undefined],
      ['www-web-2', undefined],
    ]);
    expect(h.set().status).toEqual({
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: rev.metadata.name,
      updateRevision: rev.metadata.name,
      collisionCount: 0,
    });
  });

  it('recreates a deleted pod with the same name on the same claim, and scales down in reverse keeping claims', async () => {
    h = new Harness();
    h.api.seed(STATEFULSETS, statefulSet());
    await h.start();
    await h.converge();
    const claimUid = h.claims().find((c) => c.metadata.name === 'www-web-1')!.metadata.uid;
    const oldUid = h.pod('web-1').metadata.uid;
    await h.api.delete(PODS, 'default', 'web-1');
    await h.converge();
    expect(h.pod('web-1').metadata.uid).not.toBe(oldUid);
    expect(h.claims().find((c) => c.metadata.name === 'www-web-1')!.metadata.uid).toBe(claimUid);
    expect(h.claims()).toHaveLength(3);

    await h.patchSet((s) => (s.spec.replicas = 1));
    expect(h.podNames()).toEqual(['web-0', 'web-1']); // web-2 is going; web-1 waits until it is gone
    await h.converge();
    expect(h.podNames()).toEqual(['web-0']);
    expect(h.messages('SuccessfulDelete')).toEqual([
      'delete Pod web-2 in StatefulSet web successful',
      'delete Pod web-1 in StatefulSet web successful',
    ]);
    expect(h.claims()).toHaveLength(3); // Retain: the data outlives the pods
    expect(h.set().status).toMatchObject({ replicas: 1, readyReplicas: 1 });
  });

  it('rolls an update out in reverse ordinal order and rolls back to the first revision', async () => {
    h = new Harness();
    h.api.seed(STATEFULSETS, statefulSet());
    await h.start();
    await h.converge();
    await h.patchSet((s) => (s.spec.template.spec.containers[0].image = 'web:v2'));
    await h.converge();
    expect(h.podNames().map((n) => h.pod(n).spec.containers[0].image)).toEqual([
      'web:v2',
      'web:v2',
      'web:v2',
    ]);
    expect(h.messages('SuccessfulDelete')).toEqual([
      'delete Pod web-2 in StatefulSet web successful',
      'delete Pod web-1 in StatefulSet web successful',
      'delete Pod web-0 in StatefulSet web successful',
    ]);
    const revs = () =>
      h.api
        .objectsOf<ControllerRevision>(CONTROLLERREVISIONS, 'default')
        .sort((a, b) => a.revision - b.revision)
        .map((r) => [r.metadata.name, r.revision]);
    const [[v1], [v2]] = revs();
    expect(h.set().status).toMatchObject({ currentRevision: v2, updateRevision: v2, updatedReplicas: 3 });

    await h.patchSet((s) => (s.spec.template.spec.containers[0].image = 'web:v1'));
    await h.converge();
    expect(revs()).toEqual([
      [v2, 2],
      [v1, 3],
    ]);
    expect(h.set().status).toMatchObject({ currentRevision: v1, updateRevision: v1 });
  });

  it('honours a partition', async () => {
    h = new Harness();
    h.api.seed(
      STATEFULSETS,
      statefulSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }),
    );
    await h.start();
    await h.converge();
    await h.patchSet((s) => (s.spec.template.spec.containers[0].image = 'web:v2'));
    await h.converge();
    expect(h.podNames().map((n) => h.pod(n).spec.containers[0].image)).toEqual([
      'web:v1',
      'web:v1',
      'web:v2',
    ]);
    expect(h.set().status).toMatchObject({ currentReplicas: 2, updatedReplicas: 1 });
  });

  it('Parallel creates all pods at once', async () => {
    h = new Harness();
    h.api.seed(STATEFULSETS, statefulSet({ podManagementPolicy: 'Parallel' }));
    await h.start();
    expect(h.podNames()).toEqual(['web-0', 'web-1', 'web-2']);
  });

  it('adopts an orphaned pod of its name instead of failing to recreate it', async () => {
    h = new Harness();
    const orphan: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-0', namespace: 'default', labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: 'web:v1' }] },
    };
    h.api.seed(PODS, orphan);
    h.api.seed(STATEFULSETS, statefulSet({ replicas: 1 }));
    await h.start();
    const web0 = h.pod('web-0');
    expect(web0.metadata.ownerReferences).toMatchObject([
      { kind: 'StatefulSet', name: 'web', controller: true },
    ]);
    expect(h.messages('SuccessfulCreate')).toEqual([]);
  });

  it('gives claims to the set with whenDeleted: Delete', async () => {
    h = new Harness();
    h.api.seed(
      STATEFULSETS,
      statefulSet({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } }),
    );
    await h.start();
    expect(h.claims()[0].metadata.ownerReferences).toMatchObject([
      { kind: 'StatefulSet', name: 'web', uid: h.set().metadata.uid, controller: true },
    ]);
  });
});
