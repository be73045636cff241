// The real cluster DNS server on loopback (UDP and TCP on one free port) with a fake upstream resolver on
// another port. No Docker needed; dns-packet is the client (dig/dnsmasq are not assumed to be installed).
import dgram from 'node:dgram';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import dnsPacket, { type DecodedPacket, type Packet, type Question } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoints, Service } from '../../src/api/types.js';
import { DnsServer } from '../../agent/dns/dns-server.js';
import { StaticDnsSource } from '../../agent/dns/dns-source.js';
import { UdpForwarder } from '../../agent/dns/forwarder.js';
import { FakeDnsUpstream } from '../fakes/fake-dns-upstream.js';

const HOST = '127.0.0.1';

const services: Service[] = [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'big', namespace: 'default' },
    spec: { clusterIP: 'None' },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'ext', namespace: 'default' },
    spec: { type: 'ExternalName', externalName: 'example.test' },
  },
];
const endpoints: Endpoints[] = [
  {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'big', namespace: 'default' },
    subsets: [{ addresses: Array.from({ length: 40 }, (_, i) => ({ ip: `10.244.1.${i + 2}` })) }],
  },
];

function query(name: string, type: Question['type'] = 'A', id = Math.floor(Math.random() * 65536)): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
  } as Packet);
}

/** One UDP exchange; rejects after `ms` without an answer. */
function udpAsk(port: number, msg: Buffer, ms = 3000, host = HOST): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('udp timeout'));
    }, ms);
    socket.on('message', (reply) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    });
    socket.send(msg, port, host);
  });
}

function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

/** Writes raw bytes on one TCP connection and collects `count` length-prefixed replies. */
function tcpExchange(port: number, bytes: Buffer, count: number, ms = 3000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST);
    const replies: Buffer[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`tcp timeout with ${replies.length}/${count} replies`));
    }, ms);
    socket.on('error', reject);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (replies.length >= count) {
        clearTimeout(timer);
        socket.destroy();
        resolve(replies);
      }
    });
  });
}

async function tcpAsk(port: number, msg: Buffer): Promise<Buffer> {
  return (await tcpExchange(port, frame(msg), 1))[0];
}

const decode = (b: Buffer) => dnsPacket.decode(b) as DecodedPacket & { rcode?: string };
const data = (p: DecodedPacket) => (p.answers ?? []).map((a) => ('data' in a ? a.data : undefined));

