import { describe, expect, it } from 'vitest';
import type { Event, Node } from '../../api/types.js';
import { EVENTS, NODES } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { ApiError } from '../../common/errors.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { RecordingLogger } from '../../../test/fakes/recording-logger.js';
import { NodeIpamController, podCIDROf } from './node-ipam-controller.js';
import { harness } from '../../apiserver/test-support.js';
import { createInProcessClient } from '../../apiserver/in-process-client.js';

function node(name: string, spec: Node['spec'] = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec };
}

function setup(opts: { clusterCIDR?: string; nodeMaskSize?: number; serviceCIDR?: string } = {}) {
  const clock = new FakeClock();
  const api = new FakeApiClient({ clock });
  const logger = new RecordingLogger();
  const informers = new InformerFactory({ client: api, clock, logger });
  const recorder = new EventRecorder({ client: api, component: 'cidrAllocator', clock, logger });
  const ipam = new NodeIpamController({ client: api, informers, clock, logger, recorder, ...opts });
  const settle = async (ms = 0) => {
    await clock.advance(ms);
    await recorder.flush();
    await clock.advance(0);
  };
  const cidrOf = (name: string) => {
    const n = api.find<Node>(NODES, undefined, name);
    return n && { podCIDR: n.spec?.podCIDR, podCIDRs: n.spec?.podCIDRs };
  };
  const events = (reason: string) => api.objectsOf<Event>(EVENTS).filter((e) => e.reason === reason);
  return { clock, api, logger, informers, ipam, settle, cidrOf, events };
}

describe('NodeIpamController', () => {
  it('assigns podCIDR and podCIDRs to nodes that have none, lowest subnet first', async () => {
    const { api, ipam, settle, cidrOf } = setup();
    api.seed(NODES, node('a'), node('b'));
    await ipam.start();
    await settle();
    expect(cidrOf('a')).toEqual({ podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] });
    expect(cidrOf('b')).toEqual({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
    expect(api.actionsOf('patch', 'nodes')[0]).toMatchObject({
      name: 'a',
      patchType: 'merge',
      body: { spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] } },
    });

    await api.create(NODES, undefined, node('c'));
    await settle();
    expect(cidrOf('c')?.podCIDR).toBe('10.244.2.0/24');
    await ipam.stop();
  });

  it('keeps the podCIDR a node comes with and never hands it out again (master restart)', async () => {
    const { api, ipam, settle, cidrOf } = setup();
    api.seed(
      NODES,
      node('old1', { podCIDR: '10.244.0.0/24' }),
      node('old2', { podCIDRs: ['10.244.2.0/24'] }),
    );
    api.seed(NODES, node('new1'), node('new2'));
    await ipam.start();
    await settle();
    expect(cidrOf('old1')).toEqual({ podCIDR: '10.244.0.0/24', podCIDRs: undefined });
    expect(cidrOf('old2')?.podCIDRs).toEqual(['10.244.2.0/24']);
    expect([cidrOf('new1')?.podCIDR, cidrOf('new2')?.podCIDR].sort()).toEqual([
      '10.244.1.0/24',
      '10.244.3.0/24',
    ]);
    expect(
      api
        .actionsOf('patch', 'nodes')
        .map((a) => a.name)
        .sort(),
    ).toEqual(['new1', 'new2']);
    await ipam.stop();
  });

  it('a re-registered node that arrives with a podCIDR keeps it, and the subnet counts as used', async () => {
    const { api, ipam, settle, cidrOf } = setup();
    await ipam.start();
    await api.create(
      NODES,
      undefined,
      node('back', { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] }),
    );
    await api.create(NODES, undefined, node('fresh'));
    await settle();
    expect(cidrOf('back')?.podCIDR).toBe('10.244.0.0/24');
    expect(cidrOf('fresh')?.podCIDR).toBe('10.244.1.0/24');
    expect(api.actionsOf('patch', 'nodes').map((a) => a.name)).toEqual(['fresh']);
    await ipam.stop();
  });

  it('frees the CIDR of a deleted node and gives it to the next node', async () => {
    const { api, ipam, settle, cidrOf } = setup();
    api.seed(NODES, node('a'), node('b'));
    await ipam.start();
    await settle();
    await api.delete(NODES, undefined, 'a');
    await settle();
    expect(ipam.allocator.isFree('10.244.0.0/24')).toBe(true);
    await api.create(NODES, undefined, node('c'));
    await settle();
    expect(cidrOf('c')?.podCIDR).toBe('10.244.0.0/24');
    await ipam.stop();
  });

  it('records CIDRNotAvailable when exhausted and assigns once a node leaves', async () => {
    const { api, ipam, settle, cidrOf, events } = setup({ clusterCIDR: '10.244.0.0/23', nodeMaskSize: 24 });
    api.seed(NODES, node('a'), node('b'));
    await ipam.start();
    await settle();
    await api.create(NODES, undefined, node('c'));
    await settle();
    expect(cidrOf('c')?.podCIDR).toBeUndefined();
    expect(events('CIDRNotAvailable')).toMatchObject([
      {
        type: 'Warning',
        involvedObject: { kind: 'Node', name: 'c' },
        source: { component: 'cidrAllocator' },
        message: 'Node c status is now: CIDRNotAvailable (no free /24 left in cluster CIDR 10.244.0.0/23)',
      },
    ]);
    await settle(1500); // a retry (1 s backoff) fails again: the event is aggregated, not duplicated
    expect(events('CIDRNotAvailable')).toHaveLength(1);
    expect(events('CIDRNotAvailable')[0].count).toBeGreaterThanOrEqual(2);
    await api.delete(NODES, undefined, 'a');
    await settle();
    expect(cidrOf('c')?.podCIDR).toBe('10.244.0.0/24');
    await ipam.stop();
  });

  it('records CIDRAssignmentFailed when the write fails, and retries with the same CIDR', async () => {
    const { api, ipam, settle, cidrOf, events } = setup();
    api.seed(NODES, node('a'));
    api.failNext('patch', new ApiError(503, 'ServiceUnavailable', 'etcd is sad'), 'nodes');
    await ipam.start();
    await settle();
    expect(cidrOf('a')?.podCIDR).toBeUndefined();
    expect(events('CIDRAssignmentFailed')).toMatchObject([
      { type: 'Warning', message: 'Node a status is now: CIDRAssignmentFailed (10.244.0.0/24: etcd is sad)' },
    ]);
    await settle(1000);
    expect(cidrOf('a')?.podCIDR).toBe('10.244.0.0/24');
    expect(api.actionsOf('patch', 'nodes').map((a) => (a.body as any).spec.podCIDR)).toEqual([
      '10.244.0.0/24',
      '10.244.0.0/24',
    ]);
    await ipam.stop();
  });

  it('ignores (and never changes) a podCIDR outside the cluster CIDR, with one warning', async () => {
    const { api, ipam, settle, cidrOf, logger } = setup();
    api.seed(NODES, node('odd', { podCIDR: '192.168.7.0/24' }), node('a'));
    await ipam.start();
    await settle();
    expect(cidrOf('odd')?.podCIDR).toBe('192.168.7.0/24');
    expect(cidrOf('a')?.podCIDR).toBe('10.244.0.0/24');
    await ipam.sync('odd');
    await ipam.sync('odd');
    const warnings = logger.records.filter((r) => r.level === 'warn' && r.msg.startsWith('pod CIDR ignored'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].fields).toMatchObject({ node: 'odd', reason: 'outside' });
    await ipam.stop();
  });

  it('never hands out subnets of a service CIDR inside the cluster CIDR', async () => {
    const { api, ipam, settle, cidrOf } = setup({ clusterCIDR: '10.0.0.0/16', serviceCIDR: '10.0.0.0/23' });
    api.seed(NODES, node('a'));
    await ipam.start();
    await settle();
    expect(cidrOf('a')?.podCIDR).toBe('10.0.2.0/24');
    await ipam.stop();
  });

  it('a sync while the cache still shows no podCIDR writes the same CIDR again, never a second one', async () => {
    const { api, ipam, informers } = setup();
    api.seed(NODES, node('a'), node('b'));
    await informers.start();
    informers.stop(); // the cache is frozen: it never sees the patches
    await ipam.sync('a');
    await ipam.sync('a');
    await ipam.sync('b');
    expect(api.actionsOf('patch', 'nodes').map((a) => [a.name, (a.body as any).spec.podCIDR])).toEqual([
      ['a', '10.244.0.0/24'],
      ['a', '10.244.0.0/24'],
      ['b', '10.244.1.0/24'],
    ]);
    expect(ipam.allocator.usedCount()).toBe(2);
  });

  it('rejects a service CIDR that contains the cluster CIDR, and invalid settings', () => {
    expect(() => setup({ serviceCIDR: '10.0.0.0/8' })).toThrow(/inside the service CIDR/);
    expect(() => setup({ clusterCIDR: '10.244.0.0/33' })).toThrow(/not an IPv4 CIDR/);
    expect(() => setup({ serviceCIDR: 'x' })).toThrow(/not an IPv4 CIDR/);
  });
});

