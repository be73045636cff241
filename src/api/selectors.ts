// Label and field selectors, as the API server's `?labelSelector=` / `?fieldSelector=` and controllers'
// `spec.selector` use them. The label parser follows k8s.io/apimachinery/pkg/labels/selector.go (same grammar,
// same error texts); field selectors follow pkg/fields/selector.go.
import { badRequest } from '../common/errors.js';
import type { ResourceDef } from './resource-def.js';
import type { KubeObject, LabelSelector } from './types.js';
import { isQualifiedName, isValidLabelValue } from './validation.js';

export interface LabelMatcher {
  matches(labels: Record<string, string> | undefined): boolean;
  /** True when the selector selects everything. */
  empty: boolean;
  /** Canonical form: requirements sorted by key, e.g. `app=web,tier in (a,b)`. */
  toString(): string;
}

type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.op) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value!);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case '>':
    case '<': {
      if (!has || !/^-?\d+$/.test(value!)) return false;
      const lhs = Number(value);
      const rhs = Number(r.values[0]);
      return r.op === '>' ? lhs > rhs : lhs < rhs;
    }
  }
}

function requirementString(r: Requirement): string {
  const values = [...r.values].sort();
  switch (r.op) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.op} (${values.join(',')})`;
    default:
      return `${r.key}${r.op}${values.join(',')}`;
  }
}

function matcherOf(reqs: Requirement[]): LabelMatcher {
  const sorted = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    matches: (labels) => sorted.every((r) => requirementMatches(r, labels ?? {})),
    empty: sorted.length === 0,
    toString: () => sorted.map(requirementString).join(','),
  };
}

/** Matches nothing: what Kubernetes controllers do with a selector they cannot interpret. */
const NOTHING: LabelMatcher = { matches: () => false, empty: false, toString: () => '<error>' };

// ---- the string syntax: lexer + recursive descent parser -------------------------------------------

type Tok = 'ident' | 'end' | ')' | ',' | '!' | '==' | '=' | '>' | '<' | '!=' | '(' | 'in' | 'notin' | 'error';

const SYMBOLS = new Set(['=', '!', '(', ')', ',', '>', '<']);
const LITERALS: Record<string, Tok> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  '<': '<',
  '!=': '!=',
  '(': '(',
  in: 'in',
  notin: 'notin',
};
const isSpace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';

function lex(s: string): { tok: Tok; lit: string }[] {
  const items: { tok: Tok; lit: string }[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isSpace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    if (SYMBOLS.has(s[pos])) {
      // Longest operator made of symbol characters: `!=`, `==`, `=`, `!`, ...
      let buf = '';
      let last: { tok: Tok; lit: string } | undefined;
      while (pos < s.length && SYMBOLS.has(s[pos])) {
        const next = buf + s[pos];
        if (LITERALS[next] && next !== 'in' && next !== 'notin') {
          buf = next;
          last = { tok: LITERALS[next], lit: next };
          pos++;
        } else if (last) {
          break;
        } else {
          buf = next;
          pos++;
        }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
      continue;
    }
    let buf = '';
    while (pos < s.length && !SYMBOLS.has(s[pos]) && !isSpace(s[pos])) buf += s[pos++];
    items.push({ tok: buf === 'in' || buf === 'notin' ? LITERALS[buf] : 'ident', lit: buf });
  }
}

class LabelParser {
  private readonly items: { tok: Tok; lit: string }[];
  private pos = 0;

  constructor(s: string) {
    this.items = lex(s);
  }

  /** In value context `in`/`notin` are plain identifiers (`x in (in)` is legal). */
  private peek(values = true): { tok: Tok; lit: string } {
    const it = this.items[this.pos];
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'ident', lit: it.lit } : it;
  }

  private next(values = true): { tok: Tok; lit: string } {
    const it = this.peek(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek();
      if (tok === 'end') return reqs;
      if (tok !== 'ident' && tok !== '!')
        throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
      let r: Requirement;
      try {
        r = this.requirement();
      } catch (e) {
        throw new Error(`unable to parse requirement: ${(e as Error).message}`);
      }
      reqs.push(r);
      const after = this.next();
      if (after.tok === 'end') return reqs;
      if (after.tok !== ',') throw new Error(`found '${after.lit}', expected: ',' or 'end of string'`);
      const t2 = this.peek();
      if (t2.tok !== 'ident' && t2.tok !== '!')
        throw new Error(`found '${t2.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let first = this.next();
    let negated = false;
    if (first.tok === '!') {
      negated = true;
      first = this.next();
    }
    if (first.tok !== 'ident') throw new Error(`found '${first.lit}', expected: identifier`);
    const key = first.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) throw new Error(`key: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
    const la = this.peek();
    if (negated || la.tok === 'end' || la.tok === ',') {
      // `!key` takes no operator; anything after it is reported by parse() as a missing ','.
      return { key, op: negated ? '!' : 'exists', values: [] };
    }
    const opTok = this.next(false);
    let op: Operator;
    switch (opTok.tok) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
      case '>':
      case '<':
        op = opTok.tok;
        break;
      default:
        throw new Error(`found '${opTok.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    const values = op === 'in' || op === 'notin' ? this.valueSet() : this.exactValue();
    this.checkValues(key, op, values);
    return { key, op, values };
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.tok !== '(') throw new Error(`found '${open.lit}' expected: '('`);
    const la = this.peek();
    if (la.tok === ')') {
      this.next();
      return [''];
    }
    if (la.tok !== 'ident' && la.tok !== ',')
      throw new Error(`found '${la.lit}', expected: ',', ')' or identifier`);
    const set = new Set<string>();
    for (;;) {
      const t = this.next();
      if (t.tok === 'ident') {
        set.add(t.lit);
        const t2 = this.peek();
        if (t2.tok === ',') continue;
        if (t2.tok === ')') break;
        throw new Error(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (t.tok === ',') {
        // `(,a)`, `(a,,b)` and `(a,)` each contribute the empty value.
        if (set.size === 0) set.add('');
        const t2 = this.peek();
        if (t2.tok === ')') {
          set.add('');
          break;
        }
        if (t2.tok === ',') set.add('');
      } else {
        throw new Error(`found '${t.lit}', expected: ',', or identifier`);
      }
    }
    this.next(); // ')'
    return [...set].sort();
  }

  private exactValue(): string[] {
    const la = this.peek();
    if (la.tok === 'end' || la.tok === ',') return [''];
    const t = this.next();
    if (t.tok === 'ident') return [t.lit];
    throw new Error(`found '${t.lit}', expected: identifier`);
  }

  private checkValues(key: string, op: Operator, values: string[]): void {
    if ((op === '>' || op === '<') && !/^-?\d+$/.test(values[0])) {
      throw new Error(
        `values[0]: Invalid value: ${JSON.stringify(values[0])}: for 'Gt', 'Lt' operators, the value must be an integer`,
      );
    }
    values.forEach((v, i) => {
      const errs = isValidLabelValue(v);
      if (errs.length)
        throw new Error(`values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`);
    });
  }
}

