// The pod network's own iptables rules (the part of flannel/kubenet that keeps pod traffic flowing):
//   filter SKIFF-FORWARD  — ACCEPT forwarded traffic from and to the cluster CIDR. Docker sets the FORWARD policy
//                           to DROP (NETLAB P1/P5), so without it pods on different nodes cannot talk. Jumped from
//                           DOCKER-USER (Docker's place for user rules, evaluated first) and FORWARD (position 1).
//                           Service IPs RETURN first: a VIP no DNAT rewrote must reach the proxy's REJECT
//                           (SKIFF-PROXY), not be accepted here and wander onto the bridge.
//   nat SKIFF-POD-MASQ    — MASQUERADE what pods send outside the cluster CIDR (the Docker network itself has
//                           masquerade off, so pod-to-pod traffic keeps the pod IP; NETLAB P4). From POSTROUTING.
// renderNetworkRules() is pure (golden-tested); NetworkRules applies it through the agent's Firewall (the same
// interface and iptables adapter as the proxy: agent/proxy/firewall.ts): chain contents in one
// `iptables-restore --noflush`, hooks through the proxy's ensureHooks (present once, and ahead of every rule that
// is not one of our hooks: dockerd puts its own rules at the top again when it restarts), each carrying
// `-m comment --comment skiff`.
import { silentLogger, type Logger } from '../../src/common/logger.js';
import type { Firewall, RuleSpec } from '../proxy/firewall.js';
import { ensureHooks } from '../proxy/hooks.js';

export const FORWARD_CHAIN = 'SKIFF-FORWARD';
export const MASQ_CHAIN = 'SKIFF-POD-MASQ';
/** Docker's chain for user rules; dockerd creates it too, and jumps to it first from FORWARD. */
export const DOCKER_USER_CHAIN = 'DOCKER-USER';
export const HOOK_COMMENT = 'skiff';

export interface NetworkRulesConfig {
  clusterCIDR: string;
  serviceCIDR: string;
}

const jump = (target: string) => ['-m', 'comment', '--comment', HOOK_COMMENT, '-j', target];

/** The jumps into our chains from chains others own (built-in, or Docker's), each inserted at position 1. */
export const NETWORK_HOOKS: readonly RuleSpec[] = [
  { table: 'filter', chain: DOCKER_USER_CHAIN, args: jump(FORWARD_CHAIN) },
  { table: 'filter', chain: 'FORWARD', args: jump(FORWARD_CHAIN) },
  { table: 'nat', chain: 'POSTROUTING', args: jump(MASQ_CHAIN) },
];

/** Our chains' rules, exactly as iptables-save prints them (so drift is a string comparison). */
export function networkChainRules(cfg: NetworkRulesConfig): { filter: string[]; nat: string[] } {
  const { clusterCIDR: pods, serviceCIDR: services } = cfg;
  return {
    filter: [
      `-A ${FORWARD_CHAIN} -d ${services} -m comment --comment "service IPs are left to the proxy rules" -j RETURN`,
      `-A ${FORWARD_CHAIN} -s ${pods} -m comment --comment "pod traffic out" -j ACCEPT`,
      `-A ${FORWARD_CHAIN} -d ${pods} -m comment --comment "pod traffic in" -j ACCEPT`,
    ],
    nat: [
      `-A ${MASQ_CHAIN} -s ${pods} ! -d ${pods} -m comment --comment "pods to outside the cluster" -j MASQUERADE`,
    ],
  };
}

/** The iptables-restore batch that (re)writes both chains; under --noflush only these two chains are flushed. */
export function renderNetworkRules(cfg: NetworkRulesConfig): string {
  const rules = networkChainRules(cfg);
  return [
    '*filter',
    `:${FORWARD_CHAIN} - [0:0]`,
    ...rules.filter,
    'COMMIT',
    '*nat',
    `:${MASQ_CHAIN} - [0:0]`,
    ...rules.nat,
    'COMMIT',
    '',
  ].join('\n');
}