describe('podCIDROf', () => {
  it('reads podCIDR, falling back to podCIDRs[0]', () => {
    expect(podCIDROf(node('a', { podCIDR: '10.244.1.0/24' }))).toBe('10.244.1.0/24');
    expect(podCIDROf(node('a', { podCIDRs: ['10.244.2.0/24'] }))).toBe('10.244.2.0/24');
    expect(podCIDROf(node('a', { podCIDR: '' }))).toBeUndefined();
    expect(podCIDROf(node('a'))).toBeUndefined();
  });
});

describe('NodeIpamController through the API server (in-process client, real validation)', () => {
  it('assigns through a real merge patch, and the API then refuses any change of the podCIDR', async () => {
    const h = await harness();
    const client = createInProcessClient(h.service);
    const informers = new InformerFactory({ client, clock: h.clock });
    const ipam = new NodeIpamController({ client, informers, clock: h.clock });
    await client.create(NODES, undefined, node('n1'));
    await ipam.start();
    let got: Node | undefined;
    for (let i = 0; i < 50 && !got?.spec?.podCIDR; i++) {
      await h.clock.advance(10);
      got = await client.get<Node>(NODES, undefined, 'n1');
    }
    expect(got?.spec).toMatchObject({ podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] });
    await expect(
      client.patch(NODES, undefined, 'n1', 'merge', {
        spec: { podCIDR: '10.244.9.0/24', podCIDRs: ['10.244.9.0/24'] },
      }),
    ).rejects.toMatchObject({ reason: 'Invalid' });
    await ipam.stop();
    informers.stop();
  });
});
