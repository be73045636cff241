// What a configMap or secret volume holds (pure): one file per key, or per `items` entry with its own path and
// mode, as the kubelet's configmap and secret volume plugins build it (MakePayload in pkg/volume/configmap and
// pkg/volume/secret), with the atomic writer's path rules (pkg/volume/util/atomic_writer.go validatePath).
// volume-manager.ts fetches the object and writes the payload through atomic-writer.ts.
import { posix } from 'node:path';
import type { Secret } from '../../src/api/kinds/secret.js';
import type { ConfigMap } from '../../src/api/types.js';

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

/** core/v1 ConfigMapVolumeSource. */
export interface ConfigMapVolumeSource {
  name?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

/** core/v1 SecretVolumeSource. */
export interface SecretVolumeSource {
  secretName?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

/** One file of a volume: its bytes and permission bits. */
export interface FileProjection {
  data: Buffer;
  mode: number;
}

/** Relative path → file. */
export type Payload = Map<string, FileProjection>;

/** A payload that cannot be built (the volume waits in ContainerCreating and is retried). */
export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadError';
  }
}

/** Kubernetes' default for configMap and secret volumes (0644). */
export const DEFAULT_VOLUME_MODE = 0o644;
const MAX_PATH_LENGTH = 4096;
const MAX_FILE_NAME_LENGTH = 255;

/**
 * The atomic writer's path rules: relative, no `..` element, not starting with `..` (its own `..data` and
 * timestamped directories live there), bounded lengths. Throws PayloadError.
 */
export function validatePayloadPath(p: string): void {
  if (p === '') throw new PayloadError('invalid path: must not be empty: ""');
  if (p.startsWith('/')) throw new PayloadError(`invalid path: must be relative path: ${p}`);
  if (p.length > MAX_PATH_LENGTH) {
    throw new PayloadError(`invalid path: must be less than or equal to ${MAX_PATH_LENGTH} characters`);
  }
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') throw new PayloadError(`invalid path: must not contain '..': ${p}`);
    if (item.length > MAX_FILE_NAME_LENGTH) {
      throw new PayloadError(
        `invalid path: filenames must be less than or equal to ${MAX_FILE_NAME_LENGTH} characters`,
      );
    }
  }
  if (items[0].startsWith('..') && items[0].length > 2) {
    throw new PayloadError(`invalid path: must not start with '..': ${p}`);
  }
  if (p.includes('\0')) throw new PayloadError(`invalid path: must not contain NUL: ${JSON.stringify(p)}`);
}

/** Permission bits only: no setuid, setgid or sticky bit, whatever the spec says. */
function permissionBits(mode: unknown, fallback: number): number {
  return typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 ? mode & 0o777 : fallback;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A ConfigMap's keys: `data` as UTF-8 text, `binaryData` decoded from base64. */
export function configMapFiles(cm: ConfigMap | null): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  if (!cm) return files;
  if (isMap(cm.data))
    for (const [k, v] of Object.entries(cm.data)) files.set(k, Buffer.from(String(v), 'utf8'));
  if (isMap(cm.binaryData)) {
    for (const [k, v] of Object.entries(cm.binaryData)) files.set(k, Buffer.from(String(v), 'base64'));
  }
  return files;
}

/** A Secret's keys, decoded from base64. */
export function secretFiles(secret: Secret | null): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  if (!secret || !isMap(secret.data)) return files;
  for (const [k, v] of Object.entries(secret.data)) files.set(k, Buffer.from(String(v), 'base64'));
  return files;
}

/**
 * The files of a volume whose object holds `keys` (null: the object does not exist, which only an optional volume
 * accepts — the caller checks). Without items: every key at its own name with defaultMode. With items: each listed
 * key at its path and mode; a missing key fails unless the volume is optional, in which case it is left out.
 */
export function makePayload(
  kind: 'configmap' | 'secret',
  keys: Map<string, Buffer>,
  source: { items?: unknown; defaultMode?: number; optional?: boolean },
): Payload {
  const defaultMode = permissionBits(source.defaultMode, DEFAULT_VOLUME_MODE);
  const payload: Payload = new Map();
  const add = (p: string, data: Buffer, mode: number) => {
    validatePayloadPath(p);
    const clean = posix.normalize(p).replace(/\/$/, '');
    if (clean === '.') throw new PayloadError(`invalid path: must name a file: ${p}`);
    payload.set(clean, { data, mode });
  };
  const items = Array.isArray(source.items) ? (source.items as KeyToPath[]) : [];
  if (items.length === 0) {
    for (const [key, data] of keys) add(key, data, defaultMode);
    return payload;
  }
  for (const item of items) {
    if (!isMap(item) || typeof item.key !== 'string' || typeof item.path !== 'string') {
      throw new PayloadError('invalid items entry: key and path are required');
    }
    const data = keys.get(item.key);
    if (data === undefined) {
      if (source.optional) continue;
      throw new PayloadError(
        kind === 'secret'
          ? `references non-existent secret key: ${item.key}`
          : `configmap references non-existent config key: ${item.key}`,
      );
    }
    add(item.path, data, permissionBits(item.mode, defaultMode));
  }
  return payload;
}
