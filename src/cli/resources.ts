// Which resource a command-line word names (`po`, `pods`, `Pod`, `deployments.apps`), and the names kubectl prints
// for a resource: `deployment.apps/web` in `get`/`apply` output, `deployments.apps "web"` in messages.
import type { ResourceDef } from '../api/resource-def.js';
import type { ResourceRef } from '../client/api-client.js';
import { CliError } from './errors.js';

/** What the CLI needs of src/api/registry.ts's Registry (which implements it). */
export interface ResourceCatalog {
  /** By plural, singular, short name or kind (any case), optionally qualified with the group. */
  resolve(name: string): ResourceDef | undefined;
  byKind(apiVersion: string, kind: string): ResourceDef | undefined;
  /** Every resource, in discovery order. */
  all(): ResourceDef[];
}

/** Like resolve, but a word that names nothing is the error kubectl gives. */
export function mustResolve(catalog: ResourceCatalog, name: string): ResourceDef {
  const def = catalog.resolve(name);
  if (!def) throw new CliError(`error: the server doesn't have a resource type "${name}"`);
  return def;
}

/** Resources in the `all` category (`skiff get all`). */
export function allCategory(catalog: ResourceCatalog): ResourceDef[] {
  return catalog.all().filter((d) => d.categories.includes('all'));
}

export function refOf(def: ResourceDef): ResourceRef {
  return { group: def.group, version: def.version, resource: def.resource };
}

/** `pod`, `deployment.apps`: what precedes `/name` in kubectl output. */
export function kindPrefix(def: ResourceDef): string {
  const kind = def.kind.toLowerCase();
  return def.group ? `${kind}.${def.group}` : kind;
}

/** `pods`, `deployments.apps`: how messages name the resource. */
export function qualifiedName(def: ResourceDef): string {
  return def.group ? `${def.resource}.${def.group}` : def.resource;
}

/** The namespace a request for `def` uses: undefined for cluster-scoped resources and for -A lists. */
export function scopeNamespace(
  def: ResourceDef,
  namespace: string,
  allNamespaces = false,
): string | undefined {
  return def.namespaced && !allNamespaces ? namespace : undefined;
}
