// The namespace controller against the API server's own namespace semantics (in-process, fake clock).
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, Namespace } from '../../api/types.js';
import { CONFIGMAPS, NAMESPACES, PODS } from '../../client/api-client.js';
import { GarbageCollector } from '../garbagecollector/controller.js';
import {
  boundPod,
  configMap,
  eventually,
  find,
  ownerRef,
  pod,
  testCluster,
  widget,
  WIDGETS,
  type TestCluster,
} from '../garbagecollector/test-fixtures.js';
import { NAMESPACE_DELETION_GRACE_MS, NamespaceController } from './controller.js';
import type { NamespaceCondition } from './status.js';

let stopAll: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stopAll?.();
  stopAll = undefined;
});

async function start(opts: { withGc?: boolean } = {}): Promise<TestCluster> {
  const c = await testCluster();
  const deps = { client: c.client, informers: c.informers, registry: c.registry, clock: c.clock };
  const nc = new NamespaceController(deps);
  const gc = opts.withGc ? new GarbageCollector(deps) : undefined;
  await c.informers.start();
  nc.start();
  gc?.start();
  stopAll = async () => {
    await nc.stop();
    await gc?.stop();
    c.informers.stop();
  };
  return c;
}

function namespace(name: string, finalizers?: string[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
    ...(finalizers ? { spec: { finalizers } } : {}),
  };
}

async function conditionOf(
  c: TestCluster,
  ns: string,
  type: string,
): Promise<NamespaceCondition | undefined> {
  const obj = await find(c.client, NAMESPACES, undefined, ns);
  return (obj?.status?.conditions as NamespaceCondition[] | undefined)?.find((x) => x.type === type);
}

const gone = (c: TestCluster, ns: string) => async () => !(await find(c.client, NAMESPACES, undefined, ns));