/** Parse `?labelSelector=`; an empty or absent string selects everything. Syntax errors → 400 BadRequest. */
export function parseLabelSelector(s: string | undefined): LabelMatcher {
  if (!s || !s.trim()) return matcherOf([]);
  try {
    return matcherOf(new LabelParser(s).parse());
  } catch (e) {
    throw badRequest((e as Error).message);
  }
}

/** A metav1.LabelSelector (matchLabels AND matchExpressions). Empty or undefined selects everything. */
export function labelSelectorMatcher(sel: LabelSelector | undefined): LabelMatcher {
  if (!sel) return matcherOf([]);
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {}))
    reqs.push({ key, op: '=', values: [value] });
  for (const expr of sel.matchExpressions ?? []) {
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return NOTHING;
        reqs.push({ key: expr.key, op: expr.operator === 'In' ? 'in' : 'notin', values });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) return NOTHING;
        reqs.push({ key: expr.key, op: expr.operator === 'Exists' ? 'exists' : '!', values: [] });
        break;
      default:
        return NOTHING;
    }
  }
  return matcherOf(reqs);
}

/** The selector as a string (`app=web,tier in (fe)`), e.g. for Scale.status.selector; '' when empty. */
export function labelSelectorToString(sel: LabelSelector): string {
  return labelSelectorMatcher(sel).toString();
}

/** metav1.FormatLabelSelector, for printer columns: like labelSelectorToString but `<none>` when empty. */
export function formatLabelSelector(sel: LabelSelector | undefined): string {
  return labelSelectorMatcher(sel).toString() || '<none>';
}

// ---- field selectors ------------------------------------------------------------------------------------

export interface FieldMatcher {
  matches(fields: Record<string, string>): boolean;
  empty: boolean;
  /** The field names the selector mentions (the server rejects names a resource does not support). */
  fieldNames: string[];
}

interface FieldTerm {
  field: string;
  value: string;
  negate: boolean;
}

/** Split on commas not escaped by a backslash. */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === ',') {
      terms.push(cur);
      cur = '';
    } else {
      cur += s[i];
    }
  }
  terms.push(cur);
  return terms;
}

function unescapeValue(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i];
    if (ch === '\\') {
      const next = v[i + 1];
      if (next !== '\\' && next !== ',' && next !== '=')
        throw badRequest(`invalid field selector: invalid escape sequence: \\${next ?? ''}`);
      out += next;
      i++;
    } else if (ch === ',' || ch === '=') {
      throw badRequest(`invalid field selector: unescaped character in value: ${ch}`);
    } else {
      out += ch;
    }
  }
  return out;
}

/** Parse `?fieldSelector=`: `f=v`, `f==v`, `f!=v`, comma = AND. A field an object lacks counts as "". */
export function parseFieldSelector(s: string | undefined): FieldMatcher {
  const terms: FieldTerm[] = [];
  for (const part of splitTerms(s ?? '')) {
    if (part === '') continue;
    const m = /^(.*?)(!=|==|=)(.*)$/s.exec(part);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const [, field, op, rhs] = m;
    terms.push({ field: field.trim(), value: unescapeValue(rhs.trim()), negate: op === '!=' });
  }
  return {
    matches: (fields) => terms.every((t) => ((fields[t.field] ?? '') === t.value) !== t.negate),
    empty: terms.length === 0,
    fieldNames: [...new Set(terms.map((t) => t.field))],
  };
}

/** The fields a fieldSelector can see on an object: metadata.name, metadata.namespace, and the kind's own. */
export function objectFields(def: ResourceDef, obj: KubeObject): Record<string, string> {
  return {
    'metadata.name': obj.metadata?.name ?? '',
    ...(def.namespaced ? { 'metadata.namespace': obj.metadata?.namespace ?? '' } : {}),
    ...(def.fields?.(obj) ?? {}),
  };
}
