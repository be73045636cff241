// The DaemonSet controller against the real API logic (ResourceService over a MemoryStore, through the in-process
// client): its pods, revisions and status writes pass the API server's defaulting and validation.
import { describe, expect, it } from 'vitest';
import type { ControllerRevision, DaemonSet, Node, Pod } from '../../api/types.js';
import { CONTROLLERREVISIONS, DAEMONSETS, NODES, PODS } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { rfc3339 } from '../../common/clock.js';
import { createInProcessClient } from '../../apiserver/in-process-client.js';
import { harness, node } from '../../apiserver/test-support.js';
import { DaemonSetController } from './controller.js';
import { targetNodeName } from './daemon-pods.js';

describe('DaemonSetController with the real API logic', () => {
  it('places pinned pods the scheduler can bind, rolls an update out and reports status', async () => {
    const { service, clock } = await harness();
    const api = createInProcessClient(service);
    for (const name of ['n1', 'n2']) {
      const n = node(name) as Node;
      n.status = { ...n.status, conditions: [{ type: 'Ready', status: 'True' }] };
      await api.create(NODES, undefined, n);
    }
    await api.create(DAEMONSETS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    } as DaemonSet);
    const informers = new InformerFactory({ client: api, clock });
    const recorder = new EventRecorder({ client: api, component: 'daemonset-controller', clock });
    const dsc = new DaemonSetController({ client: api, informers, clock, recorder });
    await informers.start();
    dsc.start();
    const settle = async () => {
      for (let i = 0; i < 8; i++) {
        await clock.advance(0);
        await recorder.flush();
      }
    };
    const runPods = async () => {
      for (const p of (await api.list<Pod>(PODS, 'default')).items) {
        const { namespace, name } = p.metadata;
        if (p.metadata.deletionTimestamp) {
          await api.delete(PODS, namespace, name!, { gracePeriodSeconds: 0 });
          continue;
        }
        if (p.status?.phase === 'Running') continue;
        await api.createSubresource(PODS, namespace, name!, 'binding', {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name, namespace },
          target: { kind: 'Node', name: targetNodeName(p) },
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
    const placed = async () =>
      (await api.list<Pod>(PODS, 'default')).items
        .map((p) => [p.spec.nodeName, p.spec.containers[0].image])
        .sort();

    await settle();
    await runPods();
    expect(await placed()).toEqual([
      ['n1', 'busybox'],
      ['n2', 'busybox'],
    ]);
    const ds = await api.get<DaemonSet>(DAEMONSETS, 'default', 'agent');
    ds.spec.template.spec.containers[0].image = 'busybox:2';
    await api.update(DAEMONSETS, 'default', ds);
    await settle();
    for (let i = 0; i < 6; i++) await runPods();
    expect(await placed()).toEqual([
      ['n1', 'busybox:2'],
      ['n2', 'busybox:2'],
    ]);
    const revisions = (await api.list<ControllerRevision>(CONTROLLERREVISIONS, 'default')).items;
    expect(revisions.map((r) => r.revision).sort()).toEqual([1, 2]);
    expect((await api.get<DaemonSet>(DAEMONSETS, 'default', 'agent')).status).toMatchObject({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
      observedGeneration: 2,
    });
    await dsc.stop();
    informers.stop();
  });
});
