// The names the API server's certificate must carry (its Subject Alternative Names), as kubeadm lists them: every
// name and address a client may dial — the host's name, the listen address (or, when listening on all addresses,
// every address of the machine), loopback, the advertise address, the `kubernetes` Service's ClusterIP and DNS
// names, and whatever --tls-san adds. Pure: the machine's names and addresses come in as arguments.
import ipaddr from 'ipaddr.js';

export interface ServingNameInputs {
  /** The machine's hostname(s). */
  hostnames: string[];
  /** The host part of --listen (0.0.0.0 / :: mean every address). */
  listenHost: string;
  /** The machine's interface addresses (used when listening on every address). */
  interfaceAddresses: string[];
  advertiseAddress?: string;
  /** The `kubernetes` Service's ClusterIP (10.96.0.1 by default). */
  serviceIP: string;
  clusterDomain?: string;
  /** --tls-san values: IPs or DNS names. */
  extra?: string[];
}

export interface SubjectAltNames {
  dnsNames: string[];
  ipAddresses: string[];
}

export function isIpAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
}

/** The canonical text of an IP (IPv6 compressed, IPv4-mapped kept), so two spellings compare equal. */
export function normalizeIp(text: string): string {
  return ipaddr.parse(text).toString();
}

function isWildcard(host: string): boolean {
  return host === '' || (isIpAddress(host) && ipaddr.parse(host).range() === 'unspecified');
}

/** A DNS name as it may appear in a certificate: lowercase labels of letters, digits and hyphens (`*.` allowed). */
export function isDnsSan(name: string): boolean {
  return (
    name.length <= 253 &&
    /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/.test(name)
  );
}

export function servingNames(inputs: ServingNameInputs): SubjectAltNames {
  const domain = inputs.clusterDomain ?? 'cluster.local';
  const dns = new Set<string>([
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${domain}`,
  ]);
  const ips = new Set<string>(['127.0.0.1', normalizeIp(inputs.serviceIP)]);
  const add = (value: string) => {
    const v = value.trim();
    if (v === '') return;
    if (isIpAddress(v)) ips.add(normalizeIp(v));
    else if (isDnsSan(v.toLowerCase())) dns.add(v.toLowerCase());
  };
  for (const h of inputs.hostnames) add(h);
  if (isWildcard(inputs.listenHost)) for (const a of inputs.interfaceAddresses) add(a);
  else add(inputs.listenHost);
  if (inputs.advertiseAddress) add(inputs.advertiseAddress);
  for (const e of inputs.extra ?? []) add(e);
  return { dnsNames: [...dns].sort(), ipAddresses: [...ips].sort() };
}

/** Why a --tls-san value is unusable, or undefined. */
export function tlsSanProblem(value: string): string | undefined {
  const v = value.trim();
  if (isIpAddress(v) || isDnsSan(v.toLowerCase())) return undefined;
  return `--tls-san ${JSON.stringify(value)} is neither an IP address nor a DNS name`;
}

/** True when both lists name the same set (order and IP spelling aside). */
export function sameNames(a: SubjectAltNames, b: SubjectAltNames): boolean {
  const key = (s: SubjectAltNames) =>
    JSON.stringify([
      [...new Set(s.dnsNames.map((d) => d.toLowerCase()))].sort(),
      [...new Set(s.ipAddresses.map(normalizeIp))].sort(),
    ]);
  return key(a) === key(b);
}
