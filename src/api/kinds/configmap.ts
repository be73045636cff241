// v1 ConfigMap: configuration data (keys → strings or base64 binary) that pods read as env or files.
import { type FieldError, forbidden, invalidValue } from '../../common/errors.js';
import { fieldPath } from '../field-path.js';
import { translateTimestampSince } from '../format.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import type { ConfigMap } from '../types.js';
import { jsonEqual } from '../object-meta.js';
import { isConfigMapKey, tooLong, validateObjectMeta } from '../validation.js';
import { ageColumn, column, nameColumn } from './columns.js';

export const MAX_CONFIGMAP_BYTES = 1024 * 1024;

function validateConfigMap(cm: ConfigMap, old?: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, { namespaced: true });
  let size = 0;
  for (const field of ['data', 'binaryData'] as const) {
    const values = cm[field];
    if (values === undefined || values === null) continue;
    if (typeof values !== 'object' || Array.isArray(values)) {
      errs.push(invalidValue(field, values, 'must be a map of keys to strings'));
      continue;
    }
    for (const [key, value] of Object.entries(values)) {
      const p = fieldPath(field).key(key);
      for (const msg of isConfigMapKey(key)) errs.push(invalidValue(String(p), key, msg));
      if (typeof value !== 'string') errs.push(invalidValue(String(p), value, 'must be a string'));
      else size += field === 'data' ? Buffer.byteLength(value) : Buffer.from(value, 'base64').length;
      if (field === 'binaryData' && cm.data && key in cm.data) {
        errs.push(
          invalidValue(String(fieldPath('data').key(key)), key, 'duplicate of key present in binaryData'),
        );
      }
    }
  }
  if (size > MAX_CONFIGMAP_BYTES) errs.push(tooLong(fieldPath('data'), MAX_CONFIGMAP_BYTES));
  if (old?.immutable) {
    if (!cm.immutable) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!jsonEqual(cm.data, old.data))
      errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
    if (!jsonEqual(cm.binaryData, old.binaryData)) {
      errs.push(forbidden('binaryData', 'field is immutable when `immutable` is set'));
    }
  }
  return errs;
}

export const configMapDef: ResourceDef<ConfigMap> = {
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  listKind: 'ConfigMapList',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  statusSubresource: false,
  validate: validateConfigMap,
  columns: [nameColumn(), column('Data', 'Data contains the configuration data.'), ageColumn()],
  row: (cm, ctx) => [
    cm.metadata.name ?? '',
    Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
    translateTimestampSince(cm.metadata.creationTimestamp, ctx.now),
  ],
};
