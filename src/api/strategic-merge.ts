// Strategic merge patch (application/strategic-merge-patch+json), the patch `kubectl apply`, `set image`,
// `cordon` and `rollout restart` send. Port of the apply side of k8s.io/apimachinery/pkg/util/strategicpatch:
// - maps merge recursively; `null` deletes a key;
// - lists with a merge key (see patch-schema.ts) merge element by element, other lists are replaced;
// - directives: `$patch: replace|delete|merge` on maps, `$patch: delete|replace` on list elements,
//   `$retainKeys`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`.
// Works on JSON values it owns: the caller passes clones (patch.ts does).
import type { PatchField, PatchSchema } from './patch-schema.js';

/** A malformed patch (the server answers 400 BadRequest). */
export class PatchFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchFormatError';
  }
}

type JsonObject = Record<string, unknown>;

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM_LIST = '$deleteFromPrimitiveList/';

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merge `patch` into `original` (both owned by the caller, may be reused in the result). */
export function strategicMerge(original: JsonObject, patch: JsonObject, schema: PatchSchema): JsonObject {
  return mergeMap(original, patch, schema);
}

function mergeMap(original: JsonObject, patchIn: JsonObject, schema: PatchSchema): JsonObject {
  const patch = { ...patchIn };
  if (DIRECTIVE in patch) {
    const directive = patch[DIRECTIVE];
    delete patch[DIRECTIVE];
    if (directive === 'delete') return {};
    if (directive === 'replace') return mergeMap({}, patch, schema);
    if (directive !== 'merge') {
      throw new PatchFormatError(
        `Unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patchIn)}`,
      );
    }
  }
  const result: JsonObject = { ...original };

  if (RETAIN_KEYS in patch) applyRetainKeys(result, patch);

  const orders: [string, unknown][] = [];
  for (const key of Object.keys(patch)) {
    if (key.startsWith(SET_ORDER)) {
      orders.push([key.slice(SET_ORDER.length), patch[key]]);
      delete patch[key];
    } else if (key.startsWith(DELETE_FROM_LIST)) {
      const listKey = key.slice(DELETE_FROM_LIST.length);
      const toDelete = patch[key];
      delete patch[key];
      if (!Array.isArray(toDelete)) throw new PatchFormatError(`invalid patch: ${key} must be a list`);
      const current = result[listKey];
      if (Array.isArray(current)) result[listKey] = current.filter((v) => !toDelete.includes(v));
    }
  }

  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__') continue; // never a Kubernetes field; assigning it would swap the prototype
    if (value === null) {
      delete result[key];
      continue;
    }
    const field = schema[key];
    const current = result[key];
    if (isJsonObject(current) && isJsonObject(value))
      result[key] = mergeMap(current, value, field?.schema ?? {});
    else if (Array.isArray(current) && Array.isArray(value)) result[key] = mergeList(current, value, field);
    else result[key] = fresh(value, field);
  }

  for (const [listKey, order] of orders) {
    if (!Array.isArray(order))
      throw new PatchFormatError(`invalid patch: ${SET_ORDER}${listKey} must be a list`);
    const field = schema[listKey];
    const list = result[listKey];
    if (!Array.isArray(list) || !(field?.mergeKey || field?.mergeScalars)) continue;
    const before = Array.isArray(original[listKey]) ? (original[listKey] as unknown[]) : [];
    result[listKey] = orderList(list, order, before, field.mergeKey);
  }
  return result;
}

/** `$retainKeys: [a, b]`: drop every other key of the original map (used when a union field switches member). */
function applyRetainKeys(result: JsonObject, patch: JsonObject): void {
  const keys = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(keys))
    throw new PatchFormatError('invalid patch: $retainKeys must be a list of strings');
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k === DIRECTIVE || k.startsWith(SET_ORDER) || k.startsWith(DELETE_FROM_LIST)) continue;
    if (!keys.includes(k)) {
      throw new PatchFormatError(
        `invalid patch: all fields of the patch must be listed in $retainKeys (missing ${k})`,
      );
    }
  }
  for (const k of Object.keys(result)) if (!keys.includes(k)) delete result[k];
}

