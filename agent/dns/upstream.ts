// Where names outside the cluster go: the host's real resolvers. On Ubuntu /etc/resolv.conf points at the
// systemd-resolved stub (127.0.0.53), which is useless to us (and loops when the agent itself is what the host
// resolves through), so /run/systemd/resolve/resolv.conf — the list resolved itself uses — is read first.
// Loopback and unspecified addresses are dropped everywhere (127.0.0.53 resolved's stub, 127.0.0.11 Docker's
// embedded DNS, ::1, 0.0.0.0): a query forwarded there would come back to ourselves or to a resolver that only
// exists in another network namespace. If nothing usable remains, forwarded queries get SERVFAIL.
import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';

export interface Upstream {
  host: string;
  port: number;
}

export const DNS_PORT = 53;

/** systemd-resolved's real list first, the classic file second. */
export const RESOLV_CONF_PATHS = ['/run/systemd/resolve/resolv.conf', '/etc/resolv.conf'];

/** Reads a text file; undefined when it does not exist or cannot be read. */
export type TextFileReader = (path: string) => string | undefined;

/** The real reader (the only place this folder touches the file system). */
export const readTextFile: TextFileReader = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** The `nameserver` addresses of a resolv.conf, in order (comments and other options ignored). */
export function parseResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)/.exec(line);
    if (m) out.push(m[1]);
  }
  return out;
}

/** A resolver we may forward to: a valid unicast address that is not this host's loopback or 0.0.0.0/::. */
export function isUsableResolver(host: string): boolean {
  const plain = host.replace(/%.*$/, ''); // fe80::1%eth0: the zone index is fine for sending, not for parsing
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(plain)) addr = ipaddr.IPv4.parse(plain);
  else if (ipaddr.IPv6.isValid(plain)) addr = ipaddr.IPv6.parse(plain);
  else return false;
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  }
  const range = addr.range();
  return range !== 'loopback' && range !== 'unspecified' && range !== 'multicast' && range !== 'broadcast';
}

/** Parses `1.2.3.4`, `1.2.3.4:5353`, `2001:db8::1`, `[2001:db8::1]:5353`; undefined when invalid. */
export function parseUpstream(spec: string): Upstream | undefined {
  const s = spec.trim();
  let host = s;
  let port = DNS_PORT;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  const v4port = /^([\d.]+):(\d+)$/.exec(s);
  if (bracketed) {
    host = bracketed[1];
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (v4port) {
    host = v4port[1];
    port = Number(v4port[2]);
  }
  const plain = host.replace(/%.*$/, '');
  const valid = ipaddr.IPv4.isValidFourPartDecimal(plain) || ipaddr.IPv6.isValid(plain);
  if (!valid || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/**
 * The host's upstream resolvers: the first file of RESOLV_CONF_PATHS that exists and lists a usable resolver
 * (so a systemd file that only names loopback addresses falls through to /etc/resolv.conf). Empty when none.
 */
export function hostUpstreams(read: TextFileReader = readTextFile): Upstream[] {
  for (const path of RESOLV_CONF_PATHS) {
    const text = read(path);
    if (text === undefined) continue;
    const usable = parseResolvConf(text).filter(isUsableResolver);
    if (usable.length) return usable.map((host) => ({ host, port: DNS_PORT }));
  }
  return [];
}
