// Server-side field validation (the `fieldValidation` query parameter kubectl sends on create, replace, apply
// and patch): unknown fields (known-fields.ts) and duplicate fields in a request body are
//   Strict → 400 `Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"`
//   Warn   → accepted, one `Warning:` header per field (the default, as upstream)
//   Ignore → accepted silently.
// Unlike upstream, an accepted unknown field is kept, not dropped (skiff keeps what clients send; types.ts).
import { isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import type { ResourceDef } from '../api/resource-def.js';
import { badRequest } from '../common/errors.js';
import { kindPosition, unknownFields, unknownFieldsAt } from './known-fields.js';
import type { Query } from './request-parsing.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** What a write's body is checked against, and where warnings go. */
export interface FieldCheck {
  /** The kind the URL names. */
  def: ResourceDef;
  validation: FieldValidation;
  warnings: string[];
}

/** The check for a write of `def` with the request's query, warnings going to `warnings`. */
export function fieldCheck(def: ResourceDef, query: Query, warnings: string[]): FieldCheck {
  return { def, validation: fieldValidationOf(query), warnings };
}

/** At most this many fields are named in one answer. */
const MAX_REPORTED = 100;
const VALIDATIONS: FieldValidation[] = ['Ignore', 'Strict', 'Warn'];

/** The `fieldValidation` parameter: absent means Warn; anything else but the three values is a 400. */
export function fieldValidationOf(query: Query): FieldValidation {
  const raw = query.fieldValidation;
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (value === undefined || value === '') return 'Warn';
  if (typeof value === 'string' && (VALIDATIONS as string[]).includes(value)) return value as FieldValidation;
  throw badRequest(
    `fieldValidation: Unsupported value: ${JSON.stringify(value)}: supported values: "Ignore", "Strict", "Warn"`,
  );
}

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

interface Frame {
  array: boolean;
  path: string;
  keys: Set<string>;
  key: string;
  expectKey: boolean;
  index: number;
}

/**
 * Paths of keys that occur twice in the same JSON object (`JSON.parse` keeps the last silently).
 * `text` must be valid JSON.
 */
export function duplicateJsonKeys(text: string, limit = MAX_REPORTED): string[] {
  const out: string[] = [];
  const stack: Frame[] = [];
  const valuePath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    return top.array ? `${top.path}[${top.index}]` : join(top.path, top.key);
  };
  for (let i = 0; i < text.length && out.length < limit; i++) {
    const ch = text[i];
    switch (ch) {
      case '{':
      case '[':
        stack.push({
          array: ch === '[',
          path: valuePath(),
          keys: new Set(),
          key: '',
          expectKey: true,
          index: 0,
        });
        break;
      case '}':
      case ']':
        stack.pop();
        break;
      case ',': {
        const top = stack[stack.length - 1];
        if (top?.array) top.index++;
        else if (top) top.expectKey = true;
        break;
      }
      case '"': {
        let j = i + 1;
        let escaped = false;
        while (j < text.length && text[j] !== '"') {
          if (text[j] === '\\') {
            escaped = true;
            j++;
          }
          j++;
        }
        const top = stack[stack.length - 1];
        if (top && !top.array && top.expectKey) {
          const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
          if (top.keys.has(key)) out.push(join(top.path, key));
          top.keys.add(key);
          top.key = key;
          top.expectKey = false;
        }
        i = j;
        break;
      }
    }
  }
  return out;
}

/** Paths of keys that occur twice in the same YAML mapping (the document was parsed with uniqueKeys: false). */
export function duplicateYamlKeys(
  node: unknown,
  limit = MAX_REPORTED,
  path = '',
  out: string[] = [],
): string[] {
  if (out.length >= limit) return out;
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (seen.has(key) && out.length < limit) out.push(join(path, key));
      seen.add(key);
      duplicateYamlKeys(pair.value, limit, join(path, key), out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => duplicateYamlKeys(item as YamlNode, limit, `${path}[${i}]`, out));
  }
  return out;
}

/** The unknown fields of a decoded body: an object (create, replace, merge-type patches) or a JSON Patch. */
export function unknownFieldsOf(
  def: ResourceDef,
  body: unknown,
  patch: 'json' | 'merge' | undefined,
): string[] {
  const position = kindPosition(def.group, def.version, def.kind);
  if (patch !== 'json')
    return unknownFields(position, body, '', { patch: patch === 'merge', limit: MAX_REPORTED });
  const out: string[] = [];
  for (const op of Array.isArray(body) ? body : []) {
    const { op: kind, path, value } = (op ?? {}) as { op?: unknown; path?: unknown; value?: unknown };
    if ((kind === 'add' || kind === 'replace') && typeof path === 'string') {
      out.push(...unknownFieldsAt(position, path, value, MAX_REPORTED));
    }
    if (out.length >= MAX_REPORTED) break;
  }
  return out.slice(0, MAX_REPORTED);
}

/** Applies the check's policy to what a body was found to hold. */
export function reportFields(check: FieldCheck, unknown: string[], duplicates: string[]): void {
  if (check.validation === 'Ignore' || (unknown.length === 0 && duplicates.length === 0)) return;
  const problems = [
    ...unknown.map((f) => `unknown field ${JSON.stringify(f)}`),
    ...duplicates.map((f) => `duplicate field ${JSON.stringify(f)}`),
  ].slice(0, MAX_REPORTED);
  if (check.validation === 'Warn') {
    check.warnings.push(...problems);
    return;
  }
  const { kind, version } = check.def;
  throw badRequest(
    `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: strict decoding error: ${problems.join(', ')}`,
  );
}
