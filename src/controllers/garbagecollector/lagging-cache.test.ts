// The collector never trusts a cache miss: an owner missing from its informer cache is looked up live, by name
// and uid, before any dependent is deleted; failed writes come back with backoff.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { PODS } from '../../client/api-client.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { serviceUnavailable } from '../../common/errors.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { GarbageCollector } from './controller.js';
import { ownerRef, pod, testRegistry, widget, WIDGETS } from './test-fixtures.js';

const RESYNC_MS = 60_000;
let stopAll: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stopAll?.();
  stopAll = undefined;
});

function inDefault(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, namespace: 'default' } };
}

/** A collector whose pods informer runs but whose widgets informer never starts: owners are never cached. */
async function lagging() {
  const clock = new FakeClock();
  const api = new FakeApiClient({ clock });
  const [web] = api.seed(WIDGETS, inDefault(widget('web')));
  const [child] = api.seed(PODS, inDefault(pod('child', [ownerRef(web)])));
  const informers = new InformerFactory({ client: api, clock });
  const gc = new GarbageCollector({
    client: api,
    informers,
    registry: testRegistry(),
    clock,
    resyncPeriodMs: RESYNC_MS,
  });
  await informers.get<KubeObject>(PODS).start();
  gc.start();
  stopAll = async () => {
    await gc.stop();
    informers.stop();
  };
  return { clock, api, web, child, gc };
}

describe('GarbageCollector with a lagging cache', () => {
  it('verifies an uncached owner live and deletes nothing while it exists', async () => {
    const { clock, api } = await lagging();
    await clock.advance(100);

    expect(api.actionsOf('get', 'widgets').map((a) => a.name)).toEqual(['web']);
    expect(api.actionsOf('delete')).toEqual([]);
    expect(api.find(PODS, 'default', 'child')).toBeDefined();

    await clock.advance(RESYNC_MS); // looked at again on resync, still there
    expect(api.actionsOf('get', 'widgets')).toHaveLength(2);
    expect(api.actionsOf('delete')).toEqual([]);
  });

  it('deletes the dependent once a live GET confirms the owner is gone, pinned to its uid', async () => {
    const { clock, api, child } = await lagging();
    await clock.advance(100);
    await api.delete(WIDGETS, 'default', 'web'); // the widgets cache would never tell
    api.clearActions();

    await clock.advance(RESYNC_MS);
    const deletes = api.actionsOf('delete', 'pods');
    expect(deletes).toHaveLength(1);
    expect(deletes[0].opts).toMatchObject({
      propagationPolicy: 'Background',
      preconditions: { uid: child.metadata.uid, resourceVersion: child.metadata.resourceVersion },
    });
    expect(api.find(PODS, 'default', 'child')).toBeUndefined();
  });

  it('treats an owner recreated under the same name (another uid) as gone', async () => {
    const { clock, api } = await lagging();
    await clock.advance(100);
    await api.delete(WIDGETS, 'default', 'web');
    api.seed(WIDGETS, inDefault(widget('web')));

    await clock.advance(RESYNC_MS);
    expect(api.find(PODS, 'default', 'child')).toBeUndefined();
  });

  it('retries a failed delete with backoff until it succeeds', async () => {
    const { clock, api } = await lagging();
    await clock.advance(100);
    await api.delete(WIDGETS, 'default', 'web');
    api.failNext('delete', serviceUnavailable('etcd is busy'), 'pods');
    api.failNext('delete', serviceUnavailable('etcd is busy'), 'pods');

    await clock.advance(RESYNC_MS);
    await clock.advance(1000);
    expect(api.actionsOf('delete', 'pods')).toHaveLength(3);
    expect(api.find(PODS, 'default', 'child')).toBeUndefined();
  });
});
