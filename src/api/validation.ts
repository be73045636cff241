// Generic validation rules every kind reuses: name formats (RFC 1123/1035, qualified names, label values) with
// Kubernetes' exact messages (k8s.io/apimachinery/pkg/util/validation), and ObjectMeta validation
// (k8s.io/apimachinery/pkg/api/validation/objectmeta.go). Each `is…` check returns problem strings; empty = valid.
import { type FieldError, forbidden, invalidValue, required } from '../common/errors.js';
import { FieldPath, fieldPath } from './field-path.js';
import type { ResourceDef } from './resource-def.js';
import type { ObjectMeta } from './types.js';

// ---- message builders (validation.go) ---------------------------------------------------------------

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** RegexError: `<msg> (e.g. 'a',  or 'b', regex used for validation is '<fmt>')`. */
export function regexError(msg: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${format}')`;
  const eg = examples.map((e, i) => `${i > 0 ? ' or ' : ''}'${e}', `).join('');
  return `${msg} (e.g. ${eg}regex used for validation is '${format}')`;
}

export const EMPTY_ERROR = 'must be non-empty';

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

// ---- names --------------------------------------------------------------------------------------------

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_RE = new RegExp(`^${DNS1035_LABEL_FMT}$`);
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const CONFIG_MAP_KEY_FMT = '[-._a-zA-Z0-9]+';
const CONFIG_MAP_KEY_RE = new RegExp(`^${CONFIG_MAP_KEY_FMT}$`);

export function isDns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!DNS1123_LABEL_RE.test(value)) {
    if (DNS1123_SUBDOMAIN_RE.test(value)) errs.push('must not contain dots');
    else
      errs.push(
        regexError(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
          DNS1123_LABEL_FMT,
          'my-name',
          '123-abc',
        ),
      );
  }
  return errs;
}

export function isDns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN_FMT,
        'example.com',
      ),
    );
  }
  return errs;
}

export function isDns1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!DNS1035_LABEL_RE.test(value)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_LABEL_FMT,
        'my-name',
        'abc-123',
      ),
    );
  }
  return errs;
}

/** Label keys, annotation keys, finalizers: `name` or `dns-subdomain-prefix/name`. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push(`prefix part ${EMPTY_ERROR}`);
    else errs.push(...isDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push(`name part ${EMPTY_ERROR}`);
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!QUALIFIED_NAME_RE.test(name)) {
    errs.push(
      `name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`,
    );
  }
  return errs;
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!LABEL_VALUE_RE.test(value)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE_FMT,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errs;
}

function chDirPrefixErrors(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

/** Keys of ConfigMap (and Secret) data. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!CONFIG_MAP_KEY_RE.test(value)) {
    errs.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        CONFIG_MAP_KEY_FMT,
        'key.name',
        'KEY_NAME',
        'key-name',
      ),
    );
  }
  return [...errs, ...chDirPrefixErrors(value)];
}

/** Named ports (IANA_SVC_NAME): at most 15 of [-a-z0-9], at least one letter, no leading/trailing/double '-'. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port))
    errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.startsWith('-') || port.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

export function isValidPortNum(port: unknown): string[] {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535
    ? []
    : [inclusiveRangeError(1, 65535)];
}

/** Environment variable names, with the relaxed rule Kubernetes 1.32 enables by default. */
export function isEnvVarName(value: string): string[] {
  if (value.length === 0) return [`environment variable name ${EMPTY_ERROR}`];
  if (!/^[\x20-\x7e]*$/.test(value) || value.includes('=')) {
    return [
      "a valid environment variable name must consist only of printable ASCII characters other than '='",
    ];
  }
  return [];
}

export type NameRule = NonNullable<ResourceDef['nameRule']>;

export function nameRuleCheck(rule: NameRule | undefined): (name: string) => string[] {
  switch (rule) {
    case 'dns1123-label':
      return isDns1123Label;
    case 'dns1035-label':
      return isDns1035Label;
    default:
      return isDns1123Subdomain;
  }
}

// ---- small field checks ---------------------------------------------------------------------------------

export function validateNonNegative(value: unknown, path: FieldPath): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return [invalidValue(String(path), value, 'must be greater than or equal to 0')];
  }
  return [];
}

export function tooLong(path: FieldPath, maxBytes: number): FieldError {
  return {
    field: String(path),
    type: 'FieldValueTooLong',
    message: `Too long: may not be more than ${maxBytes} bytes`,
  };
}