describe('DnsServer (real sockets)', () => {
  const upstream = new FakeDnsUpstream({ 'example.test': ['192.0.2.53'], 'big.example.test': ['192.0.2.1'] });
  const source = new StaticDnsSource(services, endpoints);
  let server: DnsServer;
  let port: number;

  beforeAll(async () => {
    await upstream.start(HOST);
    upstream.truncateOverUdp.add('big.example.test');
    server = new DnsServer({
      source,
      listen: { host: HOST, port: 0 },
      upstreams: [`${HOST}:${upstream.port}`],
    });
    await server.start();
    port = server.addresses()[0].port;
  });

  afterAll(async () => {
    await server?.stop();
    await upstream.stop();
  });

  it('answers a service A record over UDP and over TCP on the same port', async () => {
    const viaUdp = decode(await udpAsk(port, query('web.default.svc.cluster.local', 'A', 4242)));
    expect(viaUdp).toMatchObject({ id: 4242, rcode: 'NOERROR', flag_aa: true });
    expect(data(viaUdp)).toEqual(['10.96.0.10']);
    const viaTcp = decode(await tcpAsk(port, query('web.default.svc.cluster.local', 'A', 4243)));
    expect(viaTcp.id).toBe(4243);
    expect(data(viaTcp)).toEqual(['10.96.0.10']);
  });

  it('answers SRV for a named port', async () => {
    const p = decode(await udpAsk(port, query('_http._tcp.web.default.svc.cluster.local', 'SRV')));
    expect(data(p)).toEqual([
      { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' },
    ]);
    expect(p.additionals?.map((a) => ('data' in a ? a.data : ''))).toEqual(['10.96.0.10']);
  });

  it('answers NXDOMAIN with the SOA for a missing name in the zone', async () => {
    const p = decode(await udpAsk(port, query('nope.default.svc.cluster.local')));
    expect(p.rcode).toBe('NXDOMAIN');
    expect(p.authorities?.map((a) => a.type)).toEqual(['SOA']);
    expect(upstream.received.some((r) => r.name.includes('nope'))).toBe(false);
  });

  it('forwards other names to the upstream and relays its answer with the client’s id', async () => {
    const p = decode(await udpAsk(port, query('Example.test', 'A', 777)));
    expect(p).toMatchObject({ id: 777, rcode: 'NOERROR', questions: [{ name: 'Example.test', type: 'A' }] });
    expect(data(p)).toEqual(['192.0.2.53']);
    expect(upstream.received).toContainEqual({ name: 'example.test', transport: 'udp' });
    const nx = decode(await tcpAsk(port, query('missing.test')));
    expect(nx.rcode).toBe('NXDOMAIN');
  });

  it('truncates a large UDP answer; the TCP retry gets all of it', async () => {
    const udp = decode(await udpAsk(port, query('big.default.svc.cluster.local')));
    expect(udp.flag_tc).toBe(true);
    expect(udp.answers).toEqual([]);
    const tcp = decode(await tcpAsk(port, query('big.default.svc.cluster.local')));
    expect(tcp.flag_tc).toBe(false);
    expect(data(tcp)).toHaveLength(40);
  });

  it('relays a truncated upstream answer to UDP clients and refetches it over TCP for TCP clients', async () => {
    upstream.received.length = 0;
    expect(decode(await udpAsk(port, query('big.example.test'))).flag_tc).toBe(true);
    const tcp = decode(await tcpAsk(port, query('big.example.test')));
    expect(tcp.flag_tc).toBe(false);
    expect(data(tcp)).toEqual(['192.0.2.1']);
    expect(upstream.received.map((r) => r.transport)).toEqual(['udp', 'udp', 'tcp']);
  });

  it('resolves an ExternalName service through the upstream', async () => {
    const p = decode(await udpAsk(port, query('ext.default.svc.cluster.local')));
    expect(p.answers?.map((a) => [a.type, 'data' in a ? a.data : ''])).toEqual([
      ['CNAME', 'example.test'],
      ['A', '192.0.2.53'],
    ]);
  });

  it('answers pipelined TCP queries on one connection', async () => {
    const bytes = Buffer.concat([
      frame(query('web.default.svc.cluster.local', 'A', 1)),
      frame(query('example.test', 'A', 2)),
      frame(query('nope.default.svc.cluster.local', 'A', 3)),
    ]);
    const replies = (await tcpExchange(port, bytes, 3)).map(decode);
    expect(replies.map((r) => r.id).sort()).toEqual([1, 2, 3]);
  });

  it('survives garbage over UDP and TCP and keeps answering', async () => {
    const sender = dgram.createSocket('udp4');
    const junk = [
      Buffer.alloc(0),
      Buffer.from([1, 2, 3]),
      randomBytes(12),
      randomBytes(600),
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      dnsPacket.encode({
        type: 'response',
        id: 9,
        questions: [{ name: 'web.default.svc.cluster.local', type: 'A' }],
      }),
      // A question whose name is a compression pointer to itself.
      Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]),
    ];
    for (let i = 0; i < 200; i++) junk.push(randomBytes(1 + (i % 100)));
    for (const j of junk) await new Promise((r) => sender.send(j, port, HOST, r));
    sender.close();

    // TCP: a garbage frame, a frame cut short, a length prefix promising more than ever comes.
    await new Promise<void>((resolve) => {
      const s = net.connect(port, HOST, () => {
        s.write(
          Buffer.concat([frame(randomBytes(50)), frame(Buffer.alloc(0)), Buffer.from([0xff, 0xff, 1, 2])]),
        );
        s.end();
      });
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });

    const p = decode(await udpAsk(port, query('web.default.svc.cluster.local')));
    expect(data(p)).toEqual(['10.96.0.10']);
    expect(data(decode(await tcpAsk(port, query('web.default.svc.cluster.local'))))).toEqual(['10.96.0.10']);
  });

  it('follows source changes on the next query', async () => {
    source.set([{ ...services[0], spec: { ...services[0].spec, clusterIP: '10.96.0.99' } }], []);
    expect(data(decode(await udpAsk(port, query('web.default.svc.cluster.local'))))).toEqual(['10.96.0.99']);
    source.set(services, endpoints);
  });
});

