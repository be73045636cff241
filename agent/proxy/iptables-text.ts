// The iptables-save / iptables-restore text format, read back: tables (`*nat` … `COMMIT`), chain lines
// (`:CHAIN POLICY [packets:bytes]`), and rule commands (`-A`, `-I`, `-D`, `-N`, `-F`, `-X`). The adapter uses it to
// list the chains present; the ruleset checker and the fake firewall use it to read our batches.
import { internalError } from '../../src/common/errors.js';

export interface ParsedCommand {
  /** -A (append), -I (insert at the top), -D (delete a rule), -N (new chain), -F (flush), -X (delete chain). */
  op: '-A' | '-I' | '-D' | '-N' | '-F' | '-X';
  chain: string;
  /** The rule after the chain name, split like a shell would (quotes removed). */
  args: string[];
  /** 1-based line number in the text. */
  line: number;
}

export interface ParsedTable {
  name: string;
  /** Chains declared with `:CHAIN …` lines, in order, with their policy (`-` for user chains). */
  chains: { name: string; policy: string }[];
  commands: ParsedCommand[];
  /** Whether the table ended with COMMIT. */
  committed: boolean;
}

/** Splits one rule line into words: whitespace separates, double quotes group, backslash escapes in quotes. */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '\\' && i + 1 < line.length) word += line[++i];
      else if (ch === '"') quoted = false;
      else word += ch;
    } else if (ch === '"') {
      quoted = true;
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quoted) throw internalError(`unterminated quote in iptables rule: ${line}`);
  if (inWord) words.push(word);
  return words;
}

const OPS = new Set(['-A', '-I', '-D', '-N', '-F', '-X']);

/** Parses iptables-save output or an iptables-restore batch. Throws on text iptables-restore would refuse. */
export function parseIptablesText(text: string): ParsedTable[] {
  const tables: ParsedTable[] = [];
  let current: ParsedTable | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const where = `line ${i + 1}`;
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      if (current && !current.committed) throw internalError(`${where}: table ${current.name} has no COMMIT`);
      current = { name: line.slice(1), chains: [], commands: [], committed: false };
      tables.push(current);
      continue;
    }
    if (!current || current.committed) throw internalError(`${where}: "${line}" outside a table`);
    if (line === 'COMMIT') {
      current.committed = true;
    } else if (line.startsWith(':')) {
      const [name, policy = '-'] = line.slice(1).split(/\s+/);
      current.chains.push({ name, policy });
    } else {
      const [op, chain, ...args] = tokenize(line);
      if (!OPS.has(op) || !chain) throw internalError(`${where}: unsupported command "${line}"`);
      current.commands.push({ op: op as ParsedCommand['op'], chain, args, line: i + 1 });
    }
  }
  if (current && !current.committed) throw internalError(`table ${current.name} has no COMMIT`);
  return tables;
}

/** The chain names one table declares in iptables-save output (built-in and user chains). */
export function chainsInSave(text: string, table: string): string[] {
  // Only the chain lines are needed; a full parse of a 10,000-rule save would be wasted work.
  const chains: string[] = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) inTable = line.slice(1).trim() === table;
    else if (inTable && line.startsWith(':')) chains.push(line.slice(1).split(' ')[0]);
  }
  return chains;
}

/** The `-j`/`-g` target of a rule, if any. */
export function ruleTarget(args: readonly string[]): { kind: '-j' | '-g'; target: string } | undefined {
  for (let i = 0; i < args.length - 1; i++) {
    if (args[i] === '-j' || args[i] === '--jump') return { kind: '-j', target: args[i + 1] };
    if (args[i] === '-g' || args[i] === '--goto') return { kind: '-g', target: args[i + 1] };
  }
  return undefined;
}