describe('NamespaceController', () => {
  it('deletes everything in a Terminating namespace, waits for graceful pods, then the namespace goes', async () => {
    const c = await start();
    await c.client.create(NAMESPACES, undefined, namespace('team'));
    await c.client.create(CONFIGMAPS, 'team', configMap('a'));
    await c.client.create(CONFIGMAPS, 'team', configMap('b'));
    await c.client.create(WIDGETS, 'team', widget('w'));
    await c.client.create(PODS, 'team', pod('pending'));
    await boundPod(c.client, 'team', 'running');
    await c.client.create(CONFIGMAPS, 'default', configMap('elsewhere'));

    await c.client.delete(NAMESPACES, undefined, 'team');
    const marked = await c.client.get<Namespace>(NAMESPACES, undefined, 'team');
    expect(marked.status?.phase).toBe('Terminating');
    await expect(c.client.create(CONFIGMAPS, 'team', configMap('late'))).rejects.toMatchObject({
      reason: 'Forbidden',
    });

    // Nothing happens during the deletion grace period.
    await c.clock.advance(NAMESPACE_DELETION_GRACE_MS - 1000);
    expect((await c.client.list(CONFIGMAPS, 'team')).items).toHaveLength(2);

    await eventually(c.clock, async () => (await c.client.list(CONFIGMAPS, 'team')).items.length === 0);
    expect((await c.client.list(WIDGETS, 'team')).items).toEqual([]);
    const pods = (await c.client.list(PODS, 'team')).items;
    expect(pods.map((p) => p.metadata.name)).toEqual(['running']);
    expect(pods[0].metadata.deletionTimestamp).toBeDefined();
    await eventually(
      c.clock,
      async () => (await conditionOf(c, 'team', 'NamespaceContentRemaining'))?.status === 'True',
    );
    expect(await conditionOf(c, 'team', 'NamespaceContentRemaining')).toMatchObject({
      reason: 'SomeResourcesRemain',
      message: 'Some resources are remaining: pods. has 1 resource instances',
    });
    expect(await conditionOf(c, 'team', 'NamespaceDeletionContentFailure')).toMatchObject({
      status: 'False',
    });
    expect(await find(c.client, NAMESPACES, undefined, 'team')).toBeDefined();

    await c.client.delete(PODS, 'team', 'running', { gracePeriodSeconds: 0 }); // the agent, once stopped
    await eventually(c.clock, gone(c, 'team'));
    expect(await find(c.client, CONFIGMAPS, 'default', 'elsewhere')).toBeDefined();
  });

  it('the default namespace cannot be deleted and its content is left alone', async () => {
    const c = await start();
    await c.client.create(CONFIGMAPS, 'default', configMap('keep'));
    await expect(c.client.delete(NAMESPACES, undefined, 'default')).rejects.toMatchObject({
      code: 403,
      reason: 'Forbidden',
    });
    // The controller is at work meanwhile: another namespace is emptied and removed.
    await c.client.create(NAMESPACES, undefined, namespace('scratch'));
    await c.client.create(CONFIGMAPS, 'scratch', configMap('tmp'));
    await c.client.delete(NAMESPACES, undefined, 'scratch');
    await eventually(c.clock, gone(c, 'scratch'));
    const ns = await c.client.get<Namespace>(NAMESPACES, undefined, 'default');
    expect(ns.metadata.deletionTimestamp).toBeUndefined();
    expect(ns.status?.phase).toBe('Active');
    expect(await find(c.client, CONFIGMAPS, 'default', 'keep')).toBeDefined();
  });

  it('waits for objects held by finalizers and says so in the conditions', async () => {
    const c = await start();
    await c.client.create(NAMESPACES, undefined, namespace('held'));
    const cm = configMap('held-cm');
    cm.metadata.finalizers = ['example.com/hold'];
    await c.client.create(CONFIGMAPS, 'held', cm);

    await c.client.delete(NAMESPACES, undefined, 'held');
    await eventually(
      c.clock,
      async () => (await conditionOf(c, 'held', 'NamespaceFinalizersRemaining'))?.status === 'True',
    );
    expect(await conditionOf(c, 'held', 'NamespaceFinalizersRemaining')).toMatchObject({
      reason: 'SomeFinalizersRemain',
      message:
        'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    });
    expect((await find(c.client, CONFIGMAPS, 'held', 'held-cm'))?.metadata.deletionTimestamp).toBeDefined();

    await c.client.patch(CONFIGMAPS, 'held', 'held-cm', 'merge', { metadata: { finalizers: null } });
    // Nothing watches configmaps here: the controller looks again after half its 15 s estimate.
    await eventually(c.clock, gone(c, 'held'));
  });

  it('removes only its own finalizer: a namespace with another one stays Terminating', async () => {
    const c = await start();
    await c.client.create(NAMESPACES, undefined, namespace('shared', ['kubernetes', 'example.com/other']));
    await c.client.delete(NAMESPACES, undefined, 'shared');
    await eventually(c.clock, async () => {
      const ns = await find(c.client, NAMESPACES, undefined, 'shared');
      return ns?.spec?.finalizers?.length === 1;
    });
    const ns = await c.client.get<Namespace>(NAMESPACES, undefined, 'shared');
    expect(ns.spec?.finalizers).toEqual(['example.com/other']);
    expect(ns.status?.phase).toBe('Terminating');
  });

  it('pods still there past their grace period are reported as a content failure and retried', async () => {
    const c = await start();
    await c.client.create(NAMESPACES, undefined, namespace('slow'));
    await boundPod(c.client, 'slow', 'stuck');
    await c.client.delete(NAMESPACES, undefined, 'slow');

    await eventually(
      c.clock,
      async () => (await conditionOf(c, 'slow', 'NamespaceDeletionContentFailure'))?.status === 'True',
      {
        maxMs: 120_000,
        stepMs: 1000,
      },
    );
    expect(await conditionOf(c, 'slow', 'NamespaceDeletionContentFailure')).toMatchObject({
      reason: 'ContentDeletionFailed',
      message:
        'Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: slow for gvr: /v1, Resource=pods',
    });

    await c.client.delete(PODS, 'slow', 'stuck', { gracePeriodSeconds: 0 });
    await eventually(c.clock, gone(c, 'slow'));
  });

  it('with the garbage collector: a Foreground namespace deletion and an owner tree inside it', async () => {
    const c = await start({ withGc: true });
    await c.client.create(NAMESPACES, undefined, namespace('apps'));
    const web = await c.client.create(WIDGETS, 'apps', widget('web'));
    const rs = await c.client.create(WIDGETS, 'apps', widget('web-rs', [ownerRef(web)]));
    await c.client.create(PODS, 'apps', pod('web-rs-a', [ownerRef(rs)]));

    await c.client.delete(NAMESPACES, undefined, 'apps', { propagationPolicy: 'Foreground' });
    const marked = await c.client.get(NAMESPACES, undefined, 'apps');
    expect(marked.metadata.finalizers).toEqual(['foregroundDeletion']);

    await eventually(c.clock, gone(c, 'apps'));
    expect((await c.client.list(PODS, 'apps')).items).toEqual([]);
    expect((await c.client.list(WIDGETS, 'apps')).items).toEqual([]);
  });
});
