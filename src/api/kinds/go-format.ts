// Values as Go's `%#v` prints them. Kubernetes' field errors show an invalid map, label selector or
// int-or-string that way (`Invalid value: map[string]string{"app":"web"}: ...`), and kubectl users search for
// those exact texts, so the workload kinds reproduce them for the values where it matters.
import type { FieldError } from '../../common/errors.js';
import type { LabelSelector, LabelSelectorRequirement } from '../types.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's %q for a string (JSON quoting is the same for the printable ASCII labels are made of). */
export function goString(value: unknown): string {
  return JSON.stringify(String(value));
}

/** `map[string]string{"a":"1", "b":"2"}` (keys sorted, as fmt does), `map[string]string(nil)` when absent. */
export function goStringMap(map: unknown): string {
  if (!isObject(map)) return 'map[string]string(nil)';
  const entries = Object.keys(map)
    .sort()
    .map((k) => `${goString(k)}:${goString(map[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}

function goStringSlice(values: unknown): string {
  if (!Array.isArray(values)) return '[]string(nil)';
  return `[]string{${values.map(goString).join(', ')}}`;
}

function goRequirement(r: LabelSelectorRequirement): string {
  const req = isObject(r) ? r : ({} as Partial<LabelSelectorRequirement>);
  return `v1.LabelSelectorRequirement{Key:${goString(req.key ?? '')}, Operator:${goString(req.operator ?? '')}, Values:${goStringSlice(req.values)}}`;
}

/** `v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`. */
export function goLabelSelector(sel: LabelSelector | undefined): string {
  if (!isObject(sel)) return 'null';
  const exprs = Array.isArray(sel.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map(goRequirement).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** `intstr.IntOrString{Type:0, IntVal:1, StrVal:""}` for 1, `{Type:1, IntVal:0, StrVal:"25%"}` for "25%". */
export function goIntOrString(value: unknown): string {
  if (typeof value === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goString(value)}}`;
  return `intstr.IntOrString{Type:0, IntVal:${typeof value === 'number' ? value : 0}, StrVal:""}`;
}

/** field.Invalid with a value already printed Go-style. */
export function invalidGo(field: string, goValue: string, detail: string): FieldError {
  return { field, type: 'FieldValueInvalid', message: `Invalid value: ${goValue}: ${detail}` };
}
