// Label selectors as the scheduler's plugins use them (metav1.LabelSelectorAsSelector and labels.Selector):
// compiled once per selector object, able to say which index lookups can narrow a search, and mergeable
// (topology spread's matchLabelKeys, the default spreading selector built from Services and owners).
//   undefined selector → Nothing (selects no pod)    {} → Everything    malformed → Nothing
import type { LabelSelector } from '../api/types.js';

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface Requirement {
  key: string;
  operator: Operator;
  values: readonly string[];
}

export interface Selector {
  /** The ANDed requirements (empty for Everything and Nothing). */
  readonly requirements: readonly Requirement[];
  /** Selects every label set (no requirements). */
  readonly everything: boolean;
  /** Selects no label set. */
  readonly nothing: boolean;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
}

function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = hasLabel(labels, r.key);
  switch (r.operator) {
    case 'In':
      return has && r.values.includes(labels[r.key]);
    case 'NotIn':
      return !has || !r.values.includes(labels[r.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** Whether the label set has the key (an own property: label keys are user data). */
export function hasLabel(labels: Readonly<Record<string, string>> | undefined, key: string): boolean {
  return !!labels && Object.prototype.hasOwnProperty.call(labels, key);
}

const EMPTY_LABELS: Readonly<Record<string, string>> = Object.freeze({});

export const NOTHING: Selector = Object.freeze({
  requirements: [],
  everything: false,
  nothing: true,
  matches: () => false,
});

export const EVERYTHING: Selector = Object.freeze({
  requirements: [],
  everything: true,
  nothing: false,
  matches: () => true,
});

/** A selector ANDing the requirements. */
export function selectorOf(requirements: readonly Requirement[]): Selector {
  if (requirements.length === 0) return EVERYTHING;
  return {
    requirements,
    everything: false,
    nothing: false,
    matches(labels) {
      const l = labels ?? EMPTY_LABELS;
      for (const r of requirements) if (!requirementMatches(r, l)) return false;
      return true;
    },
  };
}

/** `k = v` for each entry (labels.SelectorFromSet). */
export function setRequirements(set: Readonly<Record<string, string>>): Requirement[] {
  return Object.entries(set).map(([key, v]) => ({ key, operator: 'In', values: [v] }));
}

/** The requirements of a LabelSelector, or undefined when it is malformed (bad operator or value count). */
export function labelSelectorRequirements(sel: LabelSelector): Requirement[] | undefined {
  const out = setRequirements(sel.matchLabels ?? {});
  for (const e of sel.matchExpressions ?? []) {
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return undefined;
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) return undefined;
        break;
      default:
        return undefined;
    }
    out.push({ key: e.key, operator: e.operator, values });
  }
  return out;
}

const compiled = new WeakMap<LabelSelector, Selector>();

/** metav1.LabelSelectorAsSelector, memoized per selector object (objects from informers are never mutated). */
export function compileSelector(sel: LabelSelector | undefined | null): Selector {
  if (!sel || typeof sel !== 'object') return NOTHING;
  let s = compiled.get(sel);
  if (!s) {
    const reqs = labelSelectorRequirements(sel);
    s = reqs ? selectorOf(reqs) : NOTHING;
    compiled.set(sel, s);
  }
  return s;
}