/** A patch value placed where the original had nothing: still interpret directives inside it. */
function fresh(value: unknown, field: PatchField | undefined): unknown {
  if (isJsonObject(value)) return mergeMap({}, value, field?.schema ?? {});
  if (Array.isArray(value) && (field?.mergeKey || field?.mergeScalars)) return mergeList([], value, field);
  return value;
}

function mergeList(original: unknown[], patch: unknown[], field: PatchField | undefined): unknown[] {
  if (field?.mergeScalars) {
    if (patch.some((v) => typeof v === 'object' && v !== null)) {
      throw new PatchFormatError('invalid patch: a list of scalars cannot hold objects');
    }
    const merged = [...original];
    for (const v of patch) if (!merged.includes(v)) merged.push(v);
    return orderList(merged, patch, original, undefined);
  }
  const mergeKey = field?.mergeKey;
  if (!mergeKey) return patch;

  let base = [...original];
  const plain: JsonObject[] = [];
  let replace = false;
  for (const el of patch) {
    if (!isJsonObject(el))
      throw new PatchFormatError(
        `invalid patch: elements of a merge list must be objects, got ${JSON.stringify(el)}`,
      );
    if (!(DIRECTIVE in el)) {
      plain.push(el);
      continue;
    }
    const directive = el[DIRECTIVE];
    if (directive === 'delete') {
      if (!(mergeKey in el)) throw noMergeKey(el, mergeKey);
      base = base.filter((x) => !(isJsonObject(x) && x[mergeKey] === el[mergeKey]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw new PatchFormatError('merging lists cannot yet be specified in the patch');
    } else {
      throw new PatchFormatError(
        `Unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(el)}`,
      );
    }
  }
  if (replace) return plain.map((el) => mergeMap({}, el, field.schema ?? {}));

  const serverOrder = [...base];
  for (const el of plain) {
    if (!(mergeKey in el)) throw noMergeKey(el, mergeKey);
    const i = base.findIndex((x) => isJsonObject(x) && x[mergeKey] === el[mergeKey]);
    if (i >= 0) base[i] = mergeMap(base[i] as JsonObject, el, field.schema ?? {});
    else base.push(mergeMap({}, el, field.schema ?? {}));
  }
  return orderList(base, plain, serverOrder, mergeKey);
}

function noMergeKey(el: JsonObject, mergeKey: string): PatchFormatError {
  return new PatchFormatError(`map: ${JSON.stringify(el)} does not contain declared merge key: ${mergeKey}`);
}

/**
 * Kubernetes' normalizeElementOrder: items named in `order` (the patch list or $setElementOrder) come in that
 * order; items only the server had keep their original relative order and are interleaved by their position
 * in `serverOrder`.
 */
function orderList(
  merged: unknown[],
  order: unknown[],
  serverOrder: unknown[],
  mergeKey: string | undefined,
): unknown[] {
  const keyOf = (x: unknown): unknown => (mergeKey ? (isJsonObject(x) ? x[mergeKey] : undefined) : x);
  if (mergeKey && order.some((o) => !isJsonObject(o) || !(mergeKey in o))) {
    throw new PatchFormatError(`invalid patch: every $setElementOrder entry needs the merge key ${mergeKey}`);
  }
  const orderKeys = order.map(keyOf);
  const serverKeys = serverOrder.map(keyOf);
  const indexIn = (keys: unknown[], x: unknown) => keys.indexOf(keyOf(x));
  const inOrder = (x: unknown) => orderKeys.includes(keyOf(x));
  const patchItems = merged.filter(inOrder).sort((a, b) => indexIn(orderKeys, a) - indexIn(orderKeys, b));
  const serverOnly = merged
    .filter((x) => !inOrder(x))
    .map((x, i) => ({ x, i, s: indexIn(serverKeys, x) }))
    .sort((a, b) => (a.s >= 0 && b.s >= 0 ? a.s - b.s : a.i - b.i))
    .map((e) => e.x);

  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (i >= serverOnly.length) out.push(patchItems[j++]);
    else if (j >= patchItems.length) out.push(serverOnly[i++]);
    else {
      const li = indexIn(serverKeys, serverOnly[i]);
      const ri = indexIn(serverKeys, patchItems[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(patchItems[j++]);
    }
  }
  return out;
}
