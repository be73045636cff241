// Turning an HTTP request into typed inputs for the ResourceService: bodies by Content-Type (JSON, YAML,
// protobuf, the four patch types) and the query parameters Kubernetes defines. Pure apart from calling the
// protobuf decoder; every malformed input becomes a 400/415 ApiError, never an exception from a parser.
// Hardened: one YAML document per request, no alias bombs, no nesting deeper than MAX_DEPTH, no numbers JSON
// cannot hold (1e400, .inf, .nan); with a FieldCheck, unknown and duplicate fields are reported per
// fieldValidation (field-validation.ts). The body size limit (3 MiB) is enforced before this (app.ts).
import { parseAllDocuments, type Document } from 'yaml';
import type { DeleteOptions, KubeObject } from '../api/types.js';
import type { PatchType } from '../client/api-client.js';
import { badRequest, unsupportedMediaType } from '../common/errors.js';
import {
  duplicateJsonKeys,
  duplicateYamlKeys,
  reportFields,
  unknownFieldsOf,
  type FieldCheck,
} from './field-validation.js';
import { decodeProtobufObject } from './protobuf/decode.js';

export type Query = Record<string, unknown>;
export type { FieldCheck } from './field-validation.js';

/** Deeper bodies are refused (Kubernetes objects nest about 15 levels; the store and patches recurse). */
export const MAX_DEPTH = 100;
/** YAML aliases a body may expand (the yaml library's default, stated): a billion laughs stops here. */
const MAX_YAML_ALIASES = 100;

/** The media type without parameters, lower case: 'application/json; charset=utf-8' → 'application/json'. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = Object.hasOwn(PATCH_TYPES, mediaType(contentType))
    ? PATCH_TYPES[mediaType(contentType)]
    : undefined;
  if (!type) throw unsupportedMediaType(contentType ?? '');
  return type;
}

function bodyText(body: Buffer | undefined): string {
  const text = body && body.length > 0 ? body.toString('utf8') : '';
  if (text.trim() === '') throw badRequest('the request body is empty');
  return text;
}

/**
 * Refuses values JSON cannot carry or the server should not walk: nesting deeper than MAX_DEPTH, non-finite
 * numbers, and anything but plain JSON values. Iterative, so a deep value cannot overflow the stack here.
 */
export function checkDecodedValue(value: unknown): void {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw badRequest('the request body holds a number out of range');
      continue;
    }
    if (v === null || typeof v !== 'object') {
      if (v !== null && typeof v !== 'string' && typeof v !== 'boolean') {
        throw badRequest(`the request body holds a value JSON cannot represent (${typeof v})`);
      }
      continue;
    }
    if (depth >= MAX_DEPTH) throw badRequest(`the request body is nested more than ${MAX_DEPTH} levels deep`);
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
      throw badRequest('the request body holds a value JSON cannot represent');
    }
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
}

interface Decoded {
  value: unknown;
  /** Paths of duplicate keys, when asked for. */
  duplicates: string[];
}

function decodeJson(body: Buffer | undefined, findDuplicates: boolean): Decoded {
  const text = bodyText(body);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
  checkDecodedValue(value);
  return { value, duplicates: findDuplicates ? duplicateJsonKeys(text) : [] };
}

