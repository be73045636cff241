// The pod-template-hash that names a Deployment's ReplicaSets (`web-7d4b9c5f8`), after Kubernetes'
// controller.ComputeHash: FNV-1a (32 bit) over the template, printed in decimal and re-spelled with
// rand.SafeEncodeString's vowel-free alphabet. Kubernetes hashes its Go structs, in which an absent field and an
// empty one are the same value; skiff holds plain JSON, so the template is normalized first (see
// normalizeTemplate). That is what makes `kubectl rollout undo`, whose body is the old ReplicaSet's template
// re-encoded by Go (with `creationTimestamp: null` and `resources: {}`), map back to that same ReplicaSet.
// DaemonSets and StatefulSets may use the same functions for their controller-revision hashes.
import { parseQuantity } from '../../api/quantity.js';
import type { PodTemplateSpec } from '../../api/types.js';

/** The label (and selector term) a Deployment adds to each ReplicaSet and its pods. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** k8s.io/apimachinery/pkg/util/rand: no vowels (no words), no 0/1/3 (look like letters). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** String maps whose entries keep an empty value ("" is a valid label value; Go keeps map entries). */
const STRING_MAPS = new Set(['labels', 'annotations', 'nodeSelector', 'matchLabels']);
/** Quantity maps: `0.5` and `500m` are the same quantity (Go re-encodes it canonically). */
const QUANTITY_MAPS = new Set(['limits', 'requests', 'capacity']);
/**
 * Non-pointer fields Go omits when zero (`omitempty` on a plain bool/int32), so `false`/`0` there equals absent.
 * Pointer fields (`privileged`, `runAsNonRoot`, `terminationGracePeriodSeconds`…) keep their zero: setting them is
 * a real change.
 */
const OMITTED_WHEN_ZERO = new Set([
  'hostNetwork',
  'hostPID',
  'hostIPC',
  'stdin',
  'stdinOnce',
  'tty',
  'readOnly',
  'hostPort',
  'initialDelaySeconds',
]);

/**
 * The template as a canonical JSON value: null/undefined, empty strings, empty objects and empty arrays dropped
 * (recursively: `metadata: {creationTimestamp: null}` disappears), Go's omitted zero values dropped, quantities
 * compared by value, and the pod-template-hash label ignored. Array order is kept (containers are ordered).
 */
export function normalizeTemplate(template: PodTemplateSpec | undefined): unknown {
  const copy = structuredClone(template ?? {}) as { metadata?: { labels?: Record<string, string> } };
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return normalizeValue(copy, '') ?? {};
}

function normalizeValue(value: unknown, key: string, parentKey = ''): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => normalizeValue(v, '') ?? {});
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = normalizeValue((value as Record<string, unknown>)[k], k, key);
      if (v !== undefined) out[k] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (QUANTITY_MAPS.has(parentKey) && (typeof value === 'string' || typeof value === 'number')) {
    const n = parseQuantity(value);
    return Number.isNaN(n) ? value : n;
  }
  if (value === '' && !STRING_MAPS.has(parentKey)) return undefined;
  if ((value === false || value === 0) && OMITTED_WHEN_ZERO.has(key)) return undefined;
  return value;
}

/** JSON with object keys sorted at every level (normalizeTemplate already sorts; this is for any value). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** Kubernetes' EqualIgnoreHash, on normalized templates. */
export function templatesEqualIgnoringHash(
  a: PodTemplateSpec | undefined,
  b: PodTemplateSpec | undefined,
): boolean {
  return canonicalJson(normalizeTemplate(a)) === canonicalJson(normalizeTemplate(b));
}

/** FNV-1a, 32 bit (Go's hash/fnv New32a), over `bytes`, continuing from `hash`. */
export function fnv32a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** rand.SafeEncodeString: each character re-spelled from the safe alphabet (by its code modulo 27). */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/**
 * The pod-template-hash of a template (up to 10 characters from `bcdfghjklmnpqrstvwxz2456789`). A Deployment's
 * `status.collisionCount`, when set, is mixed in as Kubernetes does (8 bytes, little-endian uint32 first), so a
 * hash collision with a foreign ReplicaSet is resolved by counting up.
 */
export function computeTemplateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(normalizeTemplate(template))));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}
