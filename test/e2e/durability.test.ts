// Durability: kill -9 the master while a client creates 200 pods one by one; after a restart on the same data dir,
// every pod that got a 201 is there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, requireBuild, waitFor } from './harness.js';

const cluster = new Cluster();

beforeAll(async () => {
  requireBuild();
  await cluster.startMaster();
});

afterAll(async () => {
  await cluster.destroy();
});

describe('durability', () => {
  it('every acknowledged create survives SIGKILL of the master', async () => {
    const acknowledged: string[] = [];
    let failed = 0;
    const killAfter = 60 + Math.floor(Math.random() * 80);
    for (let i = 0; i < 200; i++) {
      const name = `durable-${i}`;
      if (i === killAfter) cluster.daemon('master').kill('SIGKILL');
      try {
        const res = await cluster.fetch('/api/v1/namespaces/default/pods', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name },
            spec: { containers: [{ name: 'c', image: 'skiff/busybox:1' }] },
          }),
        });
        if (res.status === 201) acknowledged.push(name);
        else failed++;
      } catch {
        failed++;
      }
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(killAfter - 1);
    expect(failed).toBeGreaterThan(0);

    await waitFor('the killed master to exit', async () => cluster.daemon('master').signalCode === 'SIGKILL');
    await cluster.startMaster();
    const list = await cluster.getJson('/api/v1/namespaces/default/pods');
    const names = new Set(list.items.map((p: any) => p.metadata.name));
    const lost = acknowledged.filter((n) => !names.has(n));
    expect(lost).toEqual([]);
  });
});