function decodeYaml(body: Buffer | undefined, findDuplicates: boolean): Decoded {
  const text = bodyText(body);
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, {
      uniqueKeys: false,
      prettyErrors: false,
      logLevel: 'error',
    }) as Document.Parsed[];
  } catch (err) {
    throw badRequest(`the request body is not valid YAML: ${firstLine(err)}`);
  }
  if (!Array.isArray(docs) || docs.length === 0) throw badRequest('the request body holds no YAML document');
  if (docs.length > 1) {
    throw badRequest(`the request body holds ${docs.length} YAML documents; send one object per request`);
  }
  const [doc] = docs;
  if (doc.errors.length > 0)
    throw badRequest(`the request body is not valid YAML: ${firstLine(doc.errors[0])}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    throw badRequest(`the request body is not valid YAML: ${firstLine(err)}`);
  }
  checkDecodedValue(value);
  return { value, duplicates: findDuplicates ? duplicateYamlKeys(doc.contents) : [] };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

export function parseJson(body: Buffer | undefined): unknown {
  return decodeJson(body, false).value;
}

export function parseYamlBody(body: Buffer | undefined): unknown {
  return decodeYaml(body, false).value;
}

function asObject(value: unknown): KubeObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('the request body must be a JSON object');
  }
  const obj = value as KubeObject;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
    throw badRequest('metadata must be an object');
  }
  return obj;
}

/** A JSON, YAML or protobuf body, by Content-Type. No Content-Type means JSON (kubectl scale's PUT sends none). */
function decodeBody(
  contentType: string | undefined,
  body: Buffer | undefined,
  findDuplicates = false,
): Decoded {
  switch (mediaType(contentType)) {
    case '':
    case 'application/json':
      return decodeJson(body, findDuplicates);
    case 'application/yaml':
      return decodeYaml(body, findDuplicates);
    case 'application/vnd.kubernetes.protobuf': {
      if (!body || body.length === 0) throw badRequest('the request body is empty');
      // Protobuf has no unknown or duplicate fields to report: its decoder keeps only the schema's fields.
      const value = decodeProtobufObject(body);
      checkDecodedValue(value);
      return { value, duplicates: [] };
    }
    default:
      throw unsupportedMediaType(contentType ?? '');
  }
}

const wantsFieldCheck = (check: FieldCheck | undefined): check is FieldCheck =>
  check !== undefined && check.validation !== 'Ignore';

/** The object of a POST or PUT; with a FieldCheck, its unknown and duplicate fields are reported. */
export function parseObjectBody(
  contentType: string | undefined,
  body: Buffer | undefined,
  check?: FieldCheck,
): KubeObject {
  const decoded = decodeBody(contentType, body, wantsFieldCheck(check));
  const obj = asObject(decoded.value);
  if (wantsFieldCheck(check))
    reportFields(check, unknownFieldsOf(check.def, obj, undefined), decoded.duplicates);
  return obj;
}

/** A PATCH body: a JSON Patch array, or an object for the merge types (apply accepts YAML). */
export function parsePatchBody(type: PatchType, body: Buffer | undefined, check?: FieldCheck): unknown {
  const find = wantsFieldCheck(check);
  const decoded = type === 'apply' ? decodeYaml(body, find) : decodeJson(body, find);
  const value = decoded.value;
  if (type === 'json') {
    if (!Array.isArray(value)) throw badRequest('a JSON patch must be an array of operations');
  } else {
    asObject(value);
  }
  if (find) {
    const unknown = unknownFieldsOf(check.def, value, type === 'json' ? 'json' : 'merge');
    reportFields(check, unknown, decoded.duplicates);
  }
  return value;
}

// ---- query parameters -------------------------------------------------------------------------------

/** The last value of a query parameter as a string (repeated parameters arrive as arrays). */
export function queryString(query: Query, name: string): string | undefined {
  const v = query[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof last === 'string' ? last : undefined;
}

/** Every value of a repeated query parameter (`command=a&command=b`). */
export function queryStrings(query: Query, name: string): string[] {
  const v = query[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

export function queryBool(query: Query, name: string): boolean {
  const v = queryString(query, name);
  return v === 'true' || v === '1';
}

export function queryInt(query: Query, name: string): number | undefined {
  const v = queryString(query, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`${name}: invalid integer ${JSON.stringify(v)}`);
  return Number(v);
}

/** dryRun=All → true; absent → false; anything else is rejected like Kubernetes does. */
export function parseDryRun(values: unknown): boolean {
  const list = (Array.isArray(values) ? values : values === undefined ? [] : [values]).filter(
    (v) => v !== '',
  );
  for (const v of list) {
    if (v !== 'All')
      throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`);
  }
  return list.length > 0;
}

const PROPAGATION = new Set(['Background', 'Foreground', 'Orphan']);

/** DeleteOptions from the body (JSON/YAML) merged with the query (query wins, as in Kubernetes). */
export function parseDeleteOptions(
  contentType: string | undefined,
  body: Buffer | undefined,
  query: Query,
): DeleteOptions {
  let opts: DeleteOptions = {};
  if (body && body.length > 0 && body.toString('utf8').trim() !== '') {
    const parsed = decodeBody(contentType, body).value;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw badRequest('DeleteOptions must be an object');
    }
    opts = { ...(parsed as DeleteOptions) };
    // The deprecated orphanDependents flag maps onto a propagation policy.
    const orphan = (parsed as { orphanDependents?: boolean }).orphanDependents;
    if (opts.propagationPolicy === undefined && orphan !== undefined) {
      opts.propagationPolicy = orphan ? 'Orphan' : 'Background';
    }
  }
  const grace = queryInt(query, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = queryString(query, 'propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (query.dryRun !== undefined) opts.dryRun = parseDryRun(query.dryRun) ? ['All'] : [];
  if (opts.gracePeriodSeconds !== undefined && !Number.isInteger(opts.gracePeriodSeconds)) {
    throw badRequest('gracePeriodSeconds must be an integer');
  }
  if (opts.propagationPolicy !== undefined && !PROPAGATION.has(opts.propagationPolicy)) {
    throw badRequest(
      `propagationPolicy: Unsupported value: ${JSON.stringify(opts.propagationPolicy)}: supported values: "Background", "Foreground", "Orphan"`,
    );
  }
  if (opts.dryRun !== undefined) parseDryRun(opts.dryRun);
  return opts;
}
