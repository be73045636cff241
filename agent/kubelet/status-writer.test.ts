import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/types.js';
import { PODS } from '../../src/client/api-client.js';
import { conflict } from '../../src/common/errors.js';
import { silentLogger } from '../../src/common/logger.js';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { PodStatusWriter } from './status-writer.js';

const podObj: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] },
};

describe('PodStatusWriter', () => {
  it('writes a changed status once, and not again while the cache lags', async () => {
    const client = new FakeApiClient();
    const [stored] = client.seed(PODS, podObj) as Pod[];
    const writer = new PodStatusWriter({ client, log: silentLogger });
    expect(await writer.write(stored, { phase: 'Running' })).toBe(true);
    expect(await writer.write(stored, { phase: 'Running' })).toBe(false);
    const fresh = client.find<Pod>(PODS, 'default', 'p')!;
    expect(fresh.status?.phase).toBe('Running');
    expect(await writer.write(fresh, { phase: 'Running', conditions: [] })).toBe(false);
    expect(client.actionsOf('updateStatus')).toHaveLength(1);
  });

  it('retries a conflict with the fresh pod, but never writes to a different pod of the same name', async () => {
    const client = new FakeApiClient();
    const [stored] = client.seed(PODS, podObj) as Pod[];
    const writer = new PodStatusWriter({ client, log: silentLogger });
    client.failNext('updateStatus', conflict({ group: '', resource: 'pods' }, 'p'));
    expect(await writer.write(stored, { phase: 'Running' })).toBe(true);
    expect(client.find<Pod>(PODS, 'default', 'p')!.status?.phase).toBe('Running');

    await client.delete(PODS, 'default', 'p', { gracePeriodSeconds: 0 });
    client.seed(PODS, podObj);
    client.failNext('updateStatus', conflict({ group: '', resource: 'pods' }, 'p'));
    expect(await writer.write(stored, { phase: 'Failed' })).toBe(false);
    expect(client.find<Pod>(PODS, 'default', 'p')!.status?.phase).not.toBe('Failed');
  });

  it('ignores a pod that is gone', async () => {
    const client = new FakeApiClient();
    const writer = new PodStatusWriter({ client, log: silentLogger });
    expect(
      await writer.write({ ...podObj, metadata: { ...podObj.metadata, uid: 'gone' } }, { phase: 'Running' }),
    ).toBe(false);
  });
});
