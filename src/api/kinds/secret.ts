// v1 Secret: small pieces of sensitive data (passwords, tokens, keys) that pods read as env or files. `data` holds
// base64 values; `stringData` is a write-only convenience merged into `data` on every write (Kubernetes does it when
// converting v1 to its internal version) and never stored or returned. Validation follows ValidateSecret and
// ValidateSecretUpdate (pkg/apis/core/validation) and never echoes a value: a bad one is `<secret contents redacted>`.
// The store keeps Secrets encrypted (src/store/encrypting-store.ts); the table shows Name, Type, Data (count), Age.
import { type FieldError, forbidden, invalidValue, required } from '../../common/errors.js';
import { fieldPath } from '../field-path.js';
import { translateTimestampSince } from '../format.js';
import { jsonEqual } from '../object-meta.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import type { KubeObject } from '../types.js';
import { isConfigMapKey, tooLong } from '../validation.js';
import { ageColumn, column, nameColumn } from './columns.js';

export interface Secret extends KubeObject {
  type?: string;
  /** key → base64 of the value's bytes. */
  data?: Record<string, string>;
  /** Write-only: key → plain value, merged into `data` by the server. */
  stringData?: Record<string, string>;
  immutable?: boolean;
}

/** Secret types with rules (core/v1 SecretType); any other string is allowed too, as in Kubernetes. */
export const SecretTypes = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJson: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
  bootstrapToken: 'bootstrap.kubernetes.io/token',
} as const;

/** core.MaxSecretSize: the decoded values together. */
export const MAX_SECRET_BYTES = 1024 * 1024;

/** What validation shows instead of a value (Kubernetes' wording). */
export const REDACTED = '<secret contents redacted>';

const SERVICE_ACCOUNT_NAME_KEY = 'kubernetes.io/service-account.name';

