// DNS wire-format helpers around dns-packet for the server's hot path: answers are encoded once (id 0) and each
// reply is a copy patched with the query's id, RD/CD bits and question bytes (so the client's 0x20 letter case
// comes back exactly as sent), instead of a decode/encode round per query.
import dnsPacket, { type Answer, type DecodedPacket, type Packet, type Question } from 'dns-packet';
import type { LocalAnswer, Rcode } from './records.js';

/** What we advertise in EDNS0 and the most we send over UDP (DNS flag day 2020: no IP fragmentation). */
export const EDNS_UDP_SIZE = 1232;
/** The classic UDP limit for clients without EDNS0 (RFC 1035). */
export const PLAIN_UDP_SIZE = 512;

const FLAG_QR = 0x80; // byte 2
const FLAG_RD = 0x01; // byte 2
const FLAG_TC = 0x02; // byte 2
const FLAG_CD = 0x10; // byte 3

const RCODES: Record<Rcode | 'FORMERR' | 'NOTIMP', number> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
};

/** A response encoded once, replayed for every query that asks the same thing. */
export interface EncodedAnswer {
  full: Buffer;
  /** The same header and question with TC set and no records, for UDP clients the full one does not fit. */
  truncated: Buffer;
  /** Where the question name ends in both buffers (the bytes a reply copies from the query). */
  qnameEnd: number;
}

function optRecord(): Answer {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize: EDNS_UDP_SIZE,
    flags: 0,
    options: [],
  } as unknown as Answer;
}

function flagsFor(rcode: number, authoritative: boolean, truncated = false): number {
  return (
    (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
    (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) |
    dnsPacket.RECURSION_AVAILABLE |
    rcode
  );
}

/** The end of an uncompressed name at `offset`, or -1 (compression pointer, overrun, too long). */
export function plainNameEnd(buf: Buffer, offset: number): number {
  let i = offset;
  while (i < buf.length) {
    const len = buf[i];
    if (len === 0) return i + 1 - offset > 255 ? -1 : i + 1;
    if (len > 63) return -1;
    i += len + 1;
  }
  return -1;
}

/** What the hot path reads from a simple query without decoding it (see readSimpleQuery). */
export interface QueryShape {
  /** The cache key: the question's bytes (name, type, class) with the name's ASCII letters lower-cased. */
  key: string;
  /** Where the question name ends. */
  qnameEnd: number;
  /** The EDNS0 UDP payload size the client offers (at least 512), or 0 without EDNS0. */
  udpSize: number;
}

const keyScratch = Buffer.alloc(255 + 4);

/**
 * Reads a simple query — opcode QUERY, one uncompressed question, no records but an optional OPT — straight
 * from the bytes into `out` (reused: no allocation but the key string). False for anything else; those
 * packets take dns-packet's full decode and are not cached.
 */
export function readSimpleQuery(msg: Buffer, out: QueryShape): boolean {
  if (msg.length < 17 || (msg[2] & 0xf8) !== 0) return false; // a response, or an opcode other than QUERY
  if (msg.readUInt16BE(4) !== 1 || msg.readUInt16BE(6) !== 0 || msg.readUInt16BE(8) !== 0) return false;
  const additional = msg.readUInt16BE(10);
  const qnameEnd = plainNameEnd(msg, 12);
  if (qnameEnd < 0) return false;
  const qEnd = qnameEnd + 4;
  let udpSize = 0;
  if (additional === 0) {
    if (qEnd !== msg.length) return false;
  } else if (additional === 1) {
    // OPT: root name, type 41, class = UDP size, TTL = extended flags, then its options (cookies etc.).
    if (qEnd + 11 > msg.length || msg[qEnd] !== 0 || msg.readUInt16BE(qEnd + 1) !== 41) return false;
    if (qEnd + 11 + msg.readUInt16BE(qEnd + 9) !== msg.length) return false;
    udpSize = Math.max(PLAIN_UDP_SIZE, msg.readUInt16BE(qEnd + 3));
  } else return false;
  let upper = false;
  for (let i = 12; i < qnameEnd; i++) {
    if (msg[i] >= 65 && msg[i] <= 90) {
      upper = true;
      break;
    }
  }
  if (upper) {
    // Lower-case into a scratch buffer; the type and class bytes stay as they are.
    for (let i = 12; i < qEnd; i++) {
      const c = msg[i];
      keyScratch[i - 12] = i < qnameEnd && c >= 65 && c <= 90 ? c + 32 : c;
    }
    out.key = keyScratch.toString('latin1', 0, qEnd - 12);
  } else out.key = msg.toString('latin1', 12, qEnd);
  out.qnameEnd = qnameEnd;
  out.udpSize = udpSize;
  return true;
}

/** Encodes a local answer once: the full response and its truncated twin. */
export function encodeAnswer(question: Question, res: LocalAnswer, edns: boolean): EncodedAnswer {
  const rcode = RCODES[res.rcode];
  const questions = [
    { name: question.name, type: question.type, class: question.class ?? 'IN' },
  ] as Question[];
  const opt = edns ? [optRecord()] : [];
  const full = dnsPacket.encode({
    type: 'response',
    id: 0,
    flags: flagsFor(rcode, res.authoritative),
    questions,
    answers: res.answers as Answer[],
    authorities: res.authority as Answer[],
    additionals: [...res.additionals, ...opt],
  } as Packet);
  const truncated = dnsPacket.encode({
    type: 'response',
    id: 0,
    flags: flagsFor(rcode, res.authoritative, true),
    questions,
    additionals: opt,
  } as Packet);
  return { full, truncated, qnameEnd: plainNameEnd(full, 12) };
}

/**
 * The reply to one query from an encoded answer: the truncated form when the full one exceeds `limit`, then
 * the query's id, RD and CD bits and (when its name has the same length) its question bytes.
 */
export function replyFrom(
  answer: EncodedAnswer,
  query: Buffer,
  queryQnameEnd: number,
  limit: number,
): Buffer {
  const src = answer.full.length > limit ? answer.truncated : answer.full;
  const out = Buffer.allocUnsafe(src.length);
  out.set(src); // TypedArray#set: much cheaper than Buffer#copy for short buffers
  out[0] = query[0];
  out[1] = query[1];
  out[2] |= query[2] & FLAG_RD;
  out[3] |= query[3] & FLAG_CD;
  // The question exactly as asked (letter case, type and class), when its name has the same length.
  if (queryQnameEnd === answer.qnameEnd) for (let i = 12; i < queryQnameEnd + 4; i++) out[i] = query[i];
  return out;
}

/** An error response (SERVFAIL, FORMERR, NOTIMP, REFUSED) echoing the query's id, opcode, RD and question. */
export function errorReply(
  query: DecodedPacket,
  rcode: 'SERVFAIL' | 'FORMERR' | 'NOTIMP' | 'REFUSED',
): Buffer {
  const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  const opcode = (query.flags ?? 0) & 0x7800;
  return dnsPacket.encode({
    type: 'response',
    id: query.id ?? 0,
    flags: opcode | rd | dnsPacket.RECURSION_AVAILABLE | RCODES[rcode],
    questions: query.questions ?? [],
  } as Packet);
}

/** A recursive query for `question` (used to follow an ExternalName CNAME upstream). */
export function encodeQuery(question: Question, id: number, edns: boolean): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [question],
    additionals: edns ? [optRecord()] : [],
  } as Packet);
}

