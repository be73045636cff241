// Cluster DNS records, decided purely (DESIGN.md: `records(services, endpoints) → answers`). buildIndex() turns the
// Services and Endpoints into Maps keyed by lower-cased FQDN once per change; resolve() answers one question from
// that index without touching the network. The schema is the Kubernetes DNS-based service discovery spec
// (kubernetes/dns docs/specification.md, v1.0.1), answered the way CoreDNS's kubernetes plugin answers it:
//   <svc>.<ns>.svc.<zone>            A/AAAA → ClusterIP(s); headless → the ready endpoint IPs; ExternalName → CNAME
//   <host>.<svc>.<ns>.svc.<zone>     A/AAAA → a headless endpoint (host = endpoint hostname, else its dashed IP)
//   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV for named ports (+ the targets' A records as additionals)
//   d.c.b.a.in-addr.arpa             PTR → the service (ClusterIP) or the endpoint FQDN (headless)
//   a-b-c-d.<ns>.pod.<zone>          A → a.b.c.d (CoreDNS "pods insecure": answered from the name)
//   dns-version.<zone>               TXT "1.0.1"; the zone apex has SOA and NS.
// Names in the zone that don't exist → NXDOMAIN with the SOA (so ndots:5 search walks end fast); existing names
// without the asked type → NODATA with the SOA. Names with descendants exist (RFC 8020: `svc.<zone>`,
// `<ns>.svc.<zone>`, `_tcp.<svc>…`). Everything outside the zone, and reverse names we don't know, is forwarded.
// TTL: 5 s on every record, CoreDNS's kubernetes-plugin default — endpoints churn, so clients must not cache long.
import type { Answer, Question, RecordType, SoaAnswer, StringAnswer } from 'dns-packet';
import ipaddr from 'ipaddr.js';
import type { EndpointAddress, Endpoints, Service } from '../../src/api/types.js';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const DEFAULT_TTL = 5;
export const DNS_SCHEMA_VERSION = '1.0.1';
/** How deep resolve() follows a CNAME that stays inside the zone (ExternalName → another service). */
const MAX_CNAME_DEPTH = 8;
const TOLERATE_UNREADY = 'service.alpha.kubernetes.io/tolerate-unready-endpoints';

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';

/** An answer from our own data. The arrays are shared with the index: never mutate them. */
export interface LocalAnswer {
  forward?: undefined;
  rcode: Rcode;
  /** Set for names in the cluster zone (the AA flag). */
  authoritative: boolean;
  answers: readonly Answer[];
  authority: readonly Answer[];
  additionals: readonly Answer[];
  /** The answer ends in a CNAME to a name outside the zone: the server resolves it upstream and appends. */
  chase?: { name: string; type: RecordType };
}

export type Resolution = LocalAnswer | { forward: true };

export interface ResolveOptions {
  /** False until the source has listed services and endpoints: zone names get SERVFAIL, not a false NXDOMAIN. */
  synced?: boolean;
}

export interface IndexOptions {
  ttl?: number;
  /** Addresses of this DNS server, published as `ns.dns.<zone>` (the target of the apex NS record). */
  nameservers?: string[];
}

/** One owner name: its answers by query type (precomputed, so resolve() allocates nothing). */
interface NameNode {
  byType: Map<string, LocalAnswer>;
}

export interface DnsIndex {
  readonly domain: string;
  readonly ttl: number;
  readonly names: ReadonlyMap<string, NameNode>;
  /** PTR answers keyed by reverse name (`d.c.b.a.in-addr.arpa`, nibbles for ip6.arpa). */
  readonly reverse: ReadonlyMap<string, LocalAnswer>;
  readonly soa: SoaAnswer;
  readonly nxdomain: LocalAnswer;
  readonly nodata: LocalAnswer;
}

const FORWARD: Resolution = Object.freeze({ forward: true as const });
const SERVFAIL: LocalAnswer = Object.freeze({
  rcode: 'SERVFAIL' as const,
  authoritative: false,
  answers: [],
  authority: [],
  additionals: [],
});

// ---- building the index ---------------------------------------------------------------------------

/** Lower-cases and drops trailing dots: the form every key in the index has. */
export function normalizeName(name: string): string {
  let end = name.length;
  while (end > 0 && name.charCodeAt(end - 1) === 46 /* . */) end--;
  return (end === name.length ? name : name.slice(0, end)).toLowerCase();
}

