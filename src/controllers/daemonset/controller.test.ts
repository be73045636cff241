// The DaemonSet controller loop against the in-memory API (FakeApiClient + shared informers) and a fake clock.
// A tiny "kubelet + scheduler" helper binds pinned pods to their node, marks them Running/Ready and finishes
// graceful deletions, so whole rollouts can be followed without Docker.
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerRevision, DaemonSet, Event, Pod } from '../../api/types.js';
import { CONTROLLERREVISIONS, DAEMONSETS, EVENTS, NODES, PODS } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { rfc3339 } from '../../common/clock.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { makeNode } from '../../../test/fakes/scheduler-fixtures.js';
import { RecordingPodControl } from '../common/pod-control.js';
import { DaemonSetController } from './controller.js';
import { targetNodeName } from './daemon-pods.js';

function daemonSet(spec: Partial<DaemonSet['spec']> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'a', image: 'agent:v1' }] },
      },
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
    component: 'daemonset-controller',
    clock: this.clock,
  });
  dsc!: DaemonSetController;

  async start(extra: Partial<ConstructorParameters<typeof DaemonSetController>[0]> = {}): Promise<void> {
    this.dsc = new DaemonSetController({
      client: this.api,
      informers: this.informers,
      clock: this.clock,
      recorder: this.recorder,
      ...extra,
    });
    await this.informers.start();
    this.dsc.start();
    await this.settle();
  }

  async settle(): Promise<void> {
    for (let i = 0; i < 6; i++) {
      await this.clock.advance(0);
      await this.recorder.flush();
    }
  }

  /** Scheduler + kubelet stand-in: bind pinned pods, start them (Ready unless told), finish deletions. */
  async runPods(opts: { ready?: (pod: Pod) => boolean } = {}): Promise<void> {
    for (const p of this.api.objectsOf<Pod>(PODS)) {
      const { namespace, name } = p.metadata;
      if (p.metadata.deletionTimestamp) {
        await this.api.delete(PODS, namespace, name!, { gracePeriodSeconds: 0 });
        continue;
      }
      const node = targetNodeName(p);
      if (!p.spec.nodeName && node && this.api.find(NODES, undefined, node)) {
        await this.api.createSubresource(PODS, namespace, name!, 'binding', {
          target: { kind: 'Node', name: node },
        });
      }
      const cur = this.api.find<Pod>(PODS, namespace, name!)!;
      if (!cur.spec.nodeName || cur.status?.phase === 'Running' || cur.status?.phase === 'Failed') continue;
      const ready = opts.ready?.(cur) ?? true;
      await this.api.updateStatus(PODS, namespace, {
        ...cur,
        status: {
          ...cur.status,
          phase: 'Running',
          conditions: [
            {
              type: 'Ready',
              status: ready ? 'True' : 'False',
              lastTransitionTime: rfc3339(this.clock.now()),
            },
          ],
        },
      });
    }
    await this.settle();
  }

  pods(): Pod[] {
    return this.api.objectsOf<Pod>(PODS, 'default').filter((p) => !p.metadata.deletionTimestamp);
  }

  podNodes(): string[] {
    return this.pods()
      .map((p) => targetNodeName(p)!)
      .sort();
  }

  ds(): DaemonSet {
    return this.api.find<DaemonSet>(DAEMONSETS, 'default', 'agent')!;
  }

  events(reason: string): Event[] {
    return this.api.objectsOf<Event>(EVENTS).filter((e) => e.reason === reason);
  }

  async setImage(image: string): Promise<void> {
    const ds = this.ds();
    ds.spec.template.spec.containers[0].image = image;
    await this.api.update(DAEMONSETS, 'default', ds);
    await this.settle();
  }

  async stop(): Promise<void> {
    await this.dsc?.stop();
    this.informers.stop();
  }
}

let h: Harness;
afterEach(async () => {
  await h.stop();
});

