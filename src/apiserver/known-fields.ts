// Which JSON fields a kind has, for fieldValidation (strict decoding): read from the Kubernetes protobuf schema
// skiff already carries (protobuf/schema/, k8s.io/api v0.32), whose field names are the JSON names. Go embedded
// structs (`(gogoproto.embed)`, e.g. Volume.volumeSource) are inlined as in JSON, and a few messages have a JSON
// form of their own (Time, IntOrString, Quantity, FieldsV1, …) and are leaves.
//
// Coverage: every field of the kinds in that schema — Pod, Service, ConfigMap, Secret, ServiceAccount,
// Namespace, PersistentVolumeClaim, Deployment, ReplicaSet, DaemonSet, StatefulSet, Job, CronJob, Eviction.
// Other kinds (Node, Event, Endpoints, EndpointSlice, Lease, ControllerRevision) get `metadata` checked only.
import type protobuf from 'protobufjs';
import { k8sSchema } from './protobuf/schema.js';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
/** Messages whose JSON form is a scalar or free-form. */
const LEAF_MESSAGES = new Set([
  `.${META}.Time`,
  `.${META}.MicroTime`,
  `.${META}.Duration`,
  `.${META}.FieldsV1`,
  '.k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  '.k8s.io.apimachinery.pkg.api.resource.Quantity',
  '.k8s.io.apimachinery.pkg.runtime.RawExtension',
]);

/**
 * A place in an object: a message (its fields known; an `open` one also allows others), a list or map of places,
 * or a value not looked into.
 */
export type Position =
  | { kind: 'message'; fields: Map<string, Position>; open?: boolean }
  | { kind: 'list'; element: Position }
  | { kind: 'map'; value: Position }
  | { kind: 'leaf' };

const LEAF: Position = { kind: 'leaf' };
const positions = new Map<protobuf.Type, Position & { kind: 'message' }>();

/** Kinds (top-level objects, and objects embedded with their TypeMeta like volumeClaimTemplates) also have
 * apiVersion and kind; templates (PodTemplateSpec, JobTemplateSpec, PersistentVolumeClaimTemplate) do not. */
function hasTypeMeta(type: protobuf.Type): boolean {
  const metadata = type.fields.metadata;
  return (
    metadata?.resolvedType?.fullName === `.${META}.ObjectMeta` &&
    !type.name.endsWith('Template') &&
    !type.name.endsWith('TemplateSpec')
  );
}

function messagePosition(type: protobuf.Type): Position & { kind: 'message' } {
  const cached = positions.get(type);
  if (cached) return cached;
  const fields = new Map<string, Position>();
  const position = { kind: 'message' as const, fields };
  positions.set(type, position); // before the fields: messages may refer to themselves
  if (hasTypeMeta(type)) {
    fields.set('apiVersion', LEAF);
    fields.set('kind', LEAF);
  }
  for (const field of type.fieldsArray) {
    const resolved = field.resolvedType;
    const value: Position =
      resolved && 'fieldsArray' in resolved && !LEAF_MESSAGES.has(resolved.fullName)
        ? messagePosition(resolved as protobuf.Type)
        : LEAF;
    if (field.options?.['(gogoproto.embed)'] === true && value.kind === 'message') {
      for (const [name, inner] of value.fields) fields.set(name, inner);
      continue;
    }
    if (field.map) fields.set(field.name, { kind: 'map', value });
    else if (field.repeated) fields.set(field.name, { kind: 'list', element: value });
    else fields.set(field.name, value);
  }
  return position;
}

function lookupMessage(name: string): protobuf.Type | undefined {
  const found = k8sSchema().lookup(name);
  return found && 'fieldsArray' in found ? (found as protobuf.Type) : undefined;
}

/** The fields of a kind's objects; kinds outside the schema know only `metadata`. */
export function kindPosition(group: string, version: string, kind: string): Position {
  const pkg = group === '' ? 'core' : group;
  const type = /^[a-z0-9]+$/.test(pkg) ? lookupMessage(`k8s.io.api.${pkg}.${version}.${kind}`) : undefined;
  if (type) return messagePosition(type);
  const objectMeta = lookupMessage(`${META}.ObjectMeta`);
  return {
    kind: 'message',
    fields: new Map([['metadata', objectMeta ? messagePosition(objectMeta) : LEAF]]),
    open: true,
  };
}

/** Whether the kind's every field is known (not just metadata). */
export function fullyKnown(group: string, version: string, kind: string): boolean {
  const pkg = group === '' ? 'core' : group;
  return /^[a-z0-9]+$/.test(pkg) && lookupMessage(`k8s.io.api.${pkg}.${version}.${kind}`) !== undefined;
}

export interface UnknownFieldOptions {
  /** Patch bodies: `null` deletes (any field may be deleted) and `$…` keys are strategic-merge directives. */
  patch?: boolean;
  /** Stop after this many. */
  limit?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const childPath = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/** Paths (`spec.containers[0].foo`) of the fields in `value` that `position` does not have. */
export function unknownFields(
  position: Position,
  value: unknown,
  path = '',
  opts: UnknownFieldOptions = {},
  out: string[] = [],
): string[] {
  const limit = opts.limit ?? 100;
  if (out.length >= limit) return out;
  switch (position.kind) {
    case 'leaf':
      return out;
    case 'list':
      if (Array.isArray(value)) {
        value.forEach((item, i) => unknownFields(position.element, item, `${path}[${i}]`, opts, out));
      }
      return out;
    case 'map':
      if (isObject(value)) {
        for (const [k, v] of Object.entries(value))
          unknownFields(position.value, v, `${path}[${k}]`, opts, out);
      }
      return out;
    case 'message':
      if (!isObject(value)) return out;
      for (const [key, v] of Object.entries(value)) {
        if (out.length >= limit) break;
        if (opts.patch && (v === null || key.startsWith('$'))) continue;
        const field = position.fields.get(key);
        if (field === undefined && !position.open) out.push(childPath(path, key));
        else if (field === undefined) continue;
        else unknownFields(field, v, childPath(path, key), opts, out);
      }
      return out;
  }
}

/**
 * Unknown fields a JSON Patch operation introduces: `value` placed at the RFC 6901 `pointer`. A pointer through
 * an unknown field reports that field.
 */
export function unknownFieldsAt(position: Position, pointer: string, value: unknown, limit = 100): string[] {
  const tokens =
    pointer === ''
      ? []
      : pointer
          .split('/')
          .slice(1)
          .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let at = position;
  let path = '';
  for (const token of tokens) {
    switch (at.kind) {
      case 'leaf':
        return [];
      case 'list':
        path = `${path}[${token}]`;
        at = at.element;
        break;
      case 'map':
        path = `${path}[${token}]`;
        at = at.value;
        break;
      case 'message': {
        const field = at.fields.get(token);
        path = childPath(path, token);
        if (field === undefined) return at.open ? [] : [path];
        at = field;
      }
    }
  }
  return unknownFields(at, value, path, { limit });
}
