// kube-proxy's syncProxyRules as a pure function: the whole desired ruleset of the proxy's own chains, as one
// iptables-restore batch (`--noflush`, so chains we don't own are left alone). Declaring a chain (`:CHAIN - [0:0]`)
// flushes it, so a full sync rewrites all of our rules and a partial one (`applied`) declares and rewrites only the
// top-level chains and the service/endpoint chains that changed; chains that are no longer wanted are declared
// (flushed) and then deleted (`-X`) in the same batch, after the rules that jumped to them are gone.
//
// Packet path (ClusterIP 10.96.0.10:80, two endpoints):
//   nat PREROUTING/OUTPUT → SKIFF-SERVICES  -d 10.96.0.10/32 --dport 80 → SKIFF-SVC-…
//   SKIFF-SVC-…   ! -s <cluster CIDR> → SKIFF-MARK-MASQ (traffic from outside pods needs SNAT on the way in)
//                 probability 1/2 → SKIFF-SEP-A, else → SKIFF-SEP-B (1/n, 1/(n−1), …, last unconditional)
//   SKIFF-SEP-A   -s <endpoint> → SKIFF-MARK-MASQ (hairpin: a pod calling its own service), DNAT to ip:port
//   nat POSTROUTING → SKIFF-POSTROUTING: MASQUERADE what carries the mark.
//   filter INPUT/FORWARD/OUTPUT → SKIFF-PROXY: REJECT services without ready endpoints, and anything still
//   addressed to the service CIDR (NAT happens before filter, so DNATed packets no longer carry a service IP).
import ipaddr from 'ipaddr.js';
import type { Endpoints, Service } from '../../src/api/types.js';
import {
  MARK_MASQ_CHAIN,
  MASQ_MARK,
  NODEPORTS_CHAIN,
  POSTROUTING_CHAIN,
  PROXY_FILTER_CHAIN,
  SERVICES_CHAIN,
  endpointChainName,
  isProxyChain,
  serviceChainName,
} from './chains.js';
import { collectServicePorts, type ServicePortInfo } from './service-ports.js';

export interface ProxyState {
  services: Service[];
  endpoints: Endpoints[];
  /**
   * Addresses (or CIDRs) NodePorts answer on. Empty: every local address of the node except loopback
   * (kube-proxy's default, `-m addrtype --dst-type LOCAL`).
   */
  nodeIPs: string[];
  /** Pod addresses; traffic to a ClusterIP from outside it is masqueraded. */
  clusterCIDR: string;
  /** ClusterIPs; traffic to one that no rule DNATed is rejected. */
  serviceCIDR: string;
  /** The nat chains present now (from iptables-save); the proxy's ones not wanted any more are deleted. */
  existingChains?: string[];
  /**
   * A partial sync (kube-proxy's MinimizeIPTablesRestore): the `chainRules` of the last batch that applied. A
   * service or endpoint chain whose rules are the same is left out of the batch (not declared, which would flush
   * it, nor rewritten). The top-level chains are always written. Absent: a full sync writes every chain.
   */
  applied?: ReadonlyMap<string, string>;
}

export interface Ruleset {
  /** The iptables-restore input. */
  text: string;
  /** The nat chains the batch leaves in place (what `existingChains` will be after it applies). */
  natChains: string[];
  /** The rules of every chain once the batch applied, by chain (the filter chain as `filter:<name>`). */
  chainRules: Map<string, string>;
  /** Chains this batch writes whose rules differ from `applied`, plus chains it deletes (all, without it). */
  changedChains: number;
}

/**
 * The first line of a partial batch (a comment to iptables-restore): service and endpoint chains it jumps to
 * without declaring them are in place and unchanged. checkRuleset reads it.
 */
export const PARTIAL_BATCH_HEADER =
  '# skiff partial sync: undeclared SKIFF-SVC-/SKIFF-SEP- chains are kept as they are';

const REJECT = '-j REJECT --reject-with icmp-port-unreachable';
const NODEPORTS_COMMENT = '"skiff service nodeports; NOTE: this must be the last rule in this chain"';

/** 1/(n−i) with 10 decimals, as kube-proxy's computeProbability prints it. */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

function toCidr(addr: string): string | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(addr)) return `${addr}/32`;
  return ipaddr.IPv4.isValidCIDRFourPartDecimal(addr) ? addr : undefined;
}

/** The match part that selects NodePort destinations: one entry per address, or node-local when none is given. */
function nodePortDestinations(nodeIPs: string[]): string[] {
  const cidrs = [...new Set(nodeIPs.map(toCidr).filter((c): c is string => c !== undefined))].sort();
  // Loopback is left out: DNAT from 127.0.0.1 to a pod needs route_localnet, so it would hang instead of
  // failing at once.
  return cidrs.length ? cidrs.map((c) => `-d ${c}`) : ['-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8'];
}

