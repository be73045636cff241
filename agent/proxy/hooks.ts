// The jumps from chains others own (the built-in chains, Docker's DOCKER-USER) into ours: the proxy's
// (HOOK_RULES in chains.ts) and the pod network's (NETWORK_HOOKS in network/network-rules.ts). Each must exist
// once, and in a built-in chain come before every rule that is not one of our hooks: dockerd inserts its own
// rules at the top of FORWARD whenever it starts, which would otherwise put its `-i <bridge> ! -o <bridge> -j
// ACCEPT` ahead of our REJECTs. In DOCKER-USER (whose other rules are the administrator's) it only has to come
// before Docker's final RETURN. A missing hook is inserted at the top (after an iptables-save, not through
// iptables-restore, which would duplicate it on every sync); a hook that fell behind is moved back to the top in
// one atomic batch. Cleanup removes every copy.
import type { Logger } from '../../src/common/logger.js';
import { HOOK_COMMENT, HOOK_RULES } from './chains.js';
import type { Firewall, IptablesTable, RuleSpec } from './firewall.js';
import { ruleTarget, tokenize } from './iptables-text.js';

export type HookPlacement = 'first' | 'behind' | 'missing';

const BUILTIN_CHAINS = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

function isOurHook(args: readonly string[]): boolean {
  return args.some((a, i) => a === '--comment' && args[i + 1] === HOOK_COMMENT);
}

/** Whether a rule of someone else's, ahead of our hook in `chain`, keeps the hook from doing its job. */
function blocks(chain: string, args: readonly string[]): boolean {
  if (isOurHook(args)) return false;
  return BUILTIN_CHAINS.has(chain) || (args.length === 2 && args[0] === '-j' && args[1] === 'RETURN');
}

/**
 * Where a hook stands in iptables-save output of its table: 'first' when nothing that matters precedes it (in a
 * built-in chain: only our own hooks; elsewhere: no unconditional RETURN), 'behind' otherwise, and 'missing'
 * when the chain has no rule of ours jumping to the hook's target.
 */
export function hookPlacement(save: string, hook: RuleSpec): HookPlacement {
  const target = ruleTarget(hook.args)?.target;
  const prefix = `-A ${hook.chain} `;
  let blocked = false;
  for (const line of save.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const args = tokenize(line).slice(2);
    if (isOurHook(args) && ruleTarget(args)?.target === target) return blocked ? 'behind' : 'first';
    blocked ||= blocks(hook.chain, args);
  }
  return 'missing';
}

const quote = (w: string) => (/[\s"]/.test(w) || w === '' ? `"${w.replace(/["\\]/g, '\\$&')}"` : w);

/** The batch that moves a hook to the top of its chain: delete and insert in one transaction. */
export function renderHookMove(hook: RuleSpec): string {
  const args = hook.args.map(quote).join(' ');
  return `*${hook.table}\n-D ${hook.chain} ${args}\n-I ${hook.chain} ${args}\nCOMMIT\n`;
}

export interface HookChanges {
  inserted: RuleSpec[];
  moved: RuleSpec[];
}

/** Makes every hook present and first in its chain; returns what had to change (nothing when all was well). */
export async function ensureHooks(
  firewall: Firewall,
  log: Logger,
  hooks: readonly RuleSpec[] = HOOK_RULES,
): Promise<HookChanges> {
  const changes: HookChanges = { inserted: [], moved: [] };
  const saves = new Map<IptablesTable, string>();
  for (const hook of hooks) {
    let save = saves.get(hook.table);
    if (save === undefined) saves.set(hook.table, (save = await firewall.save(hook.table)));
    const placement = hookPlacement(save, hook);
    if (placement === 'first') continue;
    const fields = { table: hook.table, chain: hook.chain, args: hook.args.join(' ') };
    if (placement === 'missing') {
      await firewall.insertRule(hook);
      changes.inserted.push(hook);
      log.info(fields, 'inserted hook rule');
    } else {
      await firewall.restore(renderHookMove(hook));
      changes.moved.push(hook);
      log.info(fields, 'moved hook rule back to the top of its chain');
    }
    saves.delete(hook.table); // the table changed: read it again for the next hook
  }
  return changes;
}

/** Deletes every copy of every hook rule; returns how many were deleted. */
export async function removeHooks(
  firewall: Firewall,
  hooks: readonly RuleSpec[] = HOOK_RULES,
): Promise<number> {
  let removed = 0;
  for (const rule of hooks) {
    // Bounded, so a firewall that reports a rule it cannot delete does not loop forever.
    for (let i = 0; i < 100 && (await firewall.hasRule(rule)); i++) {
      await firewall.deleteRule(rule);
      removed++;
    }
  }
  return removed;
}
