// The jumps from the built-in chains into the proxy's chains (HOOK_RULES in chains.ts). Checked with
// `iptables -C` and inserted at the top only when missing, as kube-proxy's EnsureRule does, so they are never
// duplicated; removed copy by copy on cleanup.
import type { Logger } from '../../src/common/logger.js';
import { HOOK_RULES } from './chains.js';
import type { Firewall } from './firewall.js';

/** Inserts the hook rules that are missing (a flushed built-in chain, another tool's rewrite); returns how many. */
export async function ensureHooks(firewall: Firewall, log: Logger): Promise<number> {
  let inserted = 0;
  for (const rule of HOOK_RULES) {
    if (await firewall.hasRule(rule)) continue;
    await firewall.insertRule(rule);
    inserted++;
    log.info({ table: rule.table, chain: rule.chain, args: rule.args.join(' ') }, 'inserted hook rule');
  }
  return inserted;
}

/** Deletes every copy of every hook rule; returns how many were deleted. */
export async function removeHooks(firewall: Firewall): Promise<number> {
  let removed = 0;
  for (const rule of HOOK_RULES) {
    // Bounded, so a firewall that reports a rule it cannot delete does not loop forever.
    for (let i = 0; i < 100 && (await firewall.hasRule(rule)); i++) {
      await firewall.deleteRule(rule);
      removed++;
    }
  }
  return removed;
}