/** The rules of one batch, gathered per chain so that each chain's rules stay in order. */
interface Batch {
  natChains: string[];
  serviceRules: string[];
  nodePortRules: string[];
  /** The rules of each service (SVC) and endpoint (SEP) chain. */
  chainRules: Map<string, string[]>;
  filterRules: string[];
  /** Some rule jumps to SKIFF-MARK-MASQ (the chain is declared only then, so no batch has a dead chain). */
  usesMasq: boolean;
}

export function renderRuleset(state: ProxyState): Ruleset {
  const ports = collectServicePorts(state.services, state.endpoints);
  const nodePortDests = nodePortDestinations(state.nodeIPs);
  const b: Batch = {
    natChains: [SERVICES_CHAIN, NODEPORTS_CHAIN, POSTROUTING_CHAIN],
    serviceRules: [],
    nodePortRules: [],
    chainRules: new Map(),
    filterRules: [],
    usesMasq: false,
  };

  for (const sp of ports) {
    if (sp.endpoints.length === 0) renderReject(b, sp, nodePortDests);
    else renderService(b, sp, state.clusterCIDR);
  }
  // NodePorts are matched last, after every ClusterIP, as kube-proxy does.
  for (const dest of nodePortDests) {
    b.serviceRules.push(
      `-A ${SERVICES_CHAIN} -m comment --comment ${NODEPORTS_COMMENT} ${dest} -j ${NODEPORTS_CHAIN}`,
    );
  }
  b.filterRules.push(
    `-A ${PROXY_FILTER_CHAIN} -m comment --comment "skiff service CIDR: no service claims this address and port" ` +
      `-d ${state.serviceCIDR} ${REJECT}`,
  );
  if (b.usesMasq) b.natChains.splice(3, 0, MARK_MASQ_CHAIN);

  const wanted = new Set(b.natChains);
  const stale = (state.existingChains ?? []).filter((c) => isProxyChain('nat', c) && !wanted.has(c)).sort();

  const postrouting = [
    `-A ${POSTROUTING_CHAIN} -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    // Clear the mark so a packet that is routed again (e.g. into a tunnel) is not masqueraded twice.
    `-A ${POSTROUTING_CHAIN} -j MARK --set-xmark ${MASQ_MARK}/0x0`,
    `-A ${POSTROUTING_CHAIN} -m comment --comment "skiff service traffic requiring SNAT" -j MASQUERADE`,
  ];
  const masq = b.usesMasq ? [`-A ${MARK_MASQ_CHAIN} -j MARK --set-xmark ${MASQ_MARK}/${MASQ_MARK}`] : [];

  // Every chain's rules, to tell what changed (now or in the next partial sync).
  const chainRules = new Map<string, string>([
    [SERVICES_CHAIN, b.serviceRules.join('\n')],
    [NODEPORTS_CHAIN, b.nodePortRules.join('\n')],
    [POSTROUTING_CHAIN, postrouting.join('\n')],
    ...(b.usesMasq ? [[MARK_MASQ_CHAIN, masq.join('\n')] as [string, string]] : []),
    ...[...b.chainRules].map(([c, rules]) => [c, rules.join('\n')] as [string, string]),
    [`filter:${PROXY_FILTER_CHAIN}`, b.filterRules.join('\n')],
  ]);
  const applied = state.applied;
  let changedChains = stale.length;
  for (const [c, rules] of chainRules) if (applied?.get(c) !== rules) changedChains++;
  // In a partial sync, service and endpoint chains that are as applied stay out of the batch.
  const write = (c: string) => !applied || !b.chainRules.has(c) || applied.get(c) !== chainRules.get(c);

  const lines: string[] = applied ? [PARTIAL_BATCH_HEADER, '*nat'] : ['*nat'];
  for (const c of b.natChains) if (write(c)) lines.push(`:${c} - [0:0]`);
  for (const c of stale) lines.push(`:${c} - [0:0]`);
  lines.push(...b.serviceRules, ...b.nodePortRules);
  for (const [c, rules] of b.chainRules) if (write(c)) lines.push(...rules);
  lines.push(...postrouting, ...masq);
  for (const c of stale) lines.push(`-X ${c}`);
  lines.push('COMMIT', '*filter', `:${PROXY_FILTER_CHAIN} - [0:0]`, ...b.filterRules, 'COMMIT', '');
  return { text: lines.join('\n'), natChains: b.natChains, chainRules, changedChains };
}

/** The iptables-restore input for the desired state (see renderRuleset). */
export function renderRules(state: ProxyState): string {
  return renderRuleset(state).text;
}

/** A service port without ready endpoints: clients are refused at once instead of waiting for a timeout. */
function renderReject(b: Batch, sp: ServicePortInfo, nodePortDests: string[]): void {
  const comment = `-m comment --comment "${sp.name} has no endpoints"`;
  const proto = `-m ${sp.protocol} -p ${sp.protocol}`;
  b.filterRules.push(
    `-A ${PROXY_FILTER_CHAIN} ${comment} ${proto} -d ${sp.clusterIP}/32 --dport ${sp.port} ${REJECT}`,
  );
  if (sp.nodePort === undefined) return;
  for (const dest of nodePortDests) {
    b.filterRules.push(
      `-A ${PROXY_FILTER_CHAIN} ${comment} ${dest} ${proto} --dport ${sp.nodePort} ${REJECT}`,
    );
  }
}

function renderService(b: Batch, sp: ServicePortInfo, clusterCIDR: string): void {
  const svcChain = serviceChainName(sp.name, sp.protocol);
  const proto = `-m ${sp.protocol} -p ${sp.protocol}`;
  const dest = `${proto} -d ${sp.clusterIP}/32 --dport ${sp.port}`;
  const clusterIPComment = `-m comment --comment "${sp.name} cluster IP"`;
  const nameComment = `-m comment --comment ${sp.name}`;
  b.natChains.push(svcChain);
  b.usesMasq = true;

  b.serviceRules.push(`-A ${SERVICES_CHAIN} ${clusterIPComment} ${dest} -j ${svcChain}`);
  // Packets from outside the pod network (the node itself, other hosts) are masqueraded, so the reply comes
  // back through this node and is un-DNATed.
  const svcRules = [`-A ${svcChain} ${clusterIPComment} ${dest} ! -s ${clusterCIDR} -j ${MARK_MASQ_CHAIN}`];
  b.chainRules.set(svcChain, svcRules);
  if (sp.nodePort !== undefined) {
    const match = `-A ${NODEPORTS_CHAIN} ${nameComment} ${proto} --dport ${sp.nodePort}`;
    b.nodePortRules.push(`${match} -j ${MARK_MASQ_CHAIN}`, `${match} -j ${svcChain}`);
  }

  const n = sp.endpoints.length;
  const seps = sp.endpoints.map((ep) => {
    const hostPort = `${ep.ip}:${ep.port}`;
    return { ep, hostPort, chain: endpointChainName(sp.name, sp.protocol, hostPort) };
  });
  // ClientIP affinity: a client seen recently (xt_recent list named after the endpoint chain) goes back to the
  // same endpoint; these rules come before the random ones.
  if (sp.affinitySeconds !== undefined) {
    for (const s of seps) {
      svcRules.push(
        `-A ${svcChain} -m comment --comment "${sp.name} -> ${s.hostPort}" -m recent --name ${s.chain} ` +
          `--rcheck --seconds ${sp.affinitySeconds} --reap -j ${s.chain}`,
      );
    }
  }
  seps.forEach((s, i) => {
    const random = i < n - 1 ? ` -m statistic --mode random --probability ${probability(n - i)}` : '';
    svcRules.push(`-A ${svcChain} -m comment --comment "${sp.name} -> ${s.hostPort}"${random} -j ${s.chain}`);
  });
  for (const s of seps) {
    b.natChains.push(s.chain);
    const recent = sp.affinitySeconds !== undefined ? ` -m recent --name ${s.chain} --set` : '';
    b.chainRules.set(s.chain, [
      `-A ${s.chain} ${nameComment} -s ${s.ep.ip}/32 -j ${MARK_MASQ_CHAIN}`,
      `-A ${s.chain} ${nameComment}${recent} ${proto} -j DNAT --to-destination ${s.hostPort}`,
    ]);
  }
}

/**
 * The batch that removes the proxy's chains (for `stop({cleanup})` and `skiff agent --cleanup`): each is
 * declared (flushed) first, then deleted, so jumps between our own chains do not block the deletes. The hook
 * rules in the built-in chains must be deleted before this runs. Chains we don't own are ignored.
 */
export function renderCleanup(natChains: string[], filterChains: string[]): string {
  const nat = natChains.filter((c) => isProxyChain('nat', c)).sort();
  const filter = filterChains.filter((c) => isProxyChain('filter', c)).sort();
  const lines: string[] = [];
  for (const [table, chains] of [
    ['nat', nat],
    ['filter', filter],
  ] as const) {
    if (!chains.length) continue;
    lines.push(`*${table}`, ...chains.map((c) => `:${c} - [0:0]`), ...chains.map((c) => `-X ${c}`), 'COMMIT');
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
