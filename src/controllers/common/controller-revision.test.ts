import { describe, expect, it } from 'vitest';
import type { ControllerRevision, KubeObject, PodTemplateSpec } from '../../api/types.js';
import { CONTROLLERREVISIONS } from '../../client/api-client.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import {
  equalRevisionData,
  hashRevisionData,
  newControllerRevision,
  nextRevision,
  RevisionControl,
  REVISION_HASH_LABEL,
  revisionsToPrune,
  sortRevisions,
  templateOfRevision,
  templatePatch,
} from './controller-revision.js';

const template: PodTemplateSpec = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'web:v1', resources: { requests: { cpu: '500m' } } }] },
};
const owner: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default', uid: 'set-uid', annotations: { team: 'a' } },
};

const rev = (name: string, revision: number, image = 'web:v1'): ControllerRevision => ({
  apiVersion: 'apps/v1',
  kind: 'ControllerRevision',
  metadata: { name, namespace: 'default' },
  data: templatePatch({ ...template, spec: { containers: [{ name: 'c', image }] } }),
  revision,
});

describe('revision data', () => {
  it('stores the template as a replace patch and restores it', () => {
    const data = templatePatch(template);
    expect(data).toEqual({ spec: { template: { ...template, $patch: 'replace' } } });
    expect(templateOfRevision({ data })).toEqual(template);
  });

  it('treats the template kubectl sends back on undo as the same revision (same hash)', () => {
    const undone = {
      metadata: { creationTimestamp: null, labels: { app: 'web', 'controller-revision-hash': 'x' } },
      spec: {
        containers: [{ name: 'c', image: 'web:v1', resources: { requests: { cpu: '0.5' }, limits: {} } }],
      },
    } as unknown as PodTemplateSpec;
    expect(equalRevisionData(templatePatch(undone), templatePatch(template))).toBe(true);
    expect(hashRevisionData(templatePatch(undone))).toBe(hashRevisionData(templatePatch(template)));
    const changed = { ...template, spec: { containers: [{ name: 'c', image: 'web:v2' }] } };
    expect(equalRevisionData(templatePatch(changed), templatePatch(template))).toBe(false);
  });

  it('hashes into the safe alphabet, differently for each collision count', () => {
    const h0 = hashRevisionData(templatePatch(template));
    expect(h0).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(hashRevisionData(templatePatch(template), 1)).not.toBe(h0);
  });

  it('builds revisions owned by their parent, with its annotations', () => {
    const r = newControllerRevision(owner, templatePatch(template), 3, { app: 'web' });
    expect(r.metadata).toEqual({
      namespace: 'default',
      labels: { app: 'web' },
      annotations: { team: 'a' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: 'web',
          uid: 'set-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(r.revision).toBe(3);
  });
});

describe('history', () => {
  const revs = [rev('web-c', 3), rev('web-a', 1), rev('web-b', 2), rev('web-d', 4)];
  it('sorts by revision and finds the next number', () => {
    expect(sortRevisions(revs).map((r) => r.metadata.name)).toEqual(['web-a', 'web-b', 'web-c', 'web-d']);
    expect(nextRevision(revs)).toBe(5);
    expect(nextRevision([])).toBe(1);
  });

  it('prunes the oldest non-live revisions down to the limit', () => {
    const live = new Set(['web-a']);
    // StatefulSet: keep `limit` non-live ones.
    expect(revisionsToPrune(revs, live, 2).map((r) => r.metadata.name)).toEqual(['web-b']);
    // DaemonSet: live ones count against the limit but are never deleted.
    expect(revisionsToPrune(revs, live, 2, { countLive: true }).map((r) => r.metadata.name)).toEqual([
      'web-b',
      'web-c',
    ]);
    expect(revisionsToPrune(revs, live, 10)).toEqual([]);
  });
});

describe('RevisionControl', () => {
  it('creates `<parent>-<hash>`, reuses an equal revision and steps the collision count on a clash', async () => {
    const api = new FakeApiClient();
    const control = new RevisionControl(api);
    const data = templatePatch(template);
    const first = await control.create(
      owner,
      newControllerRevision(owner, data, 1, {}),
      0,
      REVISION_HASH_LABEL,
    );
    const hash = hashRevisionData(data);
    expect(first.revision.metadata.name).toBe(`web-${hash}`);
    expect(first.revision.metadata.labels).toEqual({ [REVISION_HASH_LABEL]: hash });
    expect(first.collisionCount).toBe(0);
    // Created again (a lagging cache): the stored one is returned.
    const again = await control.create(
      owner,
      newControllerRevision(owner, data, 1, {}),
      0,
      REVISION_HASH_LABEL,
    );
    expect(again.revision.metadata.uid).toBe(first.revision.metadata.uid);
    // A foreign revision holds the name the next template would get: the collision count goes up.
    const other = templatePatch({ ...template, spec: { containers: [{ name: 'c', image: 'web:v2' }] } });
    api.seed(CONTROLLERREVISIONS, {
      ...rev(`web-${hashRevisionData(other)}`, 9),
      data: { something: 'else' },
    });
    const clash = await control.create(
      owner,
      newControllerRevision(owner, other, 2, {}),
      0,
      REVISION_HASH_LABEL,
    );
    expect(clash.collisionCount).toBe(1);
    expect(clash.revision.metadata.name).toBe(`web-${hashRevisionData(other, 1)}`);
    expect((await control.renumber(clash.revision, 5)).revision).toBe(5);
    await control.delete(clash.revision);
    await control.delete(clash.revision); // already gone: fine
    expect(api.objectsOf(CONTROLLERREVISIONS)).toHaveLength(2);
  });
});
