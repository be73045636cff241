// Fakes of the upstream resolvers the cluster DNS forwards to:
// - FakeForwarder: in memory, behind the Forwarder interface (unit tests of the query handler);
// - FakeDnsUpstream: a real UDP+TCP DNS server on loopback answering fixed A records (integration tests of the
//   server and the UdpForwarder). It can truncate UDP answers (to drive the TCP fallback) or stay silent.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket, type Packet } from 'dns-packet';
import type { Forwarder, Transport } from '../../agent/dns/forwarder.js';

/** Fixed answers: lower-cased name → IPv4 addresses. Other names get NXDOMAIN. */
export type FakeRecords = Record<string, string[]>;

function answerFor(query: DecodedPacket, records: FakeRecords, truncate: boolean): Buffer {
  const question = query.questions?.[0];
  const ips = question ? records[question.name.toLowerCase()] : undefined;
  const answers: Answer[] =
    ips && question?.type === 'A' && !truncate
      ? ips.map((ip) => ({ type: 'A', name: question.name, ttl: 300, class: 'IN', data: ip }))
      : [];
  const rcode = ips ? 0 : 3;
  const flags =
    dnsPacket.RECURSION_AVAILABLE |
    ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) |
    (truncate ? dnsPacket.TRUNCATED_RESPONSE : 0) |
    rcode;
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags,
    questions: query.questions,
    answers,
  } as Packet);
}

export class FakeForwarder implements Forwarder {
  readonly queries: { packet: DecodedPacket; transport: Transport }[] = [];
  /** When true, forward() resolves undefined, as when no upstream answers. */
  unreachable = false;

  constructor(private readonly records: FakeRecords = {}) {}

  async forward(query: Buffer, transport: Transport): Promise<Buffer | undefined> {
    const packet = dnsPacket.decode(query);
    this.queries.push({ packet, transport });
    if (this.unreachable) return undefined;
    return answerFor(packet, this.records, false);
  }
}

export class FakeDnsUpstream {
  readonly received: { name: string; transport: Transport }[] = [];
  /** Names whose UDP answers come back empty with the TC bit (the full answer only over TCP). */
  readonly truncateOverUdp = new Set<string>();
  /** When true, nothing is answered (timeouts). */
  silent = false;
  port = 0;
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly conns = new Set<net.Socket>();

  constructor(private readonly records: FakeRecords) {}

  /** Listens on UDP and TCP on one free port of `host` (retried when TCP finds the UDP port taken). */
  async start(host = '127.0.0.1'): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const udp = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => udp.bind(0, host, resolve));
      const port = udp.address().port;
      const tcp = net.createServer((conn) => this.serveTcp(conn));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, host, () => resolve());
        });
      } catch (err) {
        udp.close();
        if (attempt < 5) continue;
        throw err;
      }
      udp.on('message', (msg, rinfo) => {
        const reply = this.reply(msg, 'udp');
        if (reply) udp.send(reply, rinfo.port, rinfo.address);
      });
      this.udp = udp;
      this.tcp = tcp;
      this.port = port;
      return;
    }
  }

  private serveTcp(conn: net.Socket): void {
    this.conns.add(conn);
    conn.on('close', () => this.conns.delete(conn));
    conn.on('error', () => conn.destroy());
    let buf = Buffer.alloc(0);
    conn.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        const reply = this.reply(msg, 'tcp');
        if (!reply) continue;
        const len = Buffer.alloc(2);
        len.writeUInt16BE(reply.length);
        conn.write(Buffer.concat([len, reply]));
      }
    });
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.destroy();
    this.udp?.close();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }

  private reply(msg: Buffer, transport: Transport): Buffer | undefined {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return undefined;
    }
    const name = query.questions?.[0]?.name.toLowerCase() ?? '';
    this.received.push({ name, transport });
    if (this.silent) return undefined;
    return answerFor(query, this.records, transport === 'udp' && this.truncateOverUdp.has(name));
  }
}
