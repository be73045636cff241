// The iptables chains the proxy owns, their hashed names, and the hook rules that lead into them from the
// built-in chains. Names and hashing follow kube-proxy (pkg/proxy/iptables/proxier.go: servicePortChainName,
// servicePortEndpointChainName), with SKIFF- in place of KUBE-, so a reader can set the two side by side.
import { createHash } from 'node:crypto';

export type IptablesTable = 'nat' | 'filter';

/** nat: dispatches ClusterIP:port (and, as its last rule, node-local destinations) to per-service chains. */
export const SERVICES_CHAIN = 'SKIFF-SERVICES';
/** nat: NodePort dispatch, reached from the last rule of SKIFF-SERVICES. */
export const NODEPORTS_CHAIN = 'SKIFF-NODEPORTS';
/** nat: masquerades packets that carry the masquerade mark, then clears the mark. */
export const POSTROUTING_CHAIN = 'SKIFF-POSTROUTING';
/** nat: sets the masquerade mark. */
export const MARK_MASQ_CHAIN = 'SKIFF-MARK-MASQ';
/** filter: REJECTs traffic for services without ready endpoints and for unclaimed service IPs. */
export const PROXY_FILTER_CHAIN = 'SKIFF-PROXY';

export const SVC_CHAIN_PREFIX = 'SKIFF-SVC-';
export const SEP_CHAIN_PREFIX = 'SKIFF-SEP-';

/** The masquerade bit, as kube-proxy's --iptables-masquerade-bit 14 gives. */
export const MASQ_MARK = '0x4000';

/** The comment every hook rule carries, so cleanup deletes exactly those. */
export const HOOK_COMMENT = 'skiff';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (Go's base32.StdEncoding) of the first bytes of `buf`, enough for `chars` characters. */
function base32Prefix(buf: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (let i = 0; out.length < chars && i < buf.length; i++) {
    value = ((value << 8) | buf[i]) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function hash16(text: string): string {
  return base32Prefix(createHash('sha256').update(text).digest(), 16);
}

/**
 * kube-proxy's ServicePortName.String(): `ns/name:port`, or `ns/name` when the port has no name. Used in chain
 * hashes and rule comments.
 */
export function servicePortName(namespace: string, name: string, portName: string | undefined): string {
  return portName ? `${namespace}/${name}:${portName}` : `${namespace}/${name}`;
}

/** SKIFF-SVC-<first 16 chars of base32(sha256(servicePortName + protocol))>; protocol is lower case (tcp). */
export function serviceChainName(svcPortName: string, protocol: string): string {
  return SVC_CHAIN_PREFIX + hash16(svcPortName + protocol);
}

/** SKIFF-SEP-<hash of servicePortName + protocol + "ip:port">: one chain per service port and endpoint. */
export function endpointChainName(svcPortName: string, protocol: string, endpoint: string): string {
  return SEP_CHAIN_PREFIX + hash16(svcPortName + protocol + endpoint);
}

/** Is this chain of `table` one the proxy creates (and so may flush and delete)? The network's chains are not. */
export function isProxyChain(table: IptablesTable, chain: string): boolean {
  if (table === 'filter') return chain === PROXY_FILTER_CHAIN;
  return (
    chain === SERVICES_CHAIN ||
    chain === NODEPORTS_CHAIN ||
    chain === POSTROUTING_CHAIN ||
    chain === MARK_MASQ_CHAIN ||
    chain.startsWith(SVC_CHAIN_PREFIX) ||
    chain.startsWith(SEP_CHAIN_PREFIX)
  );
}

/** One rule in a chain, as `iptables -t <table> -C|-I|-D <chain> <args…>` takes it. */
export interface RuleSpec {
  table: IptablesTable;
  chain: string;
  args: readonly string[];
}

const hook = (table: IptablesTable, chain: string, target: string, extra: string[] = []): RuleSpec => ({
  table,
  chain,
  args: [...extra, '-m', 'comment', '--comment', HOOK_COMMENT, '-j', target],
});

// The filter hooks see only new connections (kube-proxy's `-m conntrack --ctstate NEW`): established flows were
// already decided, and a REJECT only makes sense for the first packet.
const NEW_ONLY = ['-m', 'conntrack', '--ctstate', 'NEW'];

/**
 * The jumps from the built-in chains into ours. Inserted at the top (after an `iptables -C` check), never
 * through iptables-restore, which would duplicate them on every sync.
 * - nat PREROUTING (pods, other hosts) and OUTPUT (processes on the node) → SKIFF-SERVICES (DNAT);
 * - nat POSTROUTING → SKIFF-POSTROUTING (masquerade what was marked);
 * - filter INPUT, FORWARD and OUTPUT → SKIFF-PROXY (REJECT what no endpoint serves).
 */
export const HOOK_RULES: readonly RuleSpec[] = [
  hook('nat', 'PREROUTING', SERVICES_CHAIN),
  hook('nat', 'OUTPUT', SERVICES_CHAIN),
  hook('nat', 'POSTROUTING', POSTROUTING_CHAIN),
  hook('filter', 'INPUT', PROXY_FILTER_CHAIN, NEW_ONLY),
  hook('filter', 'FORWARD', PROXY_FILTER_CHAIN, NEW_ONLY),
  hook('filter', 'OUTPUT', PROXY_FILTER_CHAIN, NEW_ONLY),
];
