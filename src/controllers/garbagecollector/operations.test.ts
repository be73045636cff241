import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { CONFIGMAPS } from '../../client/api-client.js';
import { conflict } from '../../common/errors.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import type { ObjectIdentity } from './graph.js';
import { GcOperations } from './operations.js';

const OWNER = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'owner-uid' };
const OTHER = { apiVersion: 'v1', kind: 'ConfigMap', name: 'other', uid: 'other-uid' };

function setup(meta: Partial<KubeObject['metadata']> = {}) {
  const api = new FakeApiClient();
  const [obj] = api.seed(CONFIGMAPS, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cm', namespace: 'ns', ownerReferences: [OWNER], ...meta },
  });
  const id: ObjectIdentity = {
    ref: CONFIGMAPS,
    kind: 'ConfigMap',
    namespace: 'ns',
    name: 'cm',
    uid: obj.metadata.uid!,
  };
  return { api, obj, id, ops: new GcOperations(api) };
}

describe('GcOperations', () => {
  it('getLive answers undefined for a missing object or one with another uid', async () => {
    const { ops, id } = setup();
    expect((await ops.getLive(id))?.metadata.name).toBe('cm');
    expect(await ops.getLive({ ...id, uid: 'someone-else' })).toBeUndefined();
    expect(await ops.getLive({ ...id, name: 'gone' })).toBeUndefined();
  });

  it('deleteObject sends the policy with uid and resourceVersion preconditions', async () => {
    const { api, ops, id, obj } = setup();
    await ops.deleteObject(id, obj.metadata.resourceVersion, [OWNER], 'Foreground');
    expect(api.actionsOf('delete')[0].opts).toEqual({
      propagationPolicy: 'Foreground',
      preconditions: { uid: id.uid, resourceVersion: obj.metadata.resourceVersion },
    });
    expect(api.find(CONFIGMAPS, 'ns', 'cm')).toBeUndefined();
  });

  it('deleteObject still deletes an object changed since, if its owners did not change', async () => {
    const { api, ops, id, obj } = setup();
    await api.patch(CONFIGMAPS, 'ns', 'cm', 'merge', { data: { touched: 'yes' } });
    await ops.deleteObject(id, obj.metadata.resourceVersion, [OWNER], 'Background');
    expect(api.actionsOf('delete')).toHaveLength(2);
    expect(api.actionsOf('delete')[1].opts).toEqual({
      propagationPolicy: 'Background',
      preconditions: { uid: id.uid },
    });
    expect(api.find(CONFIGMAPS, 'ns', 'cm')).toBeUndefined();
  });

  it('deleteObject gives up (Conflict) when the owners changed since the decision', async () => {
    const { api, ops, id, obj } = setup();
    await api.patch(CONFIGMAPS, 'ns', 'cm', 'merge', { metadata: { ownerReferences: [OWNER, OTHER] } });
    await expect(
      ops.deleteObject(id, obj.metadata.resourceVersion, [OWNER], 'Background'),
    ).rejects.toMatchObject({
      reason: 'Conflict',
    });
    expect(api.find(CONFIGMAPS, 'ns', 'cm')).toBeDefined();
  });

  it('deleteObject of something already gone is done', async () => {
    const { api, ops, id } = setup();
    await api.delete(CONFIGMAPS, 'ns', 'cm');
    await expect(ops.deleteObject(id, '1', [OWNER], 'Background')).resolves.toBeUndefined();
  });

  it('updateOwnerReferences patches pinned to uid and resourceVersion, null when none remain', async () => {
    const { api, ops, id, obj } = setup();
    await ops.updateOwnerReferences(id, (refs) => refs.filter((r) => r.uid !== OWNER.uid));
    const patch = api.actionsOf('patch')[0];
    expect(patch.patchType).toBe('merge');
    expect(patch.body).toEqual({
      metadata: { ownerReferences: null, uid: id.uid, resourceVersion: obj.metadata.resourceVersion },
    });
    expect(api.find(CONFIGMAPS, 'ns', 'cm')?.metadata.ownerReferences).toBeUndefined();
  });

  it('updateOwnerReferences writes nothing when nothing changes', async () => {
    const { api, ops, id } = setup();
    await ops.updateOwnerReferences(id, (refs) => refs);
    await ops.updateOwnerReferences(id, () => undefined);
    expect(api.actionsOf('patch')).toEqual([]);
  });

  it('removeFinalizer retries after a conflict with a fresh read', async () => {
    const { api, ops, id } = setup({ finalizers: ['orphan', 'example.com/keep'] });
    // Another writer got in between our read and our patch.
    api.failNext('patch', conflict(CONFIGMAPS, 'cm'));
    await ops.removeFinalizer(id, 'orphan');
    expect(api.actionsOf('patch')).toHaveLength(2);
    expect(api.find(CONFIGMAPS, 'ns', 'cm')?.metadata.finalizers).toEqual(['example.com/keep']);
  });
});
