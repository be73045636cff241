// An in-memory iptables behind the Firewall interface, for the proxier's tests. It keeps the nat and filter
// tables and applies restore batches the way iptables-restore --noflush does where the proxier depends on it:
// declaring a chain creates or flushes it, undeclared chains are untouched, a jump to a missing chain or a delete
// of a chain still referenced fails the whole batch and changes nothing. Every call is logged; failures and a
// held (slow) restore can be injected.
import { parseIptablesText, ruleTarget } from '../../agent/proxy/iptables-text.js';
import { BUILTIN_TARGETS } from '../../agent/proxy/ruleset-check.js';
import type { Firewall, IptablesTable, RuleSpec } from '../../agent/proxy/firewall.js';
import { internalError } from '../../src/common/errors.js';

type Table = Map<string, string[][]>;

const BUILTIN_CHAINS: Record<IptablesTable, string[]> = {
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);
const quote = (w: string) => (/[\s"]/.test(w) || w === '' ? `"${w.replace(/["\\]/g, '\\$&')}"` : w);

export class FakeFirewall implements Firewall {
  /** Every batch restore() was given, including failed ones, in order. */
  readonly restores: string[] = [];
  /** One line per call: `restore`, `save nat`, `-C nat PREROUTING …`, `-I …`, `-D …`. */
  readonly calls: string[] = [];
  private tables: Record<IptablesTable, Table> = { nat: emptyTable('nat'), filter: emptyTable('filter') };
  private failures: unknown[] = [];
  private hold: Promise<void> | undefined;
  private inFlight = 0;
  /** The most restores that ever ran at the same time. */
  maxInFlight = 0;

  // ---- test helpers ---------------------------------------------------------------------------------

  /** The next restore() fails with `error` (and changes nothing). */
  failNextRestore(error: unknown = internalError('iptables-restore: injected failure')): void {
    this.failures.push(error);
  }

  /** Restores started from now on wait until the returned function is called. */
  holdRestores(): () => void {
    let release!: () => void;
    this.hold = new Promise((resolve) => (release = resolve));
    return () => {
      this.hold = undefined;
      release();
    };
  }

  /** Creates a chain (with rules) as if someone else had, e.g. Docker or the network agent. */
  seedChain(table: IptablesTable, chain: string, rules: string[][] = []): void {
    this.tables[table].set(
      chain,
      rules.map((r) => [...r]),
    );
  }

  chains(table: IptablesTable): string[] {
    return [...this.tables[table].keys()];
  }

  rules(table: IptablesTable, chain: string): string[][] {
    return (this.tables[table].get(chain) ?? []).map((r) => [...r]);
  }

  restoreCount(): number {
    return this.restores.length;
  }

  // ---- Firewall -------------------------------------------------------------------------------------

  async restore(rules: string): Promise<void> {
    this.calls.push('restore');
    this.restores.push(rules);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.hold) await this.hold;
      const failure = this.failures.shift();
      if (failure) throw failure;
      this.tables = applyBatch(this.tables, rules);
    } finally {
      this.inFlight--;
    }
  }

  async save(table: IptablesTable): Promise<string> {
    this.calls.push(`save ${table}`);
    const t = this.tables[table];
    const lines = [`*${table}`];
    for (const chain of t.keys()) {
      lines.push(`:${chain} ${BUILTIN_CHAINS[table].includes(chain) ? 'ACCEPT' : '-'} [0:0]`);
    }
    for (const [chain, rules] of t)
      for (const r of rules) lines.push(`-A ${chain} ${r.map(quote).join(' ')}`);
    lines.push('COMMIT', '');
    return lines.join('\n');
  }

  async hasRule(rule: RuleSpec): Promise<boolean> {
    this.calls.push(`-C ${rule.table} ${rule.chain} ${rule.args.join(' ')}`);
    return (this.tables[rule.table].get(rule.chain) ?? []).some((r) => same(r, rule.args));
  }

  async insertRule(rule: RuleSpec): Promise<void> {
    this.calls.push(`-I ${rule.table} ${rule.chain} ${rule.args.join(' ')}`);
    const t = this.tables[rule.table];
    const chain = t.get(rule.chain);
    if (!chain) throw internalError(`iptables: chain ${rule.chain} does not exist`);
    const target = ruleTarget(rule.args)?.target;
    if (target && !BUILTIN_TARGETS.has(target) && !t.has(target)) {
      throw internalError(`iptables: Chain '${target}' does not exist`);
    }
    chain.unshift([...rule.args]);
  }

  async deleteRule(rule: RuleSpec): Promise<void> {
    this.calls.push(`-D ${rule.table} ${rule.chain} ${rule.args.join(' ')}`);
    const chain = this.tables[rule.table].get(rule.chain) ?? [];
    const i = chain.findIndex((r) => same(r, rule.args));
    if (i < 0) throw internalError('iptables: Bad rule (does a matching rule exist in that chain?).');
    chain.splice(i, 1);
  }
}

function emptyTable(table: IptablesTable): Table {
  return new Map(BUILTIN_CHAINS[table].map((c) => [c, []]));
}

/** Applies a batch to copies of the tables; throws (leaving the originals alone) where iptables-restore fails. */
function applyBatch(tables: Record<IptablesTable, Table>, text: string): Record<IptablesTable, Table> {
  const next: Record<IptablesTable, Table> = {
    nat: new Map([...tables.nat].map(([c, r]) => [c, r.map((x) => [...x])])),
    filter: new Map([...tables.filter].map(([c, r]) => [c, r.map((x) => [...x])])),
  };
  for (const parsed of parseIptablesText(text)) {
    const name = parsed.name as IptablesTable;
    const t = next[name];
    if (!t) throw internalError(`iptables-restore: unknown table ${parsed.name}`);
    for (const c of parsed.chains) {
      if (!BUILTIN_CHAINS[name].includes(c.name)) t.set(c.name, []); // --noflush: declaring flushes that chain only
    }
    for (const cmd of parsed.commands) {
      const chain = t.get(cmd.chain);
      const fail = (why: string) => internalError(`iptables-restore: line ${cmd.line}: ${why}`);
      if (cmd.op === '-N') {
        if (chain) throw fail(`chain ${cmd.chain} already exists`);
        t.set(cmd.chain, []);
        continue;
      }
      if (!chain) throw fail(`chain ${cmd.chain} does not exist`);
      if (cmd.op === '-A') chain.push(cmd.args);
      else if (cmd.op === '-I') chain.unshift(cmd.args);
      else if (cmd.op === '-F') chain.length = 0;
      else if (cmd.op === '-D') {
        const i = chain.findIndex((r) => same(r, cmd.args));
        if (i < 0) throw fail('no such rule');
        chain.splice(i, 1);
      } else if (cmd.op === '-X') {
        if (BUILTIN_CHAINS[name].includes(cmd.chain)) throw fail(`cannot delete built-in chain ${cmd.chain}`);
        t.delete(cmd.chain);
      }
    }
    // References are checked when the batch commits, as nf_tables does.
    for (const [chain, rules] of t) {
      for (const r of rules) {
        const target = ruleTarget(r)?.target;
        if (target && !BUILTIN_TARGETS.has(target) && !t.has(target)) {
          throw internalError(
            `iptables-restore: ${chain} jumps to missing chain ${target} (busy or undefined)`,
          );
        }
      }
    }
  }
  return next;
}
