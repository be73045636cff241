// One DNS query in, one reply out — the protocol logic between the sockets (dns-server.ts) and the records
// (records.ts). Zone answers are encoded once per (type, class, EDNS, name) and replayed from a cache until the
// index changes; names outside the zone go to the Forwarder and come back unchanged. Malformed packets and
// packets that are responses are dropped silently (never a crash, never a reflection).
import dnsPacket, { type Answer, type DecodedPacket, type Question } from 'dns-packet';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import type { DnsSource } from './dns-source.js';
import type { Forwarder, Transport } from './forwarder.js';
import { buildIndex, DEFAULT_CLUSTER_DOMAIN, resolve, type DnsIndex, type LocalAnswer } from './records.js';
import {
  EDNS_UDP_SIZE,
  PLAIN_UDP_SIZE,
  encodeAnswer,
  encodeOneOff,
  encodeQuery,
  errorReply,
  isResponse,
  plainNameEnd,
  rcodeOf,
  readSimpleQuery,
  replyFrom,
  type EncodedAnswer,
  type QueryShape,
} from './wire.js';

export interface QueryHandlerOptions {
  source: DnsSource;
  forwarder: Forwarder;
  clusterDomain?: string;
  ttl?: number;
  /** This server's addresses, published as ns.dns.<zone>. */
  nameservers?: string[];
  /** Encoded answers kept at most (the cache is emptied when full: random names cannot grow it forever). */
  cacheSize?: number;
  logger?: Logger;
}

export const DEFAULT_CACHE_SIZE = 10_000;

/** The largest reply a client can take: anything over TCP; over UDP 512, or its EDNS0 size up to 1232. */
function udpLimit(transport: Transport, ednsSize: number): number {
  if (transport === 'tcp') return 65535;
  return ednsSize ? Math.min(ednsSize, EDNS_UDP_SIZE) : PLAIN_UDP_SIZE;
}

/** A reply now, a reply later (forwarded), or nothing (dropped). */
export type Reply = Buffer | undefined | Promise<Buffer | undefined>;

export class QueryHandler {
  private index: DnsIndex | undefined;
  private indexVersion = -1;
  /** Encoded answers by question bytes, one map for queries with EDNS0 and one without (their replies differ). */
  private readonly cache = {
    edns: new Map<string, EncodedAnswer>(),
    noEdns: new Map<string, EncodedAnswer>(),
  };
  private readonly shape: QueryShape = { key: '', qnameEnd: 0, udpSize: 0 };
  private readonly domain: string;
  private readonly cacheSize: number;
  private readonly log: Logger;

  constructor(private readonly opts: QueryHandlerOptions) {
    this.domain = opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
    this.cacheSize = opts.cacheSize ?? DEFAULT_CACHE_SIZE;
    this.log = opts.logger ?? silentLogger;
  }

  /** Answers one query. Synchronous for zone names (no promise per query on the hot path). */
  handle(msg: Buffer, transport: Transport): Reply {
    if (msg.length < 12 || isResponse(msg)) return undefined;
    const index = this.currentIndex(); // first: a rebuild empties the cache
    const shape = this.shape;
    const simple = readSimpleQuery(msg, shape);
    if (simple) {
      // The hot path: a cached answer for these exact question bytes, without decoding the packet.
      const hit = (shape.udpSize ? this.cache.edns : this.cache.noEdns).get(shape.key);
      if (hit) return replyFrom(hit, msg, shape.qnameEnd, udpLimit(transport, shape.udpSize));
    }

    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return undefined; // not DNS: ignore
    }
    if (((query.flags ?? 0) & 0x7800) !== 0) return errorReply(query, 'NOTIMP'); // only QUERY (opcode 0)
    if (query.questions?.length !== 1) return errorReply(query, 'FORMERR');
    const question = query.questions[0];
    const opt = query.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    const edns = opt !== undefined;
    const limit = udpLimit(transport, edns ? Math.max(PLAIN_UDP_SIZE, opt.udpPayloadSize ?? 0) : 0);

    const res = resolve(question, index, { synced: this.opts.source.hasSynced() });
    if (res.forward) return this.forward(msg, query, transport);
    if (res.chase) return this.chase(query, question, res, edns, limit, transport);

    const encoded = encodeAnswer({ ...question, name: question.name.toLowerCase() }, res, edns);
    // Only simple queries are cached: their key is exactly the question bytes (letter case aside).
    if (simple && res.rcode !== 'SERVFAIL') {
      const cache = shape.udpSize ? this.cache.edns : this.cache.noEdns;
      if (cache.size >= this.cacheSize) cache.clear();
      cache.set(shape.key, encoded);
    }
    return replyFrom(encoded, msg, plainNameEnd(msg, 12), limit);
  }

  /** The index for the source's current version, rebuilt (and the cache emptied) only when it moved. */
  private currentIndex(): DnsIndex {
    const version = this.opts.source.version();
    if (this.index && version === this.indexVersion) return this.index;
    try {
      this.index = buildIndex(this.opts.source.services(), this.opts.source.endpoints(), this.domain, {
        ttl: this.opts.ttl,
        nameservers: this.opts.nameservers,
      });
      this.indexVersion = version;
      this.cache.edns.clear();
      this.cache.noEdns.clear();
    } catch (err) {
      // Never expected (buildIndex skips what it cannot use); keep answering from the last good index.
      this.log.error({ err }, 'building the DNS index failed');
      this.index ??= buildIndex([], [], this.domain, { ttl: this.opts.ttl });
    }
    return this.index;
  }

  private async forward(msg: Buffer, query: DecodedPacket, transport: Transport): Promise<Buffer> {
    const answer = await this.opts.forwarder.forward(msg, transport).catch((err: unknown) => {
      this.log.warn({ err }, 'forwarder failed');
      return undefined;
    });
    return answer ?? errorReply(query, 'SERVFAIL');
  }

  /** An ExternalName CNAME to a name outside the zone: ask upstream for the target and append its answers. */
  private async chase(
    query: DecodedPacket,
    question: Question,
    res: LocalAnswer,
    edns: boolean,
    limit: number,
    transport: Transport,
  ): Promise<Buffer> {
    const target = res.chase!;
    let answers: readonly Answer[] = res.answers;
    let rcode = res.rcode;
    const upstream = await this.opts.forwarder
      .forward(
        encodeQuery({ name: target.name, type: target.type, class: 'IN' }, query.id ?? 0, edns),
        transport,
      )
      .catch(() => undefined);
    if (upstream) {
      try {
        const packet = dnsPacket.decode(upstream);
        answers = [...res.answers, ...(packet.answers ?? []).filter((a) => a.type !== 'OPT')];
        rcode = rcodeOf(packet);
      } catch {
        this.log.debug({ name: target.name }, 'undecodable upstream answer for a CNAME target');
      }
    }
    return encodeOneOff({ ...query, questions: [question] }, res, answers, rcode, edns, limit);
  }
}
