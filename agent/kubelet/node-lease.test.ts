import { describe, expect, it } from 'vitest';
import type { Lease } from '../../src/api/types.js';
import { LEASES, NODES } from '../../src/client/api-client.js';
import { ApiError } from '../../src/common/errors.js';
import { silentLogger } from '../../src/common/logger.js';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { leaseRetryDelay, microTime, NodeLease } from './node-lease.js';

describe('NodeLease', () => {
  it('creates the lease owned by the node, then renews it every period', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00.250Z'));
    const client = new FakeApiClient({ clock });
    const [node] = client.seed(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: {} });
    const lease = new NodeLease({ client, clock, log: silentLogger, nodeName: 'n1' });
    lease.start();
    await clock.advance(0);
    const l1 = client.find<Lease>(LEASES, 'kube-node-lease', 'n1')!;
    expect(l1.spec).toEqual({
      holderIdentity: 'n1',
      leaseDurationSeconds: 40,
      renewTime: '2026-01-01T00:00:00.250000Z',
    });
    expect(l1.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Node', name: 'n1', uid: node.metadata.uid },
    ]);
    await clock.advance(10_000);
    expect(client.find<Lease>(LEASES, 'kube-node-lease', 'n1')!.spec?.renewTime).toBe(
      '2026-01-01T00:00:10.250000Z',
    );
    lease.stop();
    await clock.advance(30_000);
    expect(client.find<Lease>(LEASES, 'kube-node-lease', 'n1')!.spec?.renewTime).toBe(
      '2026-01-01T00:00:10.250000Z',
    );
  });

  it('keeps renewing while the master is unreachable: one warning, then quiet retries until it works again', async () => {
    const clock = new FakeClock();
    const client = new FakeApiClient({ clock });
    client.seed(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: {} });
    const log = new RecordingLogger();
    const lease = new NodeLease({ client, clock, log, nodeName: 'n1' });
    const unreachable = new ApiError(503, 'ServiceUnavailable', 'Unable to connect to the server');
    for (let i = 0; i < 3; i++) client.failNext('get', unreachable, 'leases');
    lease.start();
    // tries at 0, 0.2 and 0.6 s fail; the one at 1.4 s works
    await clock.advance(1399);
    expect(client.find<Lease>(LEASES, 'kube-node-lease', 'n1')).toBeUndefined();
    await clock.advance(1);
    expect(client.find<Lease>(LEASES, 'kube-node-lease', 'n1')!.spec?.renewTime).toBe(microTime(clock.now()));
    expect(log.records.map((r) => `${r.level} ${r.msg}`)).toEqual([
      'warn renewing the node lease failed',
      'debug renewing the node lease failed',
      'debug renewing the node lease failed',
      'info renewing the node lease works again',
    ]);
    expect([1, 2, 3, 4, 5, 6, 7].map(leaseRetryDelay)).toEqual([200, 400, 800, 1600, 3200, 6400, 7000]);
    lease.stop();
  });

  it('formats MicroTime with microseconds', () => {
    expect(microTime(Date.parse('2026-11-30T04:45:59.123Z'))).toBe('2026-11-30T04:45:59.123000Z');
  });
});