describe('DnsServer: upstream failures and listen addresses', () => {
  it('answers SERVFAIL after the timeout and one retry when the upstream is silent', async () => {
    const silent = new FakeDnsUpstream({});
    await silent.start(HOST);
    silent.silent = true;
    const server = new DnsServer({
      source: new StaticDnsSource(),
      listen: { host: HOST, port: 0 },
      forwarder: new UdpForwarder({ upstreams: [{ host: HOST, port: silent.port }], timeoutMs: 200 }),
    });
    await server.start();
    try {
      const started = Date.now();
      const p = decode(await udpAsk(server.addresses()[0].port, query('example.test', 'A', 55)));
      expect(p).toMatchObject({ id: 55, rcode: 'SERVFAIL' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      expect(silent.received).toHaveLength(2);
    } finally {
      await server.stop();
      await silent.stop();
    }
  });

  it('retries a silent upstream on the next one', async () => {
    const silent = new FakeDnsUpstream({});
    const good = new FakeDnsUpstream({ 'example.test': ['192.0.2.53'] });
    await silent.start(HOST);
    await good.start(HOST);
    silent.silent = true;
    const server = new DnsServer({
      source: new StaticDnsSource(),
      listen: { host: HOST, port: 0 },
      forwarder: new UdpForwarder({
        upstreams: [
          { host: HOST, port: silent.port },
          { host: HOST, port: good.port },
        ],
        timeoutMs: 200,
      }),
    });
    await server.start();
    try {
      const p = decode(await udpAsk(server.addresses()[0].port, query('example.test')));
      expect(data(p)).toEqual(['192.0.2.53']);
      expect([silent.received.length, good.received.length]).toEqual([1, 1]);
    } finally {
      await server.stop();
      await silent.stop();
      await good.stop();
    }
  });

  it('answers SERVFAIL at once when the host has no usable upstream (only loopback resolvers)', async () => {
    const server = new DnsServer({
      source: new StaticDnsSource(services, endpoints),
      listen: { host: HOST, port: 0 },
      readFile: (path) => (path === '/etc/resolv.conf' ? 'nameserver 127.0.0.53\n' : undefined),
    });
    await server.start();
    try {
      const port = server.addresses()[0].port;
      expect(decode(await udpAsk(port, query('example.test'), 500)).rcode).toBe('SERVFAIL');
      expect(data(decode(await udpAsk(port, query('web.default.svc.cluster.local'))))).toEqual([
        '10.96.0.10',
      ]);
    } finally {
      await server.stop();
    }
  });

  it('listens on several addresses and frees them on stop', async () => {
    const server = new DnsServer({
      source: new StaticDnsSource(services, endpoints),
      listen: [
        { host: HOST, port: 0 },
        { host: '127.0.0.2', port: 0 },
      ],
      upstreams: [],
    });
    await server.start();
    const addrs = server.addresses();
    expect(addrs.map((a) => a.host)).toEqual([HOST, '127.0.0.2']);
    for (const a of addrs) {
      expect(
        data(decode(await udpAsk(a.port, query('web.default.svc.cluster.local'), 3000, a.host))),
      ).toEqual(['10.96.0.10']);
    }
    await server.stop();
    // The port is free again: a new server can bind it.
    const again = new DnsServer({ source: new StaticDnsSource(), listen: addrs[0], upstreams: [] });
    await again.start();
    await again.stop();
  });

  it('rejects start() when the address is taken, leaving nothing bound', async () => {
    const first = new DnsServer({
      source: new StaticDnsSource(),
      listen: { host: HOST, port: 0 },
      upstreams: [],
    });
    await first.start();
    const taken = first.addresses()[0];
    const second = new DnsServer({ source: new StaticDnsSource(), listen: taken, upstreams: [] });
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
    expect(second.addresses()).toEqual([]);
    await first.stop();
  });
});