describe('DaemonSetController', () => {
  it('runs one pod per eligible node, follows nodes joining and leaving, and reports status', async () => {
    h = new Harness();
    h.api.seed(
      NODES,
      makeNode('a'),
      makeNode('b'),
      makeNode('tainted', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
    );
    h.api.seed(DAEMONSETS, daemonSet());
    await h.start();
    expect(h.podNodes()).toEqual(['a', 'b']);
    const pod = h.pods()[0];
    expect(pod.metadata.generateName).toBe('agent-');
    expect(pod.metadata.ownerReferences).toMatchObject([
      { kind: 'DaemonSet', name: 'agent', controller: true },
    ]);
    expect(pod.spec.nodeName).toBeUndefined(); // left to the default scheduler
    expect(pod.spec.tolerations).toContainEqual({
      key: 'node.kubernetes.io/not-ready',
      operator: 'Exists',
      effect: 'NoExecute',
    });
    const revs = h.api.objectsOf<ControllerRevision>(CONTROLLERREVISIONS, 'default');
    expect(revs).toHaveLength(1);
    const hash = revs[0].metadata.labels!['controller-revision-hash'];
    expect(revs[0]).toMatchObject({ revision: 1, metadata: { name: `agent-${hash}` } });
    expect(pod.metadata.labels).toEqual({ app: 'agent', 'controller-revision-hash': hash });
    expect(h.events('SuccessfulCreate').map((e) => e.message)).toEqual(
      h.pods().map((p) => `Created pod: ${p.metadata.name}`),
    );

    await h.runPods();
    expect(h.ds().status).toEqual({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberMisscheduled: 0,
      numberReady: 2,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
      numberUnavailable: 0,
      observedGeneration: 1,
    });

    h.api.seed(NODES, makeNode('c'));
    await h.settle();
    expect(h.podNodes()).toEqual(['a', 'b', 'c']);

    await h.api.delete(NODES, undefined, 'b');
    await h.settle();
    expect(h.podNodes()).toEqual(['a', 'c']);
    expect(h.api.actionsOf('delete', 'pods').at(-1)?.opts).toEqual({ gracePeriodSeconds: 0 });

    // A node relabelled out of the selector loses its pod; the status counts it as misscheduled meanwhile.
    const ds = h.ds();
    ds.spec.template.spec.nodeSelector = { pool: 'main' };
    await h.api.update(DAEMONSETS, 'default', ds);
    await h.settle();
    expect(h.podNodes()).toEqual([]);
  });

  it('does not create twice while its cache lags behind its own creates (expectations)', async () => {
    h = new Harness();
    const podControl = new RecordingPodControl(); // its pods never reach the API, like a cache that lags
    h.api.seed(NODES, makeNode('a'), makeNode('b'));
    h.api.seed(DAEMONSETS, daemonSet());
    await h.start({ podControl });
    expect(podControl.created).toHaveLength(2);
    await h.dsc.sync('default/agent');
    await h.dsc.sync('default/agent');
    expect(podControl.created).toHaveLength(2);
    expect(h.dsc.expectations.get('default/agent')).toMatchObject({ add: 2, del: 0 });
  });

  it('rolls a new template out keeping at most maxUnavailable nodes without a ready pod, then rolls back', async () => {
    h = new Harness();
    h.api.seed(NODES, makeNode('a'), makeNode('b'), makeNode('c'), makeNode('d'));
    h.api.seed(
      DAEMONSETS,
      daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } } }),
    );
    await h.start();
    await h.runPods();
    await h.setImage('agent:v2');
    let minReady = 4;
    for (let i = 0; i < 20; i++) {
      await h.runPods();
      const ready = h
        .pods()
        .filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      minReady = Math.min(minReady, ready.length);
      if (h.pods().length === 4 && h.pods().every((p) => p.spec.containers[0].image === 'agent:v2')) break;
    }
    expect(h.pods().map((p) => p.spec.containers[0].image)).toEqual(Array(4).fill('agent:v2'));
    expect(minReady).toBe(2); // 50% of 4
    const revs = () =>
      h.api
        .objectsOf<ControllerRevision>(CONTROLLERREVISIONS, 'default')
        .map((r) => [r.metadata.name, r.revision])
        .sort((x, y) => Number(x[1]) - Number(y[1]));
    expect(revs()).toHaveLength(2);
    const v1Name = revs()[0][0];
    await h.runPods();
    expect(h.ds().status).toMatchObject({
      updatedNumberScheduled: 4,
      numberAvailable: 4,
      observedGeneration: 2,
    });

    // Going back to v1 reuses the first revision, renumbered as the newest.
    await h.setImage('agent:v1');
    expect(revs()).toEqual([
      [expect.any(String), 2],
      [v1Name, 3],
    ]);
  });

  it('OnDelete replaces only the pods the user deletes', async () => {
    h = new Harness();
    h.api.seed(NODES, makeNode('a'), makeNode('b'));
    h.api.seed(DAEMONSETS, daemonSet({ updateStrategy: { type: 'OnDelete' } }));
    await h.start();
    await h.runPods();
    await h.setImage('agent:v2');
    await h.runPods();
    expect(h.pods().map((p) => p.spec.containers[0].image)).toEqual(['agent:v1', 'agent:v1']);
    const victim = h.pods()[0];
    await h.api.delete(PODS, 'default', victim.metadata.name!);
    await h.runPods();
    await h.runPods();
    expect(
      h
        .pods()
        .map((p) => p.spec.containers[0].image)
        .sort(),
    ).toEqual(['agent:v1', 'agent:v2']);
    expect(h.ds().status?.updatedNumberScheduled).toBe(1);
  });

  it('deletes and recreates failed daemon pods, backing off when they keep failing', async () => {
    h = new Harness();
    h.api.seed(NODES, makeNode('a'));
    h.api.seed(DAEMONSETS, daemonSet());
    await h.start();
    await h.runPods();
    const fail = async () => {
      const p = h.pods()[0];
      await h.api.updateStatus(PODS, 'default', { ...p, status: { ...p.status, phase: 'Failed' } });
      await h.settle();
    };
    const first = h.pods()[0].metadata.name;
    await fail();
    await h.runPods(); // finish the graceful deletion
    expect(h.events('FailedDaemonPod').map((e) => e.message)).toEqual([
      `Found failed daemon pod default/${first} on node a, will try to kill it`,
    ]);
    expect(h.pods()).toHaveLength(1);
    const second = h.pods()[0].metadata.name;
    expect(second).not.toBe(first);

    await h.runPods();
    await fail(); // fails again at once: within the 1 s backoff it stays
    expect(h.pods().map((p) => p.metadata.name)).toEqual([second]);
    await h.clock.advance(1000);
    await h.settle();
    await h.runPods();
    expect(h.pods().map((p) => p.metadata.name)).not.toContain(second);
    expect(h.events('FailedDaemonPod').map((e) => e.message)).toEqual([
      `Found failed daemon pod default/${first} on node a, will try to kill it`,
      `Found failed daemon pod default/${second} on node a, will try to kill it`,
    ]);
  });

  it('warns and does nothing for an empty selector', async () => {
    h = new Harness();
    h.api.seed(NODES, makeNode('a'));
    h.api.seed(DAEMONSETS, daemonSet({ selector: {} }));
    await h.start();
    expect(h.pods()).toEqual([]);
    expect(h.events('SelectingAll')[0]?.message).toBe(
      'This daemon set is selecting all pods. A non-empty selector is required.',
    );
  });
});
