import dnsPacket, { type DecodedPacket, type Packet, type Question } from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Endpoints, Service } from '../../src/api/types.js';
import { FakeForwarder } from '../../test/fakes/fake-dns-upstream.js';
import { StaticDnsSource, type DnsSource } from './dns-source.js';
import type { Transport } from './forwarder.js';
import { QueryHandler, type Reply } from './query-handler.js';

const web: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }] },
};
const big: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'big', namespace: 'default' },
  spec: { clusterIP: 'None' },
};
const ext: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'ext', namespace: 'default' },
  spec: { type: 'ExternalName', externalName: 'example.test' },
};
const bigEndpoints = (n: number): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'big', namespace: 'default' },
  subsets: [{ addresses: Array.from({ length: n }, (_, i) => ({ ip: `10.244.3.${i + 1}` })) }],
});

function setup(opts: { synced?: boolean; cacheSize?: number } = {}) {
  const source = new StaticDnsSource([web, big, ext], [bigEndpoints(20)]);
  const wrapped: DnsSource = {
    version: () => source.version(),
    hasSynced: () => opts.synced ?? true,
    services: () => source.services(),
    endpoints: () => source.endpoints(),
  };
  const forwarder = new FakeForwarder({ 'example.test': ['192.0.2.53'] });
  const handler = new QueryHandler({ source: wrapped, forwarder, cacheSize: opts.cacheSize });
  return { source, forwarder, handler };
}

function query(name: string, type: Question['type'] = 'A', extra: Partial<Packet> = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: 0x1234,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
    ...extra,
  } as Packet);
}

/** dns-packet decodes the rcode name too; its type definitions omit it. */
type Decoded = DecodedPacket & { rcode?: string };

async function ask(handler: QueryHandler, msg: Buffer, transport: Transport = 'udp'): Promise<Decoded> {
  const reply = await handler.handle(msg, transport);
  if (!reply) throw new Error('no reply');
  return dnsPacket.decode(reply) as Decoded;
}

const ips = (p: DecodedPacket) => (p.answers ?? []).map((a) => ('data' in a ? a.data : undefined));
const edns = (size: number): Partial<Packet> => ({
  additionals: [{ type: 'OPT', name: '.', udpPayloadSize: size } as never],
});

describe('QueryHandler: zone answers', () => {
  it('answers a service A record: same id, QR+AA+RA, RD echoed, question bytes as sent (0x20 case)', async () => {
    const { handler } = setup();
    const msg = query('wEb.DeFault.svc.Cluster.local');
    const reply = (await handler.handle(msg, 'udp'))!;
    const p = dnsPacket.decode(reply);
    expect(p.id).toBe(0x1234);
    expect(p.type).toBe('response');
    expect([p.flag_aa, p.flag_ra, p.flag_rd, p.flag_tc]).toEqual([true, true, true, false]);
    expect(p.questions).toEqual([{ name: 'wEb.DeFault.svc.Cluster.local', type: 'A', class: 'IN' }]);
    expect(ips(p)).toEqual(['10.96.0.10']);
    expect(p.answers![0]).toMatchObject({ ttl: 5 });
  });

  it('replays the cached encoding with the new query’s id and flags, and rebuilds when the source moves', async () => {
    const { handler, source } = setup();
    await ask(handler, query('web.default.svc.cluster.local'));
    const again = await ask(handler, query('web.default.svc.cluster.local', 'A', { id: 7, flags: 0 }));
    expect(again.id).toBe(7);
    expect(again.flag_rd).toBe(false);
    expect(ips(again)).toEqual(['10.96.0.10']);
    const shouted = await ask(handler, query('WEB.DEFAULT.SVC.CLUSTER.LOCAL', 'A', { id: 8 }));
    expect(shouted.questions).toEqual([{ name: 'WEB.DEFAULT.SVC.CLUSTER.LOCAL', type: 'A', class: 'IN' }]);
    expect(ips(shouted)).toEqual(['10.96.0.10']);
    source.set([{ ...web, spec: { ...web.spec, clusterIP: '10.96.0.77' } }], []);
    expect(ips(await ask(handler, query('web.default.svc.cluster.local')))).toEqual(['10.96.0.77']);
  });

  it('answers SRV with additionals, NXDOMAIN with the SOA in authority', async () => {
    const { handler } = setup();
    const srv = await ask(handler, query('_http._tcp.web.default.svc.cluster.local', 'SRV'));
    expect(srv.answers?.[0]).toMatchObject({
      type: 'SRV',
      data: { port: 80, target: 'web.default.svc.cluster.local' },
    });
    expect(ips({ answers: srv.additionals } as DecodedPacket)).toEqual(['10.96.0.10']);
    const nx = await ask(handler, query('nope.default.svc.cluster.local'));
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.flag_aa).toBe(true);
    expect(nx.authorities?.map((a) => a.type)).toEqual(['SOA']);
  });

  it('truncates UDP answers over 512 bytes without EDNS, honours the EDNS size, never truncates TCP', async () => {
    const { handler } = setup();
    const plain = await ask(handler, query('big.default.svc.cluster.local'));
    expect(plain.flag_tc).toBe(true);
    expect(plain.answers).toEqual([]);
    expect(plain.questions?.[0].name).toBe('big.default.svc.cluster.local');

    const withEdns = await ask(handler, query('big.default.svc.cluster.local', 'A', edns(1232)));
    expect(withEdns.flag_tc).toBe(false);
    expect(withEdns.answers).toHaveLength(20);
    expect(withEdns.additionals?.find((a) => a.type === 'OPT')).toMatchObject({ udpPayloadSize: 1232 });

    const smallEdns = await ask(handler, query('big.default.svc.cluster.local', 'A', edns(100)));
    expect(smallEdns.flag_tc).toBe(true); // sizes under 512 count as 512

    const plainAgain = await ask(handler, query('big.default.svc.cluster.local'));
    expect([plainAgain.flag_tc, plainAgain.additionals]).toEqual([true, []]); // EDNS and plain cached apart

    const tcp = await ask(handler, query('big.default.svc.cluster.local'), 'tcp');
    expect(tcp.flag_tc).toBe(false);
    expect(tcp.answers).toHaveLength(20);
  });

  it('answers NODATA for types it does not know, echoing the question type', async () => {
    const { handler } = setup();
    const https = query('web.default.svc.cluster.local', 'UNKNOWN_65' as Question['type']);
    for (let i = 0; i < 2; i++) {
      const reply = (await handler.handle(https, 'udp'))!;
      expect(reply.readUInt16BE(12 + 'web.default.svc.cluster.local'.length + 2)).toBe(65);
      const p = dnsPacket.decode(reply) as Decoded;
      expect([p.rcode, p.answers, p.authorities?.map((a) => a.type)]).toEqual(['NOERROR', [], ['SOA']]);
    }
  });

  it('answers SERVFAIL before the source has synced and does not cache it', async () => {
    const { handler } = setup({ synced: false });
    expect((await ask(handler, query('web.default.svc.cluster.local'))).rcode).toBe('SERVFAIL');
    expect((await ask(handler, query('web.default.svc.cluster.local'))).rcode).toBe('SERVFAIL');
  });

  it('keeps answering correctly when the cache is full', async () => {
    const { handler } = setup({ cacheSize: 2 });
    for (let i = 0; i < 10; i++) {
      expect((await ask(handler, query(`n${i}.default.svc.cluster.local`))).rcode).toBe('NXDOMAIN');
      expect(ips(await ask(handler, query('web.default.svc.cluster.local')))).toEqual(['10.96.0.10']);
    }
  });
});