/** `Not found: "x"` (field.NotFound). errors.ts has no NotFound type, so the cause reason is FieldValueInvalid. */
export function notFoundValue(path: FieldPath, value: unknown): FieldError {
  return { field: String(path), type: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(value)}` };
}

export function validateLabels(labels: unknown, path: FieldPath): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    return [invalidValue(String(path), labels, 'must be a map of string keys to string values')];
  }
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of isQualifiedName(k)) errs.push(invalidValue(String(path), k, msg));
    if (typeof v !== 'string') errs.push(invalidValue(String(path), v, 'must be a string'));
    else for (const msg of isValidLabelValue(v)) errs.push(invalidValue(String(path), v, msg));
  }
  return errs;
}

// ---- ObjectMeta -------------------------------------------------------------------------------------------

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function validateAnnotations(annotations: unknown, path: FieldPath): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== 'object' || Array.isArray(annotations)) {
    return [invalidValue(String(path), annotations, 'must be a map of string keys to string values')];
  }
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalidValue(String(path), k, msg));
    if (typeof v !== 'string') errs.push(invalidValue(String(path), v, 'must be a string'));
    size += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : '');
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateOwnerReferences(refs: ObjectMeta['ownerReferences'], path: FieldPath): FieldError[] {
  if (!refs) return [];
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  for (const ref of refs) {
    const version = (ref.apiVersion ?? '').split('/').pop();
    if (!version)
      errs.push(
        invalidValue(String(path.child('apiVersion')), ref.apiVersion ?? '', 'version must not be empty'),
      );
    if (!ref.kind) errs.push(invalidValue(String(path.child('kind')), ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(invalidValue(String(path.child('name')), ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(invalidValue(String(path.child('uid')), ref.uid ?? '', 'must not be empty'));
    if (ref.controller) controllers.push(`${ref.kind}/${ref.name}`);
  }
  if (controllers.length > 1) {
    errs.push(
      invalidValue(
        String(path),
        refs,
        `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`,
      ),
    );
  }
  return errs;
}

function validateFinalizers(finalizers: unknown, path: FieldPath): FieldError[] {
  if (finalizers === undefined || finalizers === null) return [];
  if (!Array.isArray(finalizers))
    return [invalidValue(String(path), finalizers, 'must be a list of strings')];
  const errs: FieldError[] = [];
  for (const f of finalizers) {
    const name = String(f);
    const msgs = isQualifiedName(name);
    for (const msg of msgs) errs.push(invalidValue(String(path), name, msg));
    if (msgs.length === 0 && !name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
      errs.push(
        invalidValue(
          String(path),
          name,
          'name is neither a standard finalizer name nor is it fully qualified',
        ),
      );
    }
  }
  return errs;
}

export interface ObjectMetaRules {
  namespaced: boolean;
  nameRule?: ResourceDef['nameRule'];
}

/** Validation of `metadata` shared by all kinds (name, namespace, labels, annotations, owners, finalizers). */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: ObjectMetaRules): FieldError[] {
  const path = fieldPath('metadata');
  if (!meta || typeof meta !== 'object') return [required(String(path))];
  const errs: FieldError[] = [];
  const check = nameRuleCheck(opts.nameRule);
  if (meta.name) {
    for (const msg of check(meta.name)) errs.push(invalidValue(String(path.child('name')), meta.name, msg));
  } else if (meta.generateName) {
    // The generated suffix is appended after the prefix, so a trailing '-' is fine.
    const prefix = meta.generateName.replace(/-$/, 'a');
    for (const msg of check(prefix)) {
      errs.push(invalidValue(String(path.child('generateName')), meta.generateName, msg));
    }
  } else {
    errs.push(required(String(path.child('name')), 'Required value: name or generateName is required'));
  }
  if (opts.namespaced) {
    if (!meta.namespace) errs.push(required(String(path.child('namespace'))));
    else
      for (const msg of isDns1123Label(meta.namespace))
        errs.push(invalidValue(String(path.child('namespace')), meta.namespace, msg));
  } else if (meta.namespace) {
    errs.push(forbidden(String(path.child('namespace')), 'not allowed on this type'));
  }
  errs.push(...validateNonNegative(meta.generation, path.child('generation')));
  errs.push(...validateLabels(meta.labels, path.child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, path.child('finalizers')));
  return errs;
}

/** On update: identity fields may not change (`metadata.name: Invalid value: "b": field is immutable`). */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    const now = meta[key] ?? '';
    const before = old[key] ?? '';
    const mustMatch = key === 'name' || key === 'namespace' ? true : now !== '';
    if (mustMatch && now !== before) {
      errs.push(invalidValue(`metadata.${key}`, now, 'field is immutable'));
    }
  }
  return errs;
}

export { FieldPath, fieldPath };