/** Flushes and deletes both chains (declaring a missing chain first makes the batch valid either way). */
export function renderNetworkCleanup(): string {
  return [
    '*filter',
    `:${FORWARD_CHAIN} - [0:0]`,
    `-X ${FORWARD_CHAIN}`,
    'COMMIT',
    '*nat',
    `:${MASQ_CHAIN} - [0:0]`,
    `-X ${MASQ_CHAIN}`,
    'COMMIT',
    '',
  ].join('\n');
}

/** What iptables-save says about one chain: undefined if it does not exist, else its `-A` lines. */
export function chainInSave(save: string, chain: string): string[] | undefined {
  const lines = save.split('\n');
  if (!lines.some((l) => l.startsWith(`:${chain} `))) return undefined;
  return lines.filter((l) => l.startsWith(`-A ${chain} `));
}

/** Whether any rule in the save jumps (or goes) to `chain`. */
export function isReferenced(save: string, chain: string): boolean {
  const target = new RegExp(` -[jg] ${chain}( |$)`);
  return save.split('\n').some((l) => l.startsWith('-A ') && target.test(l));
}

export class NetworkRules {
  private readonly log: Logger;

  constructor(private readonly deps: { firewall: Firewall; config: NetworkRulesConfig; logger?: Logger }) {
    this.log = deps.logger ?? silentLogger;
  }

  /** Makes the chains and hooks what they should be; returns what it had to change (empty when all was well). */
  async ensure(): Promise<string[]> {
    const { firewall, config } = this.deps;
    const changed: string[] = [];
    const filter = await firewall.save('filter');
    const nat = await firewall.save('nat');
    // dockerd may start after us (NETLAB P5); it keeps an existing DOCKER-USER and appends its RETURN after our
    // jump. Created with -N, never declared in a batch: that would flush the rules users put there.
    if (chainInSave(filter, DOCKER_USER_CHAIN) === undefined) {
      await firewall.restore(`*filter\n-N ${DOCKER_USER_CHAIN}\nCOMMIT\n`);
      changed.push(`created ${DOCKER_USER_CHAIN}`);
    }
    const want = networkChainRules(config);
    const have = { filter: chainInSave(filter, FORWARD_CHAIN), nat: chainInSave(nat, MASQ_CHAIN) };
    const stale = (['filter', 'nat'] as const).filter((t) => have[t]?.join('\n') !== want[t].join('\n'));
    if (stale.length > 0) {
      await firewall.restore(renderNetworkRules(config));
      const name = { filter: FORWARD_CHAIN, nat: MASQ_CHAIN };
      changed.push(...stale.map((t) => `${have[t] ? 'rewrote' : 'created'} ${name[t]}`));
    }
    const hooks = await ensureHooks(firewall, this.log, NETWORK_HOOKS);
    changed.push(...hooks.inserted.map((h) => `hooked ${h.chain} (${h.table})`));
    changed.push(...hooks.moved.map((h) => `moved the ${h.chain} hook to the top (${h.table})`));
    if (changed.length > 0) this.log.info({ changed }, 'pod network rules ensured');
    return changed;
  }

  /** Removes our hooks (every copy) and chains. DOCKER-USER goes too when it is empty and nothing jumps to it. */
  async cleanup(): Promise<void> {
    const { firewall } = this.deps;
    for (const hook of NETWORK_HOOKS) {
      // Bounded, so a firewall that reports a rule it cannot delete does not loop forever.
      for (let i = 0; i < 100 && (await firewall.hasRule(hook)); i++) await firewall.deleteRule(hook);
    }
    await firewall.restore(renderNetworkCleanup());
    const filter = await firewall.save('filter');
    if (chainInSave(filter, DOCKER_USER_CHAIN)?.length === 0 && !isReferenced(filter, DOCKER_USER_CHAIN)) {
      await firewall.restore(`*filter\n-X ${DOCKER_USER_CHAIN}\nCOMMIT\n`);
    }
    this.log.info('pod network rules removed');
  }
}
