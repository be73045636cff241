// Discovery documents, generated from the registry (KUBECTL-API.md §3): aggregated (apidiscovery.k8s.io/v2, two
// requests give kubectl everything) and legacy (/api, /apis, then one APIResourceList per group-version).
// Resource order is the registry's order: `kubectl get all` prints kinds in discovery order.
import type { Registry } from '../api/registry.js';
import type { ResourceDef, SubresourceDef } from '../api/resource-def.js';
import type { DiscoveryVersion } from './negotiation.js';

function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

function defsOf(registry: Registry, group: string, version: string): ResourceDef[] {
  return registry.all().filter((d) => d.group === group && d.version === version);
}

/** Groups in registry order, the core group ('') included. */
function groupsOf(registry: Registry): { group: string; versions: string[] }[] {
  return registry.groups();
}

// ---- aggregated ---------------------------------------------------------------------------------------

function aggregatedSubresource(def: ResourceDef, sub: SubresourceDef) {
  return {
    subresource: sub.name,
    responseKind: { group: sub.group, version: sub.version, kind: sub.kind },
    verbs: sub.verbs,
  };
}

function aggregatedResource(def: ResourceDef) {
  return {
    resource: def.resource,
    responseKind: { group: def.group, version: def.version, kind: def.kind },
    scope: def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: def.singular,
    verbs: def.verbs,
    ...(def.shortNames.length > 0 ? { shortNames: def.shortNames } : {}),
    ...(def.categories.length > 0 ? { categories: def.categories } : {}),
    ...(def.subresources.length > 0
      ? { subresources: def.subresources.map((s) => aggregatedSubresource(def, s)) }
      : {}),
  };
}

/** GET /api (core = true) or /apis with the aggregated Accept. */
export function aggregatedDiscovery(registry: Registry, core: boolean, version: DiscoveryVersion) {
  const items = groupsOf(registry)
    .filter((g) => (g.group === '') === core)
    .map((g) => ({
      metadata: { name: g.group },
      versions: g.versions.map((v) => ({
        version: v,
        freshness: 'Current',
        resources: defsOf(registry, g.group, v).map(aggregatedResource),
      })),
    }));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items,
  };
}

// ---- legacy -------------------------------------------------------------------------------------------

/** GET /api. */
export function apiVersions(registry: Registry, serverAddress: string) {
  const core = groupsOf(registry).find((g) => g.group === '');
  return {
    kind: 'APIVersions',
    versions: core?.versions ?? ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroupOf(g: { group: string; versions: string[] }) {
  const versions = g.versions.map((v) => ({ groupVersion: groupVersion(g.group, v), version: v }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

/** GET /apis. */
export function apiGroupList(registry: Registry) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupsOf(registry)
      .filter((g) => g.group !== '')
      .map(apiGroupOf),
  };
}

/** GET /apis/{group}; undefined when the group is unknown. */
export function apiGroup(registry: Registry, group: string) {
  const g = groupsOf(registry).find((x) => x.group === group && group !== '');
  return g && { kind: 'APIGroup', apiVersion: 'v1', ...apiGroupOf(g) };
}

function legacyResources(def: ResourceDef) {
  const main = {
    name: def.resource,
    singularName: def.singular,
    namespaced: def.namespaced,
    kind: def.kind,
    verbs: def.verbs,
    ...(def.shortNames.length > 0 ? { shortNames: def.shortNames } : {}),
    ...(def.categories.length > 0 ? { categories: def.categories } : {}),
  };
  const subs = def.subresources.map((s) => ({
    name: `${def.resource}/${s.name}`,
    singularName: '',
    namespaced: def.namespaced,
    ...(s.group !== def.group || s.version !== def.version ? { group: s.group, version: s.version } : {}),
    kind: s.kind,
    verbs: s.verbs,
  }));
  return [main, ...subs];
}

/** GET /api/v1 or /apis/{group}/{version}; undefined when the group-version is unknown. */
export function apiResourceList(registry: Registry, group: string, version: string) {
  const known = groupsOf(registry).some((g) => g.group === group && g.versions.includes(version));
  if (!known) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion(group, version),
    resources: defsOf(registry, group, version).flatMap(legacyResources),
  };
}
