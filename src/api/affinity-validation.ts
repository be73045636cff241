// Validation of a PodSpec's scheduling constraints (k8s.io/kubernetes/pkg/apis/core/validation: validateAffinity,
// ValidateNodeSelector, validatePodAffinityTerm, validateTopologySpreadConstraints): operators and value counts,
// weights, topology keys, label selectors. Messages and field paths are Kubernetes'.
import {
  duplicate,
  type FieldError,
  forbidden,
  invalidValue,
  notSupported,
  required,
} from '../common/errors.js';
import type { FieldPath } from './field-path.js';
import { validateLabelSelector } from './kinds/workload-validation.js';
import { isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue } from './validation.js';

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (p: FieldPath) => String(p);
const NOT_POSITIVE = 'must be greater than zero';

/** The list at `path`, or an error when the value is present but not a list. */
function list(v: unknown, path: FieldPath, errs: FieldError[]): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  errs.push(invalidValue(s(path), v, 'must be a list'));
  return [];
}

function labelName(key: unknown, path: FieldPath): FieldError[] {
  const k = typeof key === 'string' ? key : '';
  return isQualifiedName(k).map((msg) => invalidValue(s(path), k, msg));
}

function validateNodeSelectorRequirement(r: Record<string, any>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const values = list(r.values, path.child('values'), errs);
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        errs.push(
          required(
            s(path.child('values')),
            "Required value: must be specified when `operator` is 'In' or 'NotIn'",
          ),
        );
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0)
        errs.push(
          forbidden(
            s(path.child('values')),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1)
        errs.push(
          required(
            s(path.child('values')),
            "Required value: must be specified single value when `operator` is 'Lt' or 'Gt'",
          ),
        );
      break;
    default:
      errs.push(invalidValue(s(path.child('operator')), r.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...labelName(r.key, path.child('key')));
  values.forEach((v, i) => {
    for (const msg of isValidLabelValue(String(v)))
      errs.push(invalidValue(s(path.child('values').index(i)), v, msg));
  });
  return errs;
}

function validateNodeFieldSelectorRequirement(r: Record<string, any>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const values = list(r.values, path.child('values'), errs);
  if (r.operator === 'In' || r.operator === 'NotIn') {
    if (values.length !== 1)
      errs.push(
        required(
          s(path.child('values')),
          "Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
        ),
      );
  } else {
    errs.push(invalidValue(s(path.child('operator')), r.operator ?? '', 'not a valid selector operator'));
  }
  if (r.key !== 'metadata.name') {
    errs.push(invalidValue(s(path.child('key')), r.key ?? '', 'not a valid field selector key'));
  } else {
    values.forEach((v, i) => {
      for (const msg of isDns1123Subdomain(String(v)))
        errs.push(invalidValue(s(path.child('values').index(i)), v, msg));
    });
  }
  return errs;
}

function validateNodeSelectorTerm(term: unknown, path: FieldPath): FieldError[] {
  if (!isObject(term)) return [invalidValue(s(path), term, 'must be an object')];
  const errs: FieldError[] = [];
  for (const [field, check] of [
    ['matchExpressions', validateNodeSelectorRequirement],
    ['matchFields', validateNodeFieldSelectorRequirement],
  ] as const) {
    list(term[field], path.child(field), errs).forEach((r, i) => {
      const p = path.child(field).index(i);
      errs.push(...(isObject(r) ? check(r, p) : [invalidValue(s(p), r, 'must be an object')]));
    });
  }
  return errs;
}

function validateWeight(weight: unknown, path: FieldPath): FieldError[] {
  const ok = typeof weight === 'number' && Number.isInteger(weight) && weight >= 1 && weight <= 100;
  return ok ? [] : [invalidValue(s(path), weight ?? 0, 'must be in the range 1-100')];
}

function validateNodeAffinity(na: Record<string, any>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const req = na.requiredDuringSchedulingIgnoredDuringExecution;
  if (req !== undefined && req !== null) {
    const p = path.child('requiredDuringSchedulingIgnoredDuringExecution');
    if (!isObject(req)) errs.push(invalidValue(s(p), req, 'must be an object'));
    else {
      const terms = list(req.nodeSelectorTerms, p.child('nodeSelectorTerms'), errs);
      if (terms.length === 0 && Array.isArray(req.nodeSelectorTerms ?? []))
        errs.push(
          required(
            s(p.child('nodeSelectorTerms')),
            'Required value: must have at least one node selector term',
          ),
        );
      terms.forEach((t, i) =>
        errs.push(...validateNodeSelectorTerm(t, p.child('nodeSelectorTerms').index(i))),
      );
    }
  }
  const pp = path.child('preferredDuringSchedulingIgnoredDuringExecution');
  list(na.preferredDuringSchedulingIgnoredDuringExecution, pp, errs).forEach((t, i) => {
    const p = pp.index(i);
    if (!isObject(t)) return void errs.push(invalidValue(s(p), t, 'must be an object'));
    errs.push(...validateWeight(t.weight, p.child('weight')));
    errs.push(...validateNodeSelectorTerm(t.preference ?? {}, p.child('preference')));
  });
  return errs;
}

function validateLabelKeys(keys: unknown, selector: unknown, path: FieldPath, errs: FieldError[]): string[] {
  const ks = list(keys, path, errs).map(String);
  if (ks.length === 0) return ks;
  if (selector === undefined || selector === null) {
    errs.push(forbidden(s(path), 'must not be specified when labelSelector is not set'));
    return ks;
  }
  ks.forEach((k, i) => errs.push(...labelName(k, path.index(i))));
  return ks;
}

function validatePodAffinityTerm(t: unknown, path: FieldPath): FieldError[] {
  if (!isObject(t)) return [invalidValue(s(path), t, 'must be an object')];
  const errs = [
    ...validateLabelSelector(t.labelSelector, path.child('labelSelector')),
    ...validateLabelSelector(t.namespaceSelector, path.child('namespaceSelector')),
  ];
  for (const ns of list(t.namespaces, path.child('namespaces'), errs)) {
    for (const msg of isDns1123Label(String(ns)))
      errs.push(invalidValue(s(path.child('namespace')), ns, msg));
  }
  const match = validateLabelKeys(t.matchLabelKeys, t.labelSelector, path.child('matchLabelKeys'), errs);
  const mismatch = new Set(
    validateLabelKeys(t.mismatchLabelKeys, t.labelSelector, path.child('mismatchLabelKeys'), errs),
  );
  match.forEach((k, i) => {
    if (mismatch.has(k))
      errs.push(
        invalidValue(
          s(path.child('matchLabelKeys').index(i)),
          k,
          'exists in both matchLabelKeys and mismatchLabelKeys',
        ),
      );
  });
  if (!t.topologyKey) errs.push(required(s(path.child('topologyKey')), 'Required value: can not be empty'));
  errs.push(...labelName(t.topologyKey, path.child('topologyKey')));
  return errs;
}

function validatePodAffinity(pa: Record<string, any>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const rp = path.child('requiredDuringSchedulingIgnoredDuringExecution');
  list(pa.requiredDuringSchedulingIgnoredDuringExecution, rp, errs).forEach((t, i) =>
    errs.push(...validatePodAffinityTerm(t, rp.index(i))),
  );
  const pp = path.child('preferredDuringSchedulingIgnoredDuringExecution');
  list(pa.preferredDuringSchedulingIgnoredDuringExecution, pp, errs).forEach((t, i) => {
    const p = pp.index(i);
    if (!isObject(t)) return void errs.push(invalidValue(s(p), t, 'must be an object'));
    errs.push(...validateWeight(t.weight, p.child('weight')));
    errs.push(...validatePodAffinityTerm(t.podAffinityTerm ?? {}, p.child('podAffinityTerm')));
  });
  return errs;
}

/** spec.affinity: node affinity, pod affinity and pod anti-affinity. */
export function validateAffinity(affinity: unknown, path: FieldPath): FieldError[] {
  if (affinity === undefined || affinity === null) return [];
  if (!isObject(affinity)) return [invalidValue(s(path), affinity, 'must be an object')];
  const errs: FieldError[] = [];
  const parts = [
    ['nodeAffinity', validateNodeAffinity],
    ['podAffinity', validatePodAffinity],
    ['podAntiAffinity', validatePodAffinity],
  ] as const;
  for (const [field, check] of parts) {
    const v = affinity[field];
    if (v === undefined || v === null) continue;
    errs.push(
      ...(isObject(v)
        ? check(v, path.child(field))
        : [invalidValue(s(path.child(field)), v, 'must be an object')]),
    );
  }
  return errs;
}

const ACTIONS = ['DoNotSchedule', 'ScheduleAnyway'];
const POLICIES = ['Honor', 'Ignore'];

/** spec.topologySpreadConstraints. */
export function validateTopologySpreadConstraints(constraints: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const all = list(constraints, path, errs);
  all.forEach((c, i) => {
    const p = path.index(i);
    if (!isObject(c)) return void errs.push(invalidValue(s(p), c, 'must be an object'));
    if (!(typeof c.maxSkew === 'number' && Number.isInteger(c.maxSkew) && c.maxSkew > 0))
      errs.push(invalidValue(s(p.child('maxSkew')), c.maxSkew ?? 0, NOT_POSITIVE));
    if (!c.topologyKey) errs.push(required(s(p.child('topologyKey')), 'Required value: can not be empty'));
    if (!ACTIONS.includes(c.whenUnsatisfiable))
      errs.push(notSupported(s(p.child('whenUnsatisfiable')), c.whenUnsatisfiable ?? '', ACTIONS));
    const repeated = all
      .slice(i + 1)
      .some(
        (o) => isObject(o) && o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable,
      );
    if (repeated)
      errs.push(
        duplicate(
          s(p.child('{topologyKey, whenUnsatisfiable}')),
          `{${c.topologyKey}, ${c.whenUnsatisfiable}}`,
        ),
      );
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (!(typeof c.minDomains === 'number' && Number.isInteger(c.minDomains) && c.minDomains > 0))
        errs.push(invalidValue(s(p.child('minDomains')), c.minDomains, NOT_POSITIVE));
      if (c.whenUnsatisfiable !== 'DoNotSchedule')
        errs.push(
          invalidValue(
            s(p.child('minDomains')),
            c.minDomains,
            `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable ?? ''}`,
          ),
        );
    }
    for (const field of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      const v = c[field];
      if (v !== undefined && v !== null && !POLICIES.includes(v))
        errs.push(notSupported(s(p.child(field)), v, POLICIES));
    }
    const keys = validateLabelKeys(c.matchLabelKeys, c.labelSelector, p.child('matchLabelKeys'), errs);
    if (isObject(c.labelSelector)) {
      const selectorKeys = new Set([
        ...Object.keys(isObject(c.labelSelector.matchLabels) ? c.labelSelector.matchLabels : {}),
        ...(Array.isArray(c.labelSelector.matchExpressions)
          ? c.labelSelector.matchExpressions.map((e: { key?: string }) => e?.key)
          : []),
      ]);
      keys.forEach((k, j) => {
        if (selectorKeys.has(k))
          errs.push(
            invalidValue(
              s(p.child('matchLabelKeys').index(j)),
              k,
              'exists in both matchLabelKeys and labelSelector',
            ),
          );
      });
    }
    errs.push(...validateLabelSelector(c.labelSelector, p.child('labelSelector')));
  });
  return errs;
}