/** A name dns-packet can encode faithfully: labels of 1–63 bytes, at most 253 in all. */
function validName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  for (const label of name.split('.')) if (label.length === 0 || label.length > 63) return false;
  return /^[\x21-\x7e]+$/.test(name);
}

function family(ip: string): 4 | 6 | 0 {
  if (ipaddr.IPv4.isValidFourPartDecimal(ip)) return 4;
  return ipaddr.IPv6.isValid(ip) && !ip.includes('%') ? 6 : 0;
}

/** `10.96.0.1` → `1.0.96.10.in-addr.arpa`; IPv6 → reversed nibbles under ip6.arpa. */
export function reverseName(ip: string): string | undefined {
  const f = family(ip);
  if (f === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  if (f !== 6) return undefined;
  const nibbles: string[] = [];
  for (const byte of ipaddr.IPv6.parse(ip).toByteArray().reverse()) {
    nibbles.push((byte & 0xf).toString(16), (byte >> 4).toString(16));
  }
  return `${nibbles.join('.')}.ip6.arpa`;
}

/** The label CoreDNS gives an endpoint without a hostname: its IP with dashes (`10-244-1-5`). */
export function dashedIP(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/** Collects rrsets per owner name and type, without duplicates. */
class RecordSet {
  readonly names = new Map<string, Map<string, Map<string, Answer>>>();
  readonly additionals = new Map<string, Map<string, Answer>>();

  touch(name: string): Map<string, Map<string, Answer>> {
    let types = this.names.get(name);
    if (!types) this.names.set(name, (types = new Map()));
    return types;
  }

  add(answer: Answer, key: string): void {
    const types = this.touch(answer.name);
    let rrset = types.get(answer.type);
    if (!rrset) types.set(answer.type, (rrset = new Map()));
    if (!rrset.has(key)) rrset.set(key, answer);
  }

  addAdditional(owner: string, answer: Answer, key: string): void {
    let extra = this.additionals.get(owner);
    if (!extra) this.additionals.set(owner, (extra = new Map()));
    extra.set(`${answer.name} ${answer.type} ${key}`, answer);
  }
}

function addressRecord(name: string, ip: string, ttl: number): Answer | undefined {
  const f = family(ip);
  if (f === 0) return undefined;
  return { type: f === 4 ? 'A' : 'AAAA', name, ttl, class: 'IN', data: ip };
}

function publishesNotReady(svc: Service): boolean {
  return (
    svc.spec.publishNotReadyAddresses === true || svc.metadata.annotations?.[TOLERATE_UNREADY] === 'true'
  );
}

function addServiceRecords(
  set: RecordSet,
  svc: Service,
  name: string,
  eps: Endpoints | undefined,
  zone: string,
  ttl: number,
): void {
  const ns = (svc.metadata.namespace ?? 'default').toLowerCase();
  const base = `${name.toLowerCase()}.${ns}.svc.${zone}`;
  if (!validName(base)) return;
  const spec = svc.spec ?? {};

  if (spec.type === 'ExternalName') {
    const target = normalizeName(spec.externalName ?? '');
    if (validName(target)) set.add({ type: 'CNAME', name: base, ttl, class: 'IN', data: target }, target);
    return;
  }

  if (spec.clusterIP !== 'None') {
    // A ClusterIP (or NodePort/LoadBalancer) service: the name is the virtual IP, SRV targets the service name.
    set.touch(base);
    const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
    for (const ip of ips) {
      const rr = addressRecord(base, ip, ttl);
      if (!rr) continue;
      set.add(rr, ip);
      const rev = reverseName(ip);
      if (rev) set.add({ type: 'PTR', name: rev, ttl, class: 'IN', data: base }, base);
    }
    for (const port of spec.ports ?? []) {
      if (!port.name) continue; // unnamed ports have no SRV record (spec 2.3.2)
      const srvName = `_${port.name.toLowerCase()}._${(port.protocol ?? 'TCP').toLowerCase()}.${base}`;
      if (!validName(srvName)) continue;
      const data = { priority: 0, weight: 100, port: port.port, target: base };
      set.add({ type: 'SRV', name: srvName, ttl, class: 'IN', data }, `${port.port}`);
      for (const type of ['A', 'AAAA']) {
        for (const [ip, rr] of set.names.get(base)?.get(type) ?? []) set.addAdditional(srvName, rr, ip);
      }
    }
    return;
  }

  // Headless: the name is every ready endpoint; each endpoint gets its own name, SRV and PTR. With no ready
  // endpoint the name does not exist (spec 2.4.1: NXDOMAIN).
  const withNotReady = publishesNotReady(svc);
  for (const subset of eps?.subsets ?? []) {
    const addresses: EndpointAddress[] = [
      ...(subset.addresses ?? []),
      ...(withNotReady ? (subset.notReadyAddresses ?? []) : []),
    ];
    for (const addr of addresses) {
      const host = addr.hostname ? addr.hostname.toLowerCase() : dashedIP(addr.ip);
      const fqdn = `${host}.${base}`;
      const serviceRR = addressRecord(base, addr.ip, ttl);
      const hostRR = addressRecord(fqdn, addr.ip, ttl);
      if (!serviceRR || !hostRR || !validName(fqdn)) continue;
      set.add(serviceRR, addr.ip);
      set.add(hostRR, addr.ip);
      const rev = reverseName(addr.ip);
      if (rev) set.add({ type: 'PTR', name: rev, ttl, class: 'IN', data: fqdn }, fqdn);
      for (const port of subset.ports ?? []) {
        if (!port.name) continue;
        const srvName = `_${port.name.toLowerCase()}._${(port.protocol ?? 'TCP').toLowerCase()}.${base}`;
        if (!validName(srvName)) continue;
        // The endpoint's port (the pod's target port): clients of a headless service talk to pods directly.
        const data = { priority: 0, weight: 100, port: port.port, target: fqdn };
        set.add({ type: 'SRV', name: srvName, ttl, class: 'IN', data }, `${port.port} ${fqdn}`);
        set.addAdditional(srvName, hostRR, addr.ip);
      }
    }
  }
}

/** The highest resourceVersion seen: the SOA serial moves whenever the data does. */
function serialOf(objects: readonly { metadata?: { resourceVersion?: string } }[]): number {
  let max = 1;
  for (const o of objects) {
    const rv = Number(o?.metadata?.resourceVersion);
    if (Number.isFinite(rv) && rv > max) max = rv;
  }
  return max % 2 ** 32;
}

function answerOf(answers: Answer[], additionals: Answer[] = []): LocalAnswer {
  return { rcode: 'NOERROR', authoritative: true, answers, authority: [], additionals };
}

/** Builds the lookup index once per change of the services or endpoints (never per query). */
export function buildIndex(
  services: readonly Service[],
  endpoints: readonly Endpoints[],
  clusterDomain = DEFAULT_CLUSTER_DOMAIN,
  opts: IndexOptions = {},
): DnsIndex {
  const zone = normalizeName(clusterDomain);
  const ttl = opts.ttl ?? DEFAULT_TTL;
  const set = new RecordSet();

  const epsByKey = new Map<string, Endpoints>();
  for (const eps of endpoints) {
    if (eps?.metadata?.name) epsByKey.set(`${eps.metadata.namespace ?? 'default'}/${eps.metadata.name}`, eps);
  }
  for (const svc of services) {
    const name = svc?.metadata?.name;
    if (!name) continue;
    const eps = epsByKey.get(`${svc.metadata.namespace ?? 'default'}/${name}`);
    addServiceRecords(set, svc, name, eps, zone, ttl);
  }

  const soa: SoaAnswer = {
    type: 'SOA',
    name: zone,
    ttl,
    class: 'IN',
    data: {
      mname: `ns.dns.${zone}`,
      rname: `hostmaster.${zone}`,
      serial: serialOf([...services, ...endpoints]),
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: ttl, // negative answers are cached for the TTL too (RFC 2308)
    },
  };
  set.add(soa, 'soa');
  set.add({ type: 'NS', name: zone, ttl, class: 'IN', data: `ns.dns.${zone}` }, 'ns');
  for (const ip of opts.nameservers ?? []) {
    const rr = addressRecord(`ns.dns.${zone}`, ip, ttl);
    if (rr) set.add(rr, ip);
  }
  set.add({ type: 'TXT', name: `dns-version.${zone}`, ttl, class: 'IN', data: DNS_SCHEMA_VERSION }, 'v');
  set.touch(`svc.${zone}`);
  set.touch(`pod.${zone}`);

  // Empty non-terminals: every ancestor of an owner name inside the zone exists (NODATA, not NXDOMAIN).
  const suffix = `.${zone}`;
  for (const name of [...set.names.keys()]) {
    if (!name.endsWith(suffix)) continue;
    for (
      let i = name.indexOf('.');
      i >= 0 && name.length - i - 1 > zone.length;
      i = name.indexOf('.', i + 1)
    ) {
      set.touch(name.slice(i + 1));
    }
  }

  const names = new Map<string, NameNode>();
  const reverse = new Map<string, LocalAnswer>();
  for (const [name, types] of set.names) {
    const extra = [...(set.additionals.get(name)?.values() ?? [])];
    const byType = new Map<string, LocalAnswer>();
    const all: Answer[] = [];
    for (const [type, rrset] of types) {
      const rrs = [...rrset.values()];
      // RFC 2782 weights are relative within a priority: spread 100 over the targets, as CoreDNS does.
      if (type === 'SRV')
        for (const rr of rrs)
          if (rr.type === 'SRV') rr.data.weight = Math.max(1, Math.floor(100 / rrs.length));
      byType.set(type, answerOf(rrs, type === 'SRV' ? extra : []));
      all.push(...rrs);
    }
    if (all.length) byType.set('ANY', answerOf(all));
    if (name.endsWith('.arpa')) {
      const ptr = byType.get('PTR');
      if (ptr) reverse.set(name, ptr);
    } else names.set(name, { byType });
  }

  return {
    domain: zone,
    ttl,
    names,
    reverse,
    soa,
    nxdomain: { rcode: 'NXDOMAIN', authoritative: true, answers: [], authority: [soa], additionals: [] },
    nodata: { rcode: 'NOERROR', authoritative: true, answers: [], authority: [soa], additionals: [] },
  };
}

// ---- answering ------------------------------------------------------------------------------------

function inZone(name: string, zone: string): boolean {
  return name === zone || (name.endsWith(zone) && name.charCodeAt(name.length - zone.length - 1) === 46);
}

/** `a-b-c-d.<ns>.pod.<zone>` → A a.b.c.d; `<ns>.pod.<zone>` exists (NODATA); anything else there → NXDOMAIN. */
function podAnswer(name: string, type: string, index: DnsIndex): LocalAnswer | undefined {
  const podSuffix = `.pod.${index.domain}`;
  if (!name.endsWith(podSuffix)) return undefined;
  const labels = name.slice(0, -podSuffix.length).split('.');
  if (labels.length === 1) return labels[0] ? index.nodata : undefined;
  if (labels.length !== 2 || !labels[1]) return undefined;
  const parts = labels[0].split('-');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255))
    return undefined;
  if (type !== 'A' && type !== 'ANY') return index.nodata;
  return answerOf([{ type: 'A', name, ttl: index.ttl, class: 'IN', data: parts.join('.') }]);
}