const BASE64_CHAR = /[A-Za-z0-9+/=]/;

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Why a string is not standard, padded base64 (Go's base64.StdEncoding, which skips \r and \n), in Go's words
 * (`illegal base64 data at input byte N`), or undefined when it is fine.
 */
export function base64Problem(value: string): string | undefined {
  const s = value.replace(/[\r\n]/g, '');
  for (let i = 0; i < s.length; i++) {
    if (!BASE64_CHAR.test(s[i])) return `illegal base64 data at input byte ${i}`;
  }
  // Quanta of four characters; padding ('=') may only end the last one, after at least two data characters.
  for (let q = 0; q < s.length; q += 4) {
    const quantum = s.slice(q, q + 4);
    if (quantum.length < 4) return `illegal base64 data at input byte ${q}`;
    const pad = quantum.indexOf('=');
    if (pad < 0) continue;
    if (pad < 2 || !/^=+$/.test(quantum.slice(pad))) return `illegal base64 data at input byte ${q + pad}`;
    if (q + 4 < s.length) return `illegal base64 data at input byte ${q + 4}`;
  }
  return undefined;
}

function decodedLength(b64: string): number {
  return Buffer.from(b64, 'base64').length;
}

/**
 * Server-side defaults: type Opaque, `stringData` merged into `data` (stringData wins) and dropped, valid `data`
 * values in canonical base64 (as Kubernetes re-encodes the bytes it decoded). A malformed stringData or data is left
 * for validation to report.
 */
export function defaultSecret(secret: Secret): void {
  if (!secret.type) secret.type = SecretTypes.opaque;
  const { stringData } = secret;
  if (stringData !== undefined && stringData !== null) {
    if (!isPlainMap(stringData) || Object.values(stringData).some((v) => typeof v !== 'string')) return;
    if (secret.data !== undefined && secret.data !== null && !isPlainMap(secret.data)) return;
    if (Object.keys(stringData).length > 0) {
      const data = isPlainMap(secret.data) ? secret.data : {};
      for (const [k, v] of Object.entries(stringData)) {
        Object.defineProperty(data, k, {
          value: Buffer.from(v, 'utf8').toString('base64'),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      secret.data = data as Record<string, string>;
    }
    delete secret.stringData;
  }
  if (!isPlainMap(secret.data)) return;
  for (const [k, v] of Object.entries(secret.data)) {
    if (typeof v === 'string' && base64Problem(v) === undefined) {
      secret.data[k] = Buffer.from(v.replace(/[\r\n]/g, ''), 'base64').toString('base64');
    }
  }
}

function validateData(secret: Secret): FieldError[] {
  const errs: FieldError[] = [];
  const dataPath = fieldPath('data');
  const { stringData } = secret;
  if (stringData !== undefined && stringData !== null) {
    // stringData survives defaulting only when it, or data, is malformed; say what is wrong without showing it.
    if (!isPlainMap(stringData) || Object.values(stringData).some((v) => typeof v !== 'string')) {
      errs.push(invalidValue('stringData', REDACTED, 'must be a map of keys to strings'));
    }
  }
  if (secret.data === undefined || secret.data === null) return errs;
  if (!isPlainMap(secret.data)) {
    errs.push(invalidValue('data', REDACTED, 'must be a map of keys to base64 strings'));
    return errs;
  }
  let size = 0;
  for (const [key, value] of Object.entries(secret.data)) {
    const p = String(dataPath.key(key));
    for (const msg of isConfigMapKey(key)) errs.push(invalidValue(p, key, msg));
    if (typeof value !== 'string') {
      errs.push(invalidValue(p, REDACTED, 'must be a base64 string'));
      continue;
    }
    const problem = base64Problem(value);
    if (problem) errs.push(invalidValue(p, REDACTED, problem));
    else size += decodedLength(value);
  }
  if (size > MAX_SECRET_BYTES) errs.push(tooLong(dataPath, MAX_SECRET_BYTES));
  return errs;
}

/** The value of data[key], decoded (undefined when absent or not base64). */
function decoded(secret: Secret, key: string): Buffer | undefined {
  const v = isPlainMap(secret.data) ? secret.data[key] : undefined;
  return typeof v === 'string' && base64Problem(v) === undefined ? Buffer.from(v, 'base64') : undefined;
}

function has(secret: Secret, key: string): boolean {
  return isPlainMap(secret.data) && Object.prototype.hasOwnProperty.call(secret.data, key);
}

/** The rules of the well-known types: which keys must be present and what they must hold. */
function validateType(secret: Secret): FieldError[] {
  const errs: FieldError[] = [];
  const key = (k: string) => String(fieldPath('data').key(k));
  const requireJson = (k: string) => {
    const bytes = decoded(secret, k);
    if (!has(secret, k)) errs.push(required(key(k)));
    else if (bytes) {
      try {
        const parsed: unknown = JSON.parse(bytes.toString('utf8'));
        if (!isPlainMap(parsed)) throw new Error('json: cannot unmarshal into a map');
      } catch (err) {
        errs.push(invalidValue(key(k), REDACTED, (err as Error).message));
      }
    }
  };
  switch (secret.type) {
    case SecretTypes.serviceAccountToken:
      if (!secret.metadata.annotations?.[SERVICE_ACCOUNT_NAME_KEY]) {
        errs.push(required(String(fieldPath('metadata', 'annotations').key(SERVICE_ACCOUNT_NAME_KEY))));
      }
      break;
    case SecretTypes.dockercfg:
      requireJson('.dockercfg');
      break;
    case SecretTypes.dockerConfigJson:
      requireJson('.dockerconfigjson');
      break;
    case SecretTypes.basicAuth:
      // Either may be empty, but one of them must be there.
      if (!has(secret, 'username') && !has(secret, 'password')) {
        errs.push(required(key('username')), required(key('password')));
      }
      break;
    case SecretTypes.sshAuth:
      if (!decoded(secret, 'ssh-privatekey')?.length) errs.push(required(key('ssh-privatekey')));
      break;
    case SecretTypes.tls:
      if (!has(secret, 'tls.crt')) errs.push(required(key('tls.crt')));
      if (!has(secret, 'tls.key')) errs.push(required(key('tls.key')));
      break;
  }
  return errs;
}

export function validateSecret(secret: Secret, old?: Secret): FieldError[] {
  const errs = [...validateData(secret)];
  if (secret.type !== undefined && typeof secret.type !== 'string') {
    errs.push(invalidValue('type', secret.type, 'must be a string'));
  } else {
    errs.push(...validateType(secret));
  }
  if (secret.immutable !== undefined && secret.immutable !== null && typeof secret.immutable !== 'boolean') {
    errs.push(invalidValue('immutable', secret.immutable, 'must be a boolean'));
  }
  if (old) {
    if ((secret.type ?? '') !== (old.type ?? '')) {
      errs.push(invalidValue('type', secret.type ?? '', 'field is immutable'));
    }
    if (old.immutable) {
      if (!secret.immutable) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
      if (!jsonEqual(secret.data, old.data))
        errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
    }
  }
  return errs;
}

export const secretDef: ResourceDef<Secret> = {
  group: '',
  version: 'v1',
  resource: 'secrets',
  kind: 'Secret',
  listKind: 'SecretList',
  singular: 'secret',
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  statusSubresource: false,
  defaults: defaultSecret,
  validate: validateSecret,
  columns: [
    nameColumn(),
    column('Type', 'Used to facilitate programmatic handling of secret data.'),
    column('Data', 'Data contains the secret data.'),
    ageColumn(),
  ],
  row: (s, ctx) => [
    s.metadata.name ?? '',
    typeof s.type === 'string' ? s.type : '',
    isPlainMap(s.data) ? Object.keys(s.data).length : 0,
    translateTimestampSince(s.metadata.creationTimestamp, ctx.now),
  ],
  // `kubectl get secrets --field-selector type=kubernetes.io/tls` (Kubernetes' SecretToSelectableFields).
  fields: (s) => ({ type: typeof s.type === 'string' ? s.type : '' }),
};
