// Label and field selectors of a list or watch, compiled once into a predicate over objects.
import type { ResourceDef } from '../api/resource-def.js';
import { objectFields, parseFieldSelector, parseLabelSelector } from '../api/selectors.js';
import type { KubeObject } from '../api/types.js';
import { badRequest } from '../common/errors.js';

export type ObjectFilter = (obj: KubeObject) => boolean;

/** Field names a resource can be selected by (what objectFields yields), learned once per definition. */
const supportedFields = new WeakMap<ResourceDef, Set<string> | null>();

/** null when the kind's field hook cannot run on an empty object (then every name is let through). */
function fieldNamesOf(def: ResourceDef): Set<string> | null {
  let names = supportedFields.get(def);
  if (names === undefined) {
    const probe: KubeObject = {
      apiVersion: '',
      kind: def.kind,
      metadata: { name: '', namespace: '' },
      spec: {},
      status: {},
    };
    try {
      names = new Set(Object.keys(objectFields(def, probe)));
    } catch {
      names = null;
    }
    supportedFields.set(def, names);
  }
  return names;
}

/** undefined when there is nothing to filter by. 400 for a malformed selector or an unsupported field. */
export function objectFilter(
  def: ResourceDef,
  labelSelector: string | undefined,
  fieldSelector: string | undefined,
): ObjectFilter | undefined {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  if (fields && !fields.empty) {
    const known = fieldNamesOf(def);
    for (const name of fields.fieldNames) {
      if (known && !known.has(name)) throw badRequest(`field label not supported: ${name}`);
    }
  }
  const useLabels = labels && !labels.empty ? labels : undefined;
  const useFields = fields && !fields.empty ? fields : undefined;
  if (!useLabels && !useFields) return undefined;
  return (obj) =>
    (!useLabels || useLabels.matches(obj.metadata?.labels ?? {})) &&
    (!useFields || useFields.matches(objectFields(def, obj)));
}
