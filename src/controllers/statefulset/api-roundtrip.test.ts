// The StatefulSet controller against the real API logic (ResourceService over a MemoryStore, through the in-process
// client): its pods, claims, revisions, adoption patches and status writes all pass the API server's defaulting
// and validation.
import { describe, expect, it } from 'vitest';
import type { ControllerRevision, PersistentVolumeClaim, Pod, StatefulSet } from '../../api/types.js';
import { CONTROLLERREVISIONS, PERSISTENTVOLUMECLAIMS, PODS, STATEFULSETS } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { rfc3339 } from '../../common/clock.js';
import { createInProcessClient } from '../../apiserver/in-process-client.js';
import { harness } from '../../apiserver/test-support.js';
import { StatefulSetController } from './controller.js';

describe('StatefulSetController with the real API logic', () => {
  it('creates pods and claims the API accepts, rolls an update out and adopts an orphan', async () => {
    const { service, clock } = await harness();
    const api = createInProcessClient(service);
    const informers = new InformerFactory({ client: api, clock });
    const recorder = new EventRecorder({ client: api, component: 'statefulset-controller', clock });
    const ssc = new StatefulSetController({ client: api, informers, clock, recorder });
    // An orphan web-0 (left by `kubectl delete sts --cascade=orphan`) is adopted, not re-created.
    await api.create(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-0', labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    await api.create(STATEFULSETS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        serviceName: 'nginx',
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'www', mountPath: '/www' }] }],
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
      },
    } as StatefulSet);
    await informers.start();
    ssc.start();
    const settle = async () => {
      for (let i = 0; i < 8; i++) {
        await clock.advance(0);
        await recorder.flush();
      }
    };
    /** Scheduler and kubelet stand-in: bind, mark Running and Ready, finish deletions. */
    const runPods = async () => {
      for (const p of (await api.list<Pod>(PODS, 'default')).items) {
        const { namespace, name } = p.metadata;
        if (p.metadata.deletionTimestamp) {
          await api.delete(PODS, namespace, name!, { gracePeriodSeconds: 0 });
          continue;
        }
        if (p.status?.phase === 'Running') continue;
        if (!p.spec.nodeName)
          await api.createSubresource(PODS, namespace, name!, 'binding', {
            apiVersion: 'v1',
            kind: 'Binding',
            metadata: { name, namespace },
            target: { kind: 'Node', name: 'n1' },
          });
        const cur = await api.get<Pod>(PODS, namespace, name!);
        await api.updateStatus(PODS, namespace, {
          ...cur,
          status: {
            ...cur.status,
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(clock.now()) }],
          },
        });
      }
      await settle();
    };
    const images = async () =>
      (await api.list<Pod>(PODS, 'default')).items.map((p) => [p.metadata.name, p.spec.containers[0].image]);

    await settle();
    for (let i = 0; i < 4; i++) await runPods();
    const web0 = await api.get<Pod>(PODS, 'default', 'web-0');
    expect(web0.metadata.ownerReferences).toMatchObject([
      { kind: 'StatefulSet', name: 'web', controller: true },
    ]);
    const web1 = await api.get<Pod>(PODS, 'default', 'web-1');
    expect(web1.spec).toMatchObject({
      hostname: 'web-1',
      subdomain: 'nginx',
      volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } }],
    });
    const claims = (await api.list<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS, 'default')).items;
    expect(claims.map((c) => [c.metadata.name, c.metadata.labels])).toEqual([
      ['www-web-0', { app: 'web' }],
      ['www-web-1', { app: 'web' }],
    ]);

    const set = await api.get<StatefulSet>(STATEFULSETS, 'default', 'web');
    set.spec.template.spec.containers[0].image = 'busybox:2';
    await api.update(STATEFULSETS, 'default', set);
    await settle();
    for (let i = 0; i < 8; i++) await runPods();
    expect(await images()).toEqual([
      ['web-0', 'busybox:2'],
      ['web-1', 'busybox:2'],
    ]);
    const revisions = (await api.list<ControllerRevision>(CONTROLLERREVISIONS, 'default')).items;
    expect(revisions.map((r) => r.revision).sort()).toEqual([1, 2]);
    const status = (await api.get<StatefulSet>(STATEFULSETS, 'default', 'web')).status!;
    expect(status).toMatchObject({
      observedGeneration: 2,
      replicas: 2,
      readyReplicas: 2,
      updatedReplicas: 2,
    });
    expect(status.currentRevision).toBe(status.updateRevision);
    await ssc.stop();
    informers.stop();
  });
});
