// Client-side apply, the way kubectl does it (KUBECTL-API.md §9.1–9.2): the object is stored with its file form in
// the `kubectl.kubernetes.io/last-applied-configuration` annotation, and a later apply sends a strategic merge patch
// computed three ways — fields that changed between the live object and the file, plus `null` / `$patch: delete`
// for what the previous apply set and the file no longer has. Fields other writers added are left alone.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/types.js';
import { patchSchemaFor, type PatchField, type PatchSchema } from '../api/patch-schema.js';
import { goJson } from './go-json.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

type Json = null | boolean | number | string | Json[] | JsonMap;
interface JsonMap {
  [key: string]: Json;
}

/**
 * The object to send (create) or to diff against (patch): the file's object, its namespace filled in, with the
 * last-applied annotation holding the file's object itself (annotations minus that one), byte for byte as kubectl
 * writes it (Go JSON, sorted keys, an `annotations: {}` even when empty, a final newline).
 */
export function withLastApplied(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  const annotations = { ...(copy.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED_ANNOTATION];
  copy.metadata.annotations = annotations;
  const recorded = goJson(copy) + '\n';
  copy.metadata.annotations = { ...annotations, [LAST_APPLIED_ANNOTATION]: recorded };
  return copy;
}

/** The configuration the previous apply recorded on `live`, if any. */
export function lastApplied(live: KubeObject): KubeObject | undefined {
  const text = live.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as KubeObject) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The strategic merge patch taking `current` (live) to `modified` (file + annotation), deleting what `original`
 * (the last applied file) had and `modified` dropped. `{}` means nothing to change.
 */
export function threeWayPatch(
  original: KubeObject | undefined,
  modified: KubeObject,
  current: KubeObject,
): Record<string, unknown> {
  const o = asMap(original);
  const schema = patchSchemaFor(modified.kind);
  return diffMaps(
    o && stripNulls(o),
    stripNulls(modified as unknown as JsonMap),
    asMap(current) ?? {},
    schema,
  );
}

function diffMaps(
  original: JsonMap | undefined,
  modified: JsonMap,
  current: JsonMap,
  schema: PatchSchema,
): JsonMap {
  const patch: JsonMap = {};
  for (const key of Object.keys(original ?? {})) {
    if (!(key in modified) && key in current) patch[key] = null;
  }
  for (const [key, m] of Object.entries(modified)) {
    const c = current[key];
    const o = original?.[key];
    const field: PatchField | undefined = schema[key];
    if (isMap(m) && isMap(c)) {
      const sub = diffMaps(isMap(o) ? o : undefined, m, c, field?.schema ?? {});
      if (Object.keys(sub).length > 0) patch[key] = sub;
    } else if (Array.isArray(m) && Array.isArray(c) && field?.mergeKey && keyedBy(field.mergeKey, m, c)) {
      const k = field.mergeKey;
      const elements = diffKeyedList(
        k,
        Array.isArray(o) ? o : [],
        m as JsonMap[],
        c as JsonMap[],
        field.schema,
      );
      if (elements.length > 0) {
        patch[`$setElementOrder/${key}`] = (m as JsonMap[]).map((e) => ({ [k]: e[k] }));
        patch[key] = elements;
      }
    } else if (Array.isArray(m) && Array.isArray(c) && field?.mergeScalars) {
      // A set of scalars (finalizers): add what is new, remove what the last apply set and the file dropped.
      const added = m.filter((v) => !c.some((x) => isDeepStrictEqual(x, v)));
      const removed = (Array.isArray(o) ? o : []).filter(
        (v) => !m.some((x) => isDeepStrictEqual(x, v)) && c.some((x) => isDeepStrictEqual(x, v)),
      );
      if (added.length > 0) patch[key] = added;
      if (removed.length > 0) patch[`$deleteFromPrimitiveList/${key}`] = removed;
    } else if (!isDeepStrictEqual(m, c)) {
      patch[key] = m;
    }
  }
  return patch;
}

function diffKeyedList(
  key: string,
  original: Json[],
  modified: JsonMap[],
  current: JsonMap[],
  schema: PatchSchema = {},
): Json[] {
  const byKey = (list: Json[]) => new Map(list.filter(isMap).map((e) => [JSON.stringify(e[key]), e]));
  const cur = byKey(current);
  const orig = byKey(original);
  const out: Json[] = [];
  for (const m of modified) {
    const id = JSON.stringify(m[key]);
    const c = cur.get(id);
    if (!c) {
      out.push(m);
      continue;
    }
    const sub = diffMaps(orig.get(id), m, c, schema);
    if (Object.keys(sub).length > 0) out.push({ [key]: m[key], ...sub });
  }
  const kept = new Set(modified.map((m) => JSON.stringify(m[key])));
  for (const [id, o] of orig) {
    if (!kept.has(id) && cur.has(id)) out.push({ [key]: o[key], $patch: 'delete' });
  }
  return out;
}

/** A list can be merged by key only when every element is an object carrying the key. */
function keyedBy(key: string, ...lists: Json[][]): boolean {
  return lists.every((l) => l.every((e) => isMap(e) && e[key] !== undefined && e[key] !== null));
}

/** `creationTimestamp: null` and the like in a file mean "not set". */
function stripNulls(value: JsonMap): JsonMap {
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    out[k] = isMap(v) ? stripNulls(v) : Array.isArray(v) ? v.map((e) => (isMap(e) ? stripNulls(e) : e)) : v;
  }
  return out;
}

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asMap(obj: KubeObject | undefined): JsonMap | undefined {
  return obj ? (obj as unknown as JsonMap) : undefined;
}
