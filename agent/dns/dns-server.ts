// The node-local cluster DNS server (the agent's "CoreDNS"): UDP and TCP on the same address(es), normally the
// pod bridge gateway 10.244.N.1:53. Queries go to the QueryHandler; this file only owns sockets and framing.
// UDP replies larger than 512 bytes (or the client's EDNS0 size, at most 1232) go out truncated (TC) so the
// client retries over TCP; TCP uses the 2-byte length prefix and may pipeline queries (RFC 7766).
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { systemClock, type Clock } from '../../src/common/clock.js';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import type { DnsSource } from './dns-source.js';
import { UdpForwarder, type Forwarder, type Transport } from './forwarder.js';
import { QueryHandler, type Reply } from './query-handler.js';
import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_TTL } from './records.js';
import {
  hostUpstreams,
  isUsableResolver,
  parseUpstream,
  readTextFile,
  type TextFileReader,
  type Upstream,
} from './upstream.js';

export interface ListenAddress {
  host: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
}

export interface DnsServerDeps {
  source: DnsSource;
  listen: ListenAddress | ListenAddress[];
  /** `ip`, `ip:port` or `[ipv6]:port`. Default: the host's resolvers (upstream.ts), loopback ones dropped. */
  upstreams?: string[];
  clusterDomain?: string;
  /** TTL of every cluster record; default 5 s (CoreDNS's default). */
  ttl?: number;
  logger?: Logger;
  clock?: Clock;
  /** Default: a UdpForwarder to the upstreams (2 s timeout, one retry, TCP when truncated for TCP clients). */
  forwarder?: Forwarder;
  /** Reads resolv.conf files when `upstreams` is not given (tests pass a fake). */
  readFile?: TextFileReader;
  cacheSize?: number;
  /** Idle TCP connections are closed after this long; default 10 s. */
  tcpIdleMs?: number;
  /** Further TCP connections are refused while this many are open; default 1000. */
  maxTcpConnections?: number;
}

interface Listener {
  host: string;
  port: number;
  udp: dgram.Socket;
  tcp: net.Server;
}

const BIND_RETRIES = 5;

/**
 * dgram resolves every send's address through dns.lookup, which defers to the next tick even for an IP
 * literal. Replies go to the sender's address (always a literal): pass literals through synchronously, and
 * leave names (a listen host given by name) to the real resolver.
 */
function literalLookup(
  address: string,
  options: dns.LookupOneOptions, // dgram passes the family number; dns.lookup takes either
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const f = net.isIP(address);
  if (f !== 0) callback(null, address, f);
  else dns.lookup(address, options, callback);
}

export class DnsServer {
  private readonly log: Logger;
  private readonly listeners: Listener[] = [];
  private readonly connections = new Set<net.Socket>();
  private handler: QueryHandler | undefined;
  private stopped = false;

  constructor(private readonly deps: DnsServerDeps) {
    this.log = deps.logger ?? silentLogger;
  }

  /** Binds every address (UDP then TCP on the same port); rejects if one cannot be bound. */
  async start(): Promise<void> {
    const wanted = Array.isArray(this.deps.listen) ? this.deps.listen : [this.deps.listen];
    try {
      for (const addr of wanted) this.listeners.push(await this.bind(addr));
    } catch (err) {
      await this.stop();
      throw err;
    }
    // Queries that arrive before this line are dropped (clients retry); the forwarder needs the bound ports.
    this.handler = new QueryHandler({
      source: this.deps.source,
      forwarder: this.deps.forwarder ?? this.defaultForwarder(this.addresses()),
      clusterDomain: this.deps.clusterDomain,
      ttl: this.deps.ttl,
      nameservers: wanted.map((l) => l.host).filter(isUsableResolver),
      cacheSize: this.deps.cacheSize,
      logger: this.log,
    });
    this.log.info(
      {
        listen: this.addresses().map((a) => `${a.host}:${a.port}`),
        domain: this.deps.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
        ttl: this.deps.ttl ?? DEFAULT_TTL,
      },
      'cluster DNS listening',
    );
  }

