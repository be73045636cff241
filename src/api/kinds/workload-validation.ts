// Validation rules the workload kinds share (k8s.io/kubernetes/pkg/apis/apps/validation and
// k8s.io/apimachinery/pkg/apis/meta/v1/validation): label selectors and whether they match the pod template,
// pod templates (validated like pods, with the template's restartPolicy rules), int-or-percent fields, and
// immutable selectors. Messages and field paths are Kubernetes', so kubectl prints familiar errors.
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../common/errors.js';
import type { FieldPath } from '../field-path.js';
import { jsonEqual } from '../object-meta.js';
import { validatePodSpec } from '../pod-spec-validation.js';
import { labelSelectorMatcher } from '../selectors.js';
import type { LabelSelector, PodSpec, PodTemplateSpec, Volume } from '../types.js';
import { isQualifiedName, isValidLabelValue, regexError, validateLabels } from '../validation.js';
import { goIntOrString, goLabelSelector, goStringMap, invalidGo } from './go-format.js';

export const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (p: FieldPath) => String(p);

// ---- label selectors ------------------------------------------------------------------------------------

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** metav1 ValidateLabelSelector: label syntax of matchLabels and of every requirement. */
export function validateLabelSelector(sel: unknown, path: FieldPath): FieldError[] {
  if (sel === undefined || sel === null) return [];
  if (!isObject(sel)) return [invalidValue(s(path), sel, 'must be a label selector object')];
  const errs = validateLabels(sel.matchLabels, path.child('matchLabels'));
  const exprs = sel.matchExpressions;
  if (exprs === undefined || exprs === null) return errs;
  if (!Array.isArray(exprs))
    return [...errs, invalidValue(s(path.child('matchExpressions')), exprs, 'must be a list')];
  exprs.forEach((r: unknown, i) => {
    const p = path.child('matchExpressions').index(i);
    if (!isObject(r)) return void errs.push(invalidValue(s(p), r, 'must be an object'));
    const values = Array.isArray(r.values) ? (r.values as unknown[]) : [];
    if (r.operator === 'In' || r.operator === 'NotIn') {
      if (values.length === 0) {
        errs.push(
          required(
            s(p.child('values')),
            "Required value: must be specified when `operator` is 'In' or 'NotIn'",
          ),
        );
      }
    } else if (r.operator === 'Exists' || r.operator === 'DoesNotExist') {
      if (values.length > 0) {
        errs.push(
          forbidden(
            s(p.child('values')),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      }
    } else {
      errs.push(invalidValue(s(p.child('operator')), r.operator ?? '', 'not a valid selector operator'));
    }
    const key = typeof r.key === 'string' ? r.key : '';
    for (const msg of isQualifiedName(key)) errs.push(invalidValue(s(p.child('key')), key, msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(String(v)))
        errs.push(invalidValue(s(p.child('values').index(j)), v, msg));
    });
  });
  return errs;
}

/** Whether metav1.LabelSelectorAsSelector would accept the selector (undefined counts: it selects nothing). */
export function selectorConvertible(sel: unknown): boolean {
  if (sel === undefined || sel === null) return true;
  if (!isObject(sel)) return false;
  if (sel.matchLabels !== undefined && sel.matchLabels !== null && !isObject(sel.matchLabels)) return false;
  const exprs = sel.matchExpressions ?? [];
  if (!Array.isArray(exprs)) return false;
  return exprs.every((r: unknown) => {
    if (!isObject(r) || !OPERATORS.includes(r.operator)) return false;
    const n = Array.isArray(r.values) ? r.values.length : 0;
    return r.operator === 'In' || r.operator === 'NotIn' ? n > 0 : n === 0;
  });
}

/** True for a present selector with no requirements (it selects everything). */
export function selectorIsEmpty(sel: LabelSelector | undefined): boolean {
  if (!isObject(sel)) return false;
  const labels = isObject(sel.matchLabels) ? Object.keys(sel.matchLabels).length : 0;
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0;
  return labels + exprs === 0;
}

/** Kubernetes semantics: an absent selector selects nothing, an empty one everything. */
export function selectorMatches(sel: LabelSelector | undefined, labels: unknown): boolean {
  if (!isObject(sel)) return false;
  return labelSelectorMatcher(sel).matches(isObject(labels) ? (labels as Record<string, string>) : {});
}

/**
 * The selector of a Deployment, ReplicaSet or StatefulSet: required, non-empty, well-formed. `word` is the kind
 * as Kubernetes' message names it (ReplicaSets say "deployment" there, as Kubernetes does).
 */
export function validateRequiredSelector(sel: unknown, path: FieldPath, word: string): FieldError[] {
  if (sel === undefined || sel === null) return [required(s(path))];
  const errs = validateLabelSelector(sel, path);
  if (isObject(sel) && selectorIsEmpty(sel as LabelSelector)) {
    errs.push(
      invalidGo(s(path), goLabelSelector(sel as LabelSelector), `empty selector is invalid for ${word}`),
    );
  }
  return errs;
}

/** `spec.template.metadata.labels: Invalid value: map[string]string{…}: `selector` does not match template `labels``. */
export function selectorMismatch(sel: unknown, template: unknown, path: FieldPath): FieldError[] {
  if (!selectorConvertible(sel)) return [];
  const labels = isObject(template) && isObject(template.metadata) ? template.metadata.labels : undefined;
  if (selectorMatches(sel as LabelSelector, labels)) return [];
  return [
    invalidGo(
      s(path.child('metadata', 'labels')),
      goStringMap(labels),
      '`selector` does not match template `labels`',
    ),
  ];
}

/** apps/v1 selectors cannot change after creation. */
export function immutableSelector(sel: unknown, old: unknown, path: FieldPath): FieldError[] {
  if (jsonEqual(sel ?? null, old ?? null)) return [];
  return [invalidGo(s(path), goLabelSelector(sel as LabelSelector), 'field is immutable')];
}

// ---- pod templates -------------------------------------------------------------------------------------

export interface TemplateRules {
  /** Volumes the workload adds to every pod (a StatefulSet's volumeClaimTemplates), so mounts of them resolve. */
  extraVolumes?: Volume[];
}

function validateAnnotationKeys(annotations: unknown, path: FieldPath): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isObject(annotations))
    return [invalidValue(s(path), annotations, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalidValue(s(path), k, msg));
    if (typeof v !== 'string') errs.push(invalidValue(s(path), v, 'must be a string'));
  }
  return errs;
}

