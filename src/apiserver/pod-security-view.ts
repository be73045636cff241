// The shapes the Pod Security checks share (pod-security-checks.ts): a pod seen as plain JSON, and the
// message helpers of upstream's policy package (joinQuote, pluralize). Defensive: a check never assumes more of
// the object than JSON; values that are not strings are shown as JSON, never with String() (shown.ts).
import { shown } from './shown.js';

export type Json = Record<string, unknown>;

export interface PodView {
  annotations: Json;
  spec: Json;
  podSc: Json;
  /** containers, initContainers and ephemeralContainers, in that order (upstream's visitContainers). */
  containers: Json[];
}

export interface Check {
  /** Upstream's check ID. */
  id: string;
  /** Baseline checks a restricted check replaces at the restricted level. */
  overrides?: string[];
  run(pod: PodView): { reason: string; detail: string } | undefined;
}

export const asObject = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asString = (v: unknown): string => (v === undefined || v === null ? '' : shown(v));
export const sc = (c: Json): Json => asObject(c.securityContext);
export const nameOf = (c: Json): string => asString(c.name);

export const joinQuote = (items: string[]): string => (items.length === 0 ? '' : `"${items.join('", "')}"`);
export const pluralize = (singular: string, plural: string, n: number): string =>
  n === 1 ? singular : plural;
export const sorted = (items: Iterable<string>): string[] => [...new Set(items)].sort();
export const containerList = (names: string[]): string =>
  `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
/** `pod and containers "a", "b"` — who set a forbidden value. */
export const setters = (pod: boolean, names: string[]): string =>
  [...(pod ? ['pod'] : []), ...(names.length > 0 ? [containerList(names)] : [])].join(' and ');

export const isSafeProfile = (type: string) => type === 'RuntimeDefault' || type === 'Localhost';

export function podView(metadata: unknown, spec: unknown): PodView {
  const s = asObject(spec);
  return {
    annotations: asObject(asObject(metadata).annotations),
    spec: s,
    podSc: asObject(s.securityContext),
    containers: [s.containers, s.initContainers, s.ephemeralContainers].flatMap((l) =>
      asArray(l).map(asObject),
    ),
  };
}
