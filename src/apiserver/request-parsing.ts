// Turning an HTTP request into typed inputs for the ResourceService: bodies by Content-Type (JSON, YAML,
// protobuf, the four patch types) and the query parameters Kubernetes defines. Pure apart from calling the
// protobuf decoder; every malformed input becomes a 400/415 ApiError, never an exception from a parser.
import { parse as parseYaml } from 'yaml';
import type { DeleteOptions, KubeObject } from '../api/types.js';
import type { PatchType } from '../client/api-client.js';
import { badRequest, unsupportedMediaType } from '../common/errors.js';
import { decodeProtobufObject } from './protobuf/decode.js';

export type Query = Record<string, unknown>;

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
  const type = PATCH_TYPES[mediaType(contentType)];
  if (!type) throw unsupportedMediaType(contentType ?? '');
  return type;
}

function bodyText(body: Buffer | undefined): string {
  const text = body && body.length > 0 ? body.toString('utf8') : '';
  if (text.trim() === '') throw badRequest('the request body is empty');
  return text;
}

export function parseJson(body: Buffer | undefined): unknown {
  const text = bodyText(body);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function parseYamlBody(body: Buffer | undefined): unknown {
  const text = bodyText(body);
  try {
    return parseYaml(text);
  } catch (err) {
    throw badRequest(`the request body is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
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
function decodeBody(contentType: string | undefined, body: Buffer | undefined): unknown {
  switch (mediaType(contentType)) {
    case '':
    case 'application/json':
      return parseJson(body);
    case 'application/yaml':
      return parseYamlBody(body);
    case 'application/vnd.kubernetes.protobuf':
      if (!body || body.length === 0) throw badRequest('the request body is empty');
      return decodeProtobufObject(body);
    default:
      throw unsupportedMediaType(contentType ?? '');
  }
}

/** The object of a POST or PUT. */
export function parseObjectBody(contentType: string | undefined, body: Buffer | undefined): KubeObject {
  return asObject(decodeBody(contentType, body));
}

/** A PATCH body: a JSON Patch array, or an object for the merge types (apply accepts YAML). */
export function parsePatchBody(type: PatchType, body: Buffer | undefined): unknown {
  const value = type === 'apply' ? parseYamlBody(body) : parseJson(body);
  if (type === 'json') {
    if (!Array.isArray(value)) throw badRequest('a JSON patch must be an array of operations');
    return value;
  }
  return asObject(value);
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
    const parsed = decodeBody(contentType, body);
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
