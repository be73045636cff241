// Forwarding names outside the cluster to the host's upstream resolvers (the adapter: real sockets). Each attempt
// uses a fresh UDP socket (a random source port) and a fresh random id, and accepts only a response from the
// upstream it asked, with that id and the same question — a spoofed packet has to guess both. The answer goes
// back to the client unchanged except for the id, which is restored to the client's.
// Policy: 2 s per attempt, 2 attempts (the second goes to the next upstream, if any). When an upstream answers
// with TC over UDP and the client came over TCP (so it can take a large answer), the query is repeated over TCP;
// a UDP client gets the truncated answer and retries over TCP itself.
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { systemClock, type Clock } from '../../src/common/clock.js';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import type { Upstream } from './upstream.js';
import { isResponse, isTruncated, plainNameEnd } from './wire.js';

export type Transport = 'udp' | 'tcp';

export interface Forwarder {
  /** The upstream's response to `query` (with the query's id), or undefined when no upstream answered. */
  forward(query: Buffer, transport: Transport): Promise<Buffer | undefined>;
}

export interface UdpForwarderOptions {
  upstreams: readonly Upstream[];
  /** Per attempt; default 2000 ms. */
  timeoutMs?: number;
  /** Attempts in all, rotating through the upstreams; default 2 (one retry). */
  attempts?: number;
  clock?: Clock;
  logger?: Logger;
}

export const DEFAULT_FORWARD_TIMEOUT_MS = 2000;
export const DEFAULT_FORWARD_ATTEMPTS = 2;

/** Same question section (compared case-insensitively: some upstreams normalise the case). */
function sameQuestion(query: Buffer, response: Buffer): boolean {
  const end = plainNameEnd(query, 12);
  if (end < 0 || response.length < end + 4 || query.readUInt16BE(4) !== response.readUInt16BE(4))
    return false;
  for (let i = 12; i < end + 4; i++) {
    let a = query[i];
    let b = response[i];
    if (a >= 65 && a <= 90) a += 32;
    if (b >= 65 && b <= 90) b += 32;
    if (a !== b) return false;
  }
  return true;
}

function sameHost(a: string, b: string): boolean {
  return a === b || a.replace(/^::ffff:/, '') === b.replace(/^::ffff:/, '');
}

export class UdpForwarder implements Forwarder {
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(private readonly opts: UdpForwarderOptions) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS;
    this.attempts = opts.attempts ?? DEFAULT_FORWARD_ATTEMPTS;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
  }

  async forward(query: Buffer, transport: Transport): Promise<Buffer | undefined> {
    const upstreams = this.opts.upstreams;
    if (query.length < 12 || upstreams.length === 0) return undefined;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const upstream = upstreams[attempt % upstreams.length];
      const packet = Buffer.from(query);
      packet.writeUInt16BE(randomInt(65536), 0);
      try {
        let response = await this.overUdp(upstream, packet);
        if (isTruncated(response) && transport === 'tcp') {
          response = await this.overTcp(upstream, packet).catch((err: unknown) => {
            this.log.debug({ err, upstream }, 'tcp retry of a truncated answer failed');
            return response;
          });
        }
        response.writeUInt16BE(query.readUInt16BE(0), 0);
        return response;
      } catch (err) {
        this.log.debug({ err: String(err), upstream, attempt }, 'upstream did not answer');
      }
    }
    return undefined;
  }

  /** One UDP exchange on its own socket; rejects on timeout or socket error. */
  private overUdp(upstream: Upstream, packet: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket(net.isIPv6(upstream.host.replace(/%.*$/, '')) ? 'udp6' : 'udp4');
      let done = false;
      const finish = (err: Error | undefined, msg?: Buffer) => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(timer);
        socket.close();
        if (err) reject(err);
        else resolve(msg!);
      };
      const timer = this.clock.setTimeout(() => finish(new Error('timeout')), this.timeoutMs);
      socket.on('error', (err) => finish(err));
      socket.on('message', (msg, rinfo) => {
        if (rinfo.port !== upstream.port || !sameHost(rinfo.address, upstream.host.replace(/%.*$/, '')))
          return;
        if (msg.length < 12 || !isResponse(msg) || msg.readUInt16BE(0) !== packet.readUInt16BE(0)) return;
        if (!sameQuestion(packet, msg)) return;
        finish(undefined, msg);
      });
      socket.send(packet, upstream.port, upstream.host, (err) => {
        if (err) finish(err);
      });
    });
  }

  /** One TCP exchange (2-byte length prefix, RFC 1035 §4.2.2). */
  private overTcp(upstream: Upstream, packet: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: upstream.host, port: upstream.port });
      let buf = Buffer.alloc(0);
      let done = false;
      const finish = (err: Error | undefined, msg?: Buffer) => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(timer);
        socket.destroy();
        if (err) reject(err);
        else resolve(msg!);
      };
      const timer = this.clock.setTimeout(() => finish(new Error('timeout')), this.timeoutMs);
      socket.on('error', (err) => finish(err));
      socket.on('close', () => finish(new Error('connection closed before an answer')));
      socket.on('connect', () => {
        const len = Buffer.allocUnsafe(2);
        len.writeUInt16BE(packet.length, 0);
        socket.write(Buffer.concat([len, packet]));
      });
      socket.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          buf = buf.subarray(2 + msg.length);
          if (
            msg.length >= 12 &&
            msg.readUInt16BE(0) === packet.readUInt16BE(0) &&
            sameQuestion(packet, msg)
          ) {
            return finish(undefined, msg);
          }
        }
      });
    });
  }
}
