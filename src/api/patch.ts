// PATCH bodies → the patched object, for the four patch types kubectl sends (KUBECTL-API.md §9):
//   json       RFC 6902 operations (fast-json-patch)          `kubectl patch --type=json`, `rollout undo`
//   merge      RFC 7386 JSON merge patch (mergePatch below)   `kubectl label`, `annotate`, `scale`
//   strategic  Kubernetes strategic merge patch               `kubectl apply`, `set image`, `cordon`
//   apply      server-side apply body, merged like SMP        `kubectl apply --server-side`
// Pure: never mutates `original`; errors are ApiErrors (400 for malformed patches, 422 when a well-formed
// JSON patch cannot be applied, e.g. a failed `test`).
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { parse as parseYaml } from 'yaml';
import type { PatchType } from '../client/api-client.js';
import { ApiError, badRequest } from '../common/errors.js';
import { patchSchemaFor } from './patch-schema.js';
import { isJsonObject, PatchFormatError, strategicMerge } from './strategic-merge.js';
import type { KubeObject } from './types.js';

const { applyPatch: applyJsonPatchOps, JsonPatchError, validate: validateJsonPatch } = fastJsonPatch;

/** Errors in the shape of the operations themselves: a malformed request, not an inapplicable one. */
const MALFORMED_OPS = new Set([
  'SEQUENCE_NOT_AN_ARRAY',
  'OPERATION_NOT_AN_OBJECT',
  'OPERATION_OP_INVALID',
  'OPERATION_PATH_INVALID',
  'OPERATION_FROM_REQUIRED',
  'OPERATION_VALUE_REQUIRED',
  'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED',
]);

export function applyPatch(original: KubeObject, type: PatchType, patch: unknown): KubeObject {
  const body = decodeBody(type, patch);
  let result: unknown;
  switch (type) {
    case 'json':
      result = applyJsonPatch(original, body);
      break;
    case 'merge':
      result = mergePatch(structuredClone(original), requireObject(body, type));
      break;
    case 'strategic':
    case 'apply':
      try {
        result = strategicMerge(
          structuredClone(original),
          requireObject(body, type),
          patchSchemaFor(original.kind),
        );
      } catch (e) {
        if (e instanceof PatchFormatError) throw badRequest(e.message);
        throw e;
      }
      break;
    default:
      throw badRequest(`unsupported patch type ${JSON.stringify(type)}`);
  }
  if (!isJsonObject(result) || !isJsonObject(result.metadata)) {
    throw badRequest('the patched object must be a JSON object with metadata');
  }
  return result as KubeObject;
}

/**
 * RFC 7386: objects merge key by key, `null` deletes, anything else replaces. Written here because the
 * json-merge-patch package throws on an object holding a `hasOwnProperty` key and silently stops at a
 * `constructor` or `prototype` key. A `__proto__` key is skipped, as in strategicMerge: it is never a
 * Kubernetes field, and assigning it would swap the object's prototype.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return patch;
  const result: Record<string, unknown> = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__') continue;
    if (value === null) delete result[key];
    else result[key] = mergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value);
  }
  return result;
}

/** Bodies normally arrive parsed; a string is decoded here (YAML for apply, JSON otherwise). */
function decodeBody(type: PatchType, patch: unknown): unknown {
  if (typeof patch !== 'string') return structuredClone(patch);
  try {
    return type === 'apply' ? parseYaml(patch, { logLevel: 'error' }) : JSON.parse(patch);
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
}

function requireObject(body: unknown, type: PatchType): Record<string, unknown> {
  if (!isJsonObject(body)) {
    const got = Array.isArray(body) ? 'an array' : body === null ? 'null' : typeof body;
    throw badRequest(`a ${type} patch must be a JSON object, got ${got}`);
  }
  return body;
}

function applyJsonPatch(original: KubeObject, body: unknown): unknown {
  if (!Array.isArray(body)) throw badRequest('a json patch must be a JSON array of operations');
  const shapeError = validateJsonPatch(body as Operation[]);
  if (shapeError)
    throw badRequest(
      `invalid json patch: operation ${shapeError.index ?? 0}: ${firstLine(shapeError.message)}`,
    );
  try {
    return applyJsonPatchOps(original, body as Operation[], true, false).newDocument;
  } catch (e) {
    if (e instanceof JsonPatchError) {
      const op = e.operation as { op?: string; path?: string } | undefined;
      const where = op ? `${op.op} operation at ${op.path}` : `operation ${e.index ?? 0}`;
      if (MALFORMED_OPS.has(e.name))
        throw badRequest(`invalid json patch: ${where}: ${firstLine(e.message)}`);
      throw new ApiError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: ${where} failed: ${firstLine(e.message)}`,
      );
    }
    throw e;
  }
}

/** fast-json-patch appends a dump of the operation and document to messages; keep the first line. */
function firstLine(message: string): string {
  return message.split('\n')[0];
}