  /** The bound addresses (with the real port when 0 was asked). */
  addresses(): ListenAddress[] {
    return this.listeners.map((l) => ({ host: l.host, port: l.port }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const conn of this.connections) conn.destroy();
    this.connections.clear();
    await Promise.all(
      this.listeners.splice(0).map(
        (l) =>
          new Promise<void>((resolve) => {
            l.tcp.close(() => resolve());
            try {
              l.udp.close();
            } catch {
              // already closed
            }
          }),
      ),
    );
  }

  private defaultForwarder(bound: ListenAddress[]): Forwarder {
    const configured = this.deps.upstreams
      ?.map((s) => {
        const u = parseUpstream(s);
        if (!u) this.log.warn({ upstream: s }, 'ignoring an invalid upstream resolver');
        return u;
      })
      .filter((u): u is Upstream => u !== undefined);
    // Never forward to ourselves (a resolv.conf could name the gateway address we listen on).
    const upstreams = (configured ?? hostUpstreams(this.deps.readFile ?? readTextFile)).filter(
      (u) => !bound.some((b) => b.host === u.host && b.port === u.port),
    );
    if (upstreams.length === 0) {
      this.log.warn('no usable upstream resolver: names outside the cluster will get SERVFAIL');
    } else {
      this.log.info({ upstreams: upstreams.map((u) => `${u.host}:${u.port}`) }, 'upstream resolvers');
    }
    return new UdpForwarder({ upstreams, clock: this.deps.clock ?? systemClock, logger: this.log });
  }

  private async bind(addr: ListenAddress): Promise<Listener> {
    for (let attempt = 0; ; attempt++) {
      const udp = dgram.createSocket({
        type: net.isIPv6(addr.host) ? 'udp6' : 'udp4',
        lookup: literalLookup,
      });
      udp.on('error', (err) => this.log.warn({ err }, 'dns udp socket error'));
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(addr.port, addr.host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      const port = udp.address().port;
      const tcp = net.createServer((conn) => this.onConnection(conn));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, addr.host, () => {
            tcp.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        udp.close();
        // A free UDP port can be taken for TCP: pick another one, unless the port was asked for.
        if (
          addr.port === 0 &&
          (err as NodeJS.ErrnoException).code === 'EADDRINUSE' &&
          attempt < BIND_RETRIES
        ) {
          continue;
        }
        throw err;
      }
      tcp.on('error', (err) => this.log.warn({ err }, 'dns tcp server error'));
      udp.on('message', (msg, rinfo) => this.onDatagram(udp, msg, rinfo));
      return { host: addr.host, port, udp, tcp };
    }
  }

  private answer(msg: Buffer, transport: Transport, send: (reply: Buffer) => void): void {
    if (!this.handler) return;
    let reply: Reply;
    try {
      reply = this.handler.handle(msg, transport);
    } catch (err) {
      this.log.warn({ err }, 'dns query failed');
      return;
    }
    if (reply instanceof Promise) {
      reply.then(
        (r) => r && send(r),
        (err: unknown) => this.log.warn({ err }, 'dns query failed'),
      );
    } else if (reply) send(reply);
  }

  private onDatagram(udp: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (!this.handler) return;
    let reply: Reply;
    try {
      reply = this.handler.handle(msg, 'udp');
    } catch (err) {
      this.log.warn({ err }, 'dns query failed');
      return;
    }
    // Zone answers (the hot path) are sent right here: no closure or promise per query.
    if (reply instanceof Promise) {
      reply.then(
        (r) => r && this.sendDatagram(udp, r, rinfo),
        (err: unknown) => this.log.warn({ err }, 'dns query failed'),
      );
    } else if (reply) this.sendDatagram(udp, reply, rinfo);
  }

  private sendDatagram(udp: dgram.Socket, reply: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.stopped) return;
    try {
      // No callback: with one, dgram defers a tick per send just to report success. A lost UDP reply is
      // the client's to retry, as for any datagram the network drops.
      udp.send(reply, rinfo.port, rinfo.address);
    } catch (err) {
      this.log.debug({ err }, 'dns udp send failed');
    }
  }

  private onConnection(conn: net.Socket): void {
    if (this.stopped || this.connections.size >= (this.deps.maxTcpConnections ?? 1000)) {
      conn.destroy();
      return;
    }
    this.connections.add(conn);
    conn.setNoDelay(true);
    conn.setTimeout(this.deps.tcpIdleMs ?? 10_000, () => conn.destroy());
    conn.on('error', () => conn.destroy());
    conn.on('close', () => this.connections.delete(conn));
    let buf: Buffer = Buffer.alloc(0);
    const send = (reply: Buffer) => {
      if (conn.destroyed || !conn.writable) return;
      const frame = Buffer.allocUnsafe(2 + reply.length);
      frame.writeUInt16BE(reply.length, 0);
      reply.copy(frame, 2);
      conn.write(frame);
    };
    conn.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        this.answer(msg, 'tcp', send);
      }
    });
  }
}