describe('QueryHandler: forwarding', () => {
  it('forwards names outside the zone and relays the answer', async () => {
    const { handler, forwarder } = setup();
    const p = await ask(handler, query('example.test'), 'tcp');
    expect(ips(p)).toEqual(['192.0.2.53']);
    expect(p.id).toBe(0x1234);
    expect(forwarder.queries.map((q) => [q.packet.questions?.[0].name, q.transport])).toEqual([
      ['example.test', 'tcp'],
    ]);
  });

  it('answers SERVFAIL (same id and question) when no upstream answers', async () => {
    const { handler, forwarder } = setup();
    forwarder.unreachable = true;
    const p = await ask(handler, query('example.test'));
    expect(p).toMatchObject({
      id: 0x1234,
      rcode: 'SERVFAIL',
      questions: [{ name: 'example.test', type: 'A' }],
    });
  });

  it('chases an ExternalName CNAME upstream and appends the target’s records', async () => {
    const { handler, forwarder } = setup();
    const p = await ask(handler, query('ext.default.svc.cluster.local'));
    expect(p.answers?.map((a) => [a.type, a.name, 'data' in a ? a.data : ''])).toEqual([
      ['CNAME', 'ext.default.svc.cluster.local', 'example.test'],
      ['A', 'example.test', '192.0.2.53'],
    ]);
    expect(p.id).toBe(0x1234);
    expect(forwarder.queries[0].packet.questions).toEqual([{ name: 'example.test', type: 'A', class: 'IN' }]);
    forwarder.unreachable = true;
    const alone = await ask(handler, query('ext.default.svc.cluster.local'));
    expect(alone.answers?.map((a) => a.type)).toEqual(['CNAME']);
  });
});

describe('QueryHandler: bad input', () => {
  it('drops responses and undecodable packets, answers other opcodes and question counts with errors', async () => {
    const { handler } = setup();
    expect(handler.handle(Buffer.alloc(5), 'udp')).toBeUndefined();
    expect(handler.handle(Buffer.from('not a dns packet at all, just text'), 'udp')).toBeUndefined();
    const response = dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'a', type: 'A' }] });
    expect(handler.handle(response, 'udp')).toBeUndefined();
    const status = query('web.default.svc.cluster.local', 'A', { flags: 2 << 11 });
    expect((await ask(handler, status)).rcode).toBe('NOTIMP');
    const none = dnsPacket.encode({ type: 'query', id: 3, questions: [] });
    expect((await ask(handler, none)).rcode).toBe('FORMERR');
    const two = dnsPacket.encode({
      type: 'query',
      id: 4,
      questions: [
        { name: 'a.cluster.local', type: 'A' },
        { name: 'b.cluster.local', type: 'A' },
      ],
    });
    expect((await ask(handler, two)).rcode).toBe('FORMERR');
  });

  it('never throws on random bytes or on mutated valid queries', async () => {
    const { handler } = setup();
    const valid = query('web.default.svc.cluster.local');
    const replies: Reply[] = [];
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        replies.push(handler.handle(Buffer.from(bytes), 'udp'));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), (i, b) => {
        const mutated = Buffer.from(valid);
        mutated[i] = b;
        replies.push(handler.handle(mutated, 'udp'), handler.handle(mutated.subarray(0, i), 'tcp'));
      }),
      { numRuns: 2000 },
    );
    const settled = await Promise.allSettled(replies);
    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
    // Still answering afterwards.
    expect(ips(await ask(handler, valid))).toEqual(['10.96.0.10']);
  });
});
