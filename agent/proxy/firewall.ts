// The proxy's one host effect: iptables. Speaks iptables text and rule specs, nothing else, so the proxier is
// tested against test/fakes/fake-firewall.ts. The adapter is iptables-firewall.ts.
import type { IptablesTable, RuleSpec } from './chains.js';

export type { IptablesTable, RuleSpec } from './chains.js';

export interface Firewall {
  /**
   * Applies one batch with `iptables-restore --noflush`: atomic (a failing batch applies nothing), and chains the
   * batch does not declare are left untouched. Rejects with the tool's error output.
   */
  restore(rules: string): Promise<void>;
  /** `iptables-save -t <table>`: the table's chains and rules as text. */
  save(table: IptablesTable): Promise<string>;
  /** `iptables -C`: whether the rule exists (false too when its target chain does not exist). */
  hasRule(rule: RuleSpec): Promise<boolean>;
  /** `iptables -I <chain> 1`: inserts the rule at the top of the chain. */
  insertRule(rule: RuleSpec): Promise<void>;
  /** `iptables -D`: deletes one copy of the rule. */
  deleteRule(rule: RuleSpec): Promise<void>;
}