/** An image may be left out of a template (Kubernetes requires it only when a pod is created). */
const isMissingImage = (e: FieldError) => e.type === 'FieldValueRequired' && e.field.endsWith('.image');

/** ValidatePodTemplateSpec: the template's labels and annotations, then its pod spec as for a pod. */
export function validatePodTemplate(
  template: unknown,
  path: FieldPath,
  rules: TemplateRules = {},
): FieldError[] {
  if (!isObject(template)) return [required(s(path))];
  const meta = isObject(template.metadata) ? template.metadata : {};
  // Kubernetes reports template labels at `<path>.labels` (not `.metadata.labels`).
  const errs = [
    ...validateLabels(meta.labels, path.child('labels')),
    ...validateAnnotationKeys(meta.annotations, path.child('annotations')),
  ];
  let spec = template.spec as PodSpec | undefined;
  const extra = rules.extraVolumes ?? [];
  if (isObject(spec) && extra.length > 0) {
    const own = Array.isArray(spec.volumes) ? spec.volumes : [];
    const names = new Set(own.map((v) => (isObject(v) ? v.name : undefined)));
    spec = { ...spec, volumes: [...own, ...extra.filter((v) => !names.has(v.name))] };
  }
  errs.push(...validatePodSpec(spec, path.child('spec')).filter((e) => !isMissingImage(e)));
  return errs;
}

/** Deployments, ReplicaSets, DaemonSets and StatefulSets run pods forever: restartPolicy Always, no deadline. */
export function validateAlwaysRestart(template: unknown, path: FieldPath, kind: string): FieldError[] {
  if (!isObject(template) || !isObject(template.spec)) return [];
  const spec = template.spec as PodSpec;
  const errs: FieldError[] = [];
  if (spec.restartPolicy !== 'Always') {
    errs.push(notSupported(s(path.child('spec', 'restartPolicy')), spec.restartPolicy ?? '', ['Always']));
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    errs.push(
      forbidden(
        s(path.child('spec', 'activeDeadlineSeconds')),
        `activeDeadlineSeconds in ${kind} is not Supported`,
      ),
    );
  }
  return errs;
}

/** The template's labels, for rows and checks; {} when absent. */
export function templateLabels(template: PodTemplateSpec | undefined): Record<string, string> {
  return isObject(template) && isObject(template.metadata) && isObject(template.metadata.labels)
    ? (template.metadata.labels as Record<string, string>)
    : {};
}

// ---- int-or-percent (maxSurge, maxUnavailable) ----------------------------------------------------------

const PERCENT_FMT = '[0-9]+%';
const PERCENT_RE = new RegExp(`^${PERCENT_FMT}$`);
const PERCENT_MSG = regexError(
  "a valid percent string must be a numeric string followed by an ending '%'",
  PERCENT_FMT,
  '1%',
  '93%',
);

/** getIntOrPercentValue: 3 → 3, "25%" → 25, anything else → its integer value or 0. */
export function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return Number.isInteger(v) ? v : 0;
  if (typeof v !== 'string') return 0;
  if (PERCENT_RE.test(v)) return Number(v.slice(0, -1));
  return /^[+-]?\d+$/.test(v) ? Number(v) : 0;
}

/** ValidatePositiveIntOrPercent: a non-negative integer or a percent string. */
export function validateIntOrPercent(v: unknown, path: FieldPath): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string')
    return PERCENT_RE.test(v) ? [] : [invalidGo(s(path), goIntOrString(v), PERCENT_MSG)];
  if (typeof v === 'number' && Number.isInteger(v)) {
    return v < 0 ? [invalidValue(s(path), v, 'must be greater than or equal to 0')] : [];
  }
  // Kubernetes' message has a doubled percent sign (it is not passed through Sprintf).
  return [invalidValue(s(path), v, "must be an integer or percentage (e.g '5%%')")];
}

export function validateNotMoreThan100Percent(v: unknown, path: FieldPath): FieldError[] {
  if (typeof v !== 'string' || !PERCENT_RE.test(v) || intOrPercentValue(v) <= 100) return [];
  return [invalidGo(s(path), goIntOrString(v), 'must not be greater than 100%')];
}

/** ValidateNonnegativeField for each named numeric field of `obj` that is set. */
export function validateNonNegativeFields(obj: unknown, path: FieldPath, names: string[]): FieldError[] {
  if (!isObject(obj)) return [];
  const errs: FieldError[] = [];
  for (const name of names) {
    const v = obj[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      errs.push(invalidValue(s(path.child(name)), v, 'must be greater than or equal to 0'));
    }
  }
  return errs;
}