function zoneAnswer(name: string, type: string, index: DnsIndex, depth: number): LocalAnswer {
  const node = index.names.get(name);
  if (!node) return podAnswer(name, type, index) ?? index.nxdomain;
  const direct = node.byType.get(type);
  if (direct) return direct;
  const cname = node.byType.get('CNAME');
  if (!cname) return index.nodata;
  // A CNAME answers every type (ExternalName services); follow it while it stays in the zone.
  const target = (cname.answers[0] as StringAnswer).data;
  if (!inZone(target, index.domain)) {
    return { ...cname, chase: { name: target, type: type as RecordType } };
  }
  if (depth >= MAX_CNAME_DEPTH) return SERVFAIL;
  const rest = zoneAnswer(target, type, index, depth + 1);
  return { ...rest, answers: [...cname.answers, ...rest.answers] };
}

/** Answers one question from the index, or says it belongs upstream. Case-insensitive; trailing dots ignored. */
export function resolve(question: Question, index: DnsIndex, opts: ResolveOptions = {}): Resolution {
  const name = normalizeName(question.name);
  const type = question.type as string;
  if (inZone(name, index.domain)) {
    if (question.class !== undefined && question.class !== 'IN' && question.class !== 'ANY') {
      return { ...index.nodata, rcode: 'REFUSED', authority: [] };
    }
    if (opts.synced === false) return SERVFAIL;
    return zoneAnswer(name, type, index, 0);
  }
  if (type === 'PTR') {
    const ptr = index.reverse.get(name);
    if (ptr) return ptr;
  }
  return FORWARD;
}
