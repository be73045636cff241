// Structural checks of a proxy batch, the invariants kube-proxy's tests assert (assertIPTablesRulesEqual rejects
// jumps to undefined chains): every jump lands on a built-in target or a chain the same batch declares, every
// declared chain is reachable from the hooks (no dead chains), rules go only into chains the batch declares (an
// append to a built-in chain would pile up one copy per sync under --noflush), and deleted chains stay unused.
import { HOOK_RULES, MARK_MASQ_CHAIN, SEP_CHAIN_PREFIX, SVC_CHAIN_PREFIX } from './chains.js';
import { parseIptablesText, ruleTarget } from './iptables-text.js';

/** Targets provided by iptables itself (or its extensions) rather than by a chain. */
export const BUILTIN_TARGETS: ReadonlySet<string> = new Set([
  'ACCEPT',
  'DROP',
  'RETURN',
  'REJECT',
  'DNAT',
  'SNAT',
  'MASQUERADE',
  'REDIRECT',
  'MARK',
  'CONNMARK',
  'LOG',
]);

/** The chains of each table that the hooks jump to: where traffic enters our rules. */
function hookEntries(table: string): string[] {
  return HOOK_RULES.filter((h) => h.table === table).map((h) => ruleTarget(h.args)?.target ?? '');
}

/** Problems found in the batch, as readable sentences; empty when it is sound. */
export function checkRuleset(text: string): string[] {
  const problems: string[] = [];
  // A partial sync's batch (render-rules.ts PARTIAL_BATCH_HEADER) leaves unchanged service and endpoint chains
  // out: jumps to those are expected; every other check stays.
  const partial = text.startsWith('# skiff partial sync:');
  const kept = (chain: string) =>
    partial && (chain.startsWith(SVC_CHAIN_PREFIX) || chain.startsWith(SEP_CHAIN_PREFIX));
  for (const table of parseIptablesText(text)) {
    const t = table.name;
    const declared = new Set<string>();
    for (const c of table.chains) {
      if (declared.has(c.name)) problems.push(`${t}: chain ${c.name} declared twice`);
      declared.add(c.name);
    }
    const deleted = new Set(table.commands.filter((c) => c.op === '-X').map((c) => c.chain));
    const edges = new Map<string, Set<string>>();
    for (const cmd of table.commands) {
      if (cmd.op === '-X') {
        if (!declared.has(cmd.chain))
          problems.push(`${t}: -X ${cmd.chain} without declaring (flushing) it first`);
        continue;
      }
      if (cmd.op !== '-A') {
        problems.push(`${t} line ${cmd.line}: unexpected ${cmd.op} in a proxy batch`);
        continue;
      }
      if (!declared.has(cmd.chain))
        problems.push(`${t} line ${cmd.line}: rule in undeclared chain ${cmd.chain}`);
      if (deleted.has(cmd.chain)) problems.push(`${t} line ${cmd.line}: rule in deleted chain ${cmd.chain}`);
      const target = ruleTarget(cmd.args)?.target;
      if (!target) {
        problems.push(`${t} line ${cmd.line}: rule without a target`);
      } else if (!BUILTIN_TARGETS.has(target)) {
        if (!declared.has(target)) {
          if (!kept(target)) problems.push(`${t} line ${cmd.line}: jump to undeclared chain ${target}`);
          // Every service and endpoint chain jumps on to SKIFF-MARK-MASQ: a kept one keeps it reachable.
          else if (declared.has(MARK_MASQ_CHAIN)) {
            if (!edges.has(cmd.chain)) edges.set(cmd.chain, new Set());
            edges.get(cmd.chain)!.add(MARK_MASQ_CHAIN);
          }
        } else if (deleted.has(target))
          problems.push(`${t} line ${cmd.line}: jump to deleted chain ${target}`);
        else {
          if (!edges.has(cmd.chain)) edges.set(cmd.chain, new Set());
          edges.get(cmd.chain)!.add(target);
        }
      }
    }
    // Reachability from the hooked chains.
    const reached = new Set<string>();
    const todo = hookEntries(t).filter((c) => declared.has(c));
    while (todo.length) {
      const c = todo.pop()!;
      if (reached.has(c)) continue;
      reached.add(c);
      for (const next of edges.get(c) ?? []) todo.push(next);
    }
    for (const c of declared) {
      if (!reached.has(c) && !deleted.has(c))
        problems.push(`${t}: chain ${c} is declared but nothing jumps to it`);
    }
  }
  return problems;
}
