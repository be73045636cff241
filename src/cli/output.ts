// -o yaml / -o json / -o name, as kubectl prints them: keys sorted (kubectl prints objects as Go maps), YAML 1.1
// quoting (`"2026-01-01T00:00:00Z"`, `"yes"`) with unindented sequences (Go's sigs.k8s.io/yaml), JSON indented by
// four spaces, several objects wrapped in a `List`.
import { stringify } from 'yaml';
import type { KubeObject } from '../api/types.js';
import type { ResourceDef } from '../api/resource-def.js';
import { apiVersionOf } from '../api/resource-def.js';
import { goJson } from './go-json.js';
import { kindPrefix } from './resources.js';

export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', sortMapEntries: true, indentSeq: false, lineWidth: 0 });
}

export function toJson(value: unknown): string {
  return goJson(value, 4) + '\n';
}

/** One object as is; several (or a list request) as `kind: List`. */
export function asPrintable(objects: KubeObject[], single: boolean): unknown {
  if (single && objects.length === 1) return objects[0];
  return { apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } };
}

/** List items come without kind and apiVersion; printed objects carry them, as kubectl's do. */
export function withTypeMeta(def: ResourceDef, obj: KubeObject): KubeObject {
  const { apiVersion, kind, ...rest } = obj;
  return { apiVersion: apiVersion || apiVersionOf(def), kind: kind || def.kind, ...rest } as KubeObject;
}

export function formatObjects(format: 'yaml' | 'json', objects: KubeObject[], single: boolean): string {
  const value = asPrintable(objects, single);
  return format === 'yaml' ? toYaml(value) : toJson(value);
}

export function nameLine(def: ResourceDef, name: string): string {
  return `${kindPrefix(def)}/${name}`;
}
