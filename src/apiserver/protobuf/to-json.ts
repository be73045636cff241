// Turns a decoded Kubernetes protobuf message into the JSON Kubernetes would store for it.
//
// gogo-protobuf writes every Go non-pointer field, even when empty, while Go's JSON encoder leaves the
// empty ones out (`omitempty`). The schema marks those fields `(gogoproto.nullable) = false`; for them an
// empty value ("", 0, false, {}, zero Time) is dropped. Pointer fields are only on the wire when set, so
// they are kept as sent: `replicas: 0`, `suspend: false`, `emptyDir: {}` all mean something.
// Fields marked `(gogoproto.embed) = true` are Go embedded structs that JSON inlines: a Volume's
// `volumeSource {emptyDir}` is `emptyDir` on the Volume, a configMapKeyRef's `localObjectReference {name}`
// is its `name`. A few types have their own JSON form: Time, IntOrString, Quantity and FieldsV1.
import type protobuf from 'protobufjs';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** Options for protobufjs' `Type.toObject`: int64 as numbers, bytes as base64 (their JSON form). */
export const TO_OBJECT_OPTIONS: protobuf.IConversionOptions = {
  longs: Number,
  bytes: String,
  defaults: false,
  arrays: false,
  objects: false,
};

const META = '.k8s.io.apimachinery.pkg.apis.meta.v1';

/** `toObject` output of a message of `type` → JSON object, empty non-pointer fields dropped. */
export function messageToJson(type: protobuf.Type, message: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    let json: Json | undefined;
    if (field.map) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 0) continue;
      json = Object.fromEntries(entries.map(([k, v]) => [k, valueToJson(field, v) ?? null]));
    } else if (field.repeated) {
      const items = value as unknown[];
      if (items.length === 0) continue;
      json = items.map((v) => valueToJson(field, v) ?? null);
    } else {
      json = valueToJson(field, value);
      if (json === undefined) continue;
      if (field.options?.['(gogoproto.embed)'] === true) {
        Object.assign(out, json as JsonObject);
        continue;
      }
      const pointer = field.options?.['(gogoproto.nullable)'] !== false;
      if (!pointer && isEmpty(json) && !keepsEmpty(field)) continue;
    }
    out[field.name] = json;
  }
  return out;
}

function valueToJson(field: protobuf.Field, value: unknown): Json | undefined {
  const type = field.resolvedType;
  if (!type) return value as Json; // scalar: toObject already made int64 a number and bytes base64
  const message = value as Record<string, unknown>;
  switch (type.fullName) {
    case `${META}.Time`:
      return timeToJson(message);
    case '.k8s.io.apimachinery.pkg.util.intstr.IntOrString':
      // type 1 is intstr.String; 0 (or absent) is intstr.Int.
      return Number(message.type ?? 0) === 1 ? String(message.strVal ?? '') : Number(message.intVal ?? 0);
    case '.k8s.io.apimachinery.pkg.api.resource.Quantity':
      return String(message.string ?? '');
    case `${META}.FieldsV1`:
      // managedFields[].fieldsV1 holds its JSON document as raw bytes.
      return JSON.parse(Buffer.from(String(message.Raw ?? ''), 'base64').toString('utf8') || '{}') as Json;
    default:
      return messageToJson(type as protobuf.Type, message);
  }
}

/** meta/v1 Time → RFC 3339 in whole seconds, as Kubernetes writes it; the zero time is left out. */
function timeToJson(message: Record<string, unknown>): string | undefined {
  const seconds = Number(message.seconds ?? 0);
  if (seconds === 0) return undefined;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isEmpty(json: Json): boolean {
  if (json === '' || json === 0 || json === false) return true;
  return typeof json === 'object' && json !== null && !Array.isArray(json) && Object.keys(json).length === 0;
}

/** A container's `resources: {}` stays, as in the objects Kubernetes stores and kubectl prints. */
function keepsEmpty(field: protobuf.Field): boolean {
  return (
    field.name === 'resources' && field.resolvedType?.fullName === '.k8s.io.api.core.v1.ResourceRequirements'
  );
}