/** Encodes a one-off response for `query` (chased CNAMEs), truncated when it exceeds `limit`. */
export function encodeOneOff(
  query: DecodedPacket,
  res: LocalAnswer,
  answers: readonly Answer[],
  rcode: Rcode,
  edns: boolean,
  limit: number,
): Buffer {
  const packet: Packet = {
    type: 'response',
    id: query.id ?? 0,
    flags: flagsFor(RCODES[rcode], res.authoritative) | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED),
    questions: query.questions,
    answers: answers as Answer[],
    additionals: edns ? [optRecord()] : [],
  };
  const full = dnsPacket.encode(packet);
  if (full.length <= limit) return full;
  return dnsPacket.encode({
    ...packet,
    flags: (packet.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
    answers: [],
  });
}

/** True for a packet whose header says it is a response (never answer those: reflection loops). */
export function isResponse(buf: Buffer): boolean {
  return (buf[2] & FLAG_QR) !== 0;
}

/** True when a response has the TC bit (the rest did not fit in UDP). */
export function isTruncated(buf: Buffer): boolean {
  return buf.length >= 12 && (buf[2] & FLAG_TC) !== 0;
}

/** The rcode name of a decoded response, narrowed to the ones we produce. */
export function rcodeOf(packet: DecodedPacket): Rcode {
  const r = (packet.flags ?? 0) & 0xf;
  return r === RCODES.NXDOMAIN
    ? 'NXDOMAIN'
    : r === RCODES.SERVFAIL
      ? 'SERVFAIL'
      : r === RCODES.REFUSED
        ? 'REFUSED'
        : 'NOERROR';
}
