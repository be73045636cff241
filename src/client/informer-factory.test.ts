import { describe, expect, it } from 'vitest';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { NODES, PODS } from './api-client.js';
import { InformerFactory } from './informer-factory.js';

describe('InformerFactory', () => {
  it('hands out one shared informer per resource and starts them all', async () => {
    const client = new FakeApiClient();
    client.seed(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'a', namespace: 'default' },
      spec: { containers: [] },
    });
    const factory = new InformerFactory({ client });
    const pods1 = factory.get(PODS);
    const pods2 = factory.get(PODS);
    const nodes = factory.get(NODES);
    expect(pods1).toBe(pods2);
    expect(nodes).not.toBe(pods1);
    await factory.start();
    expect(pods1.hasSynced() && nodes.hasSynced()).toBe(true);
    expect(pods1.list().map((p) => p.metadata.name)).toEqual(['a']);
    expect(client.actionsOf('list').length).toBe(2);
    factory.stop();
  });
});
