// The set of API resources skiff serves. Discovery, routing, `kubectl get all` and the skiff CLI all read it.
// To add a kind: write its ResourceDef in src/api/kinds/ and add it to ALL_KINDS below (order = discovery order).
import { configMapDef } from './kinds/configmap.js';
import { controllerRevisionDef } from './kinds/controllerrevision.js';
import { cronJobDef } from './kinds/cronjob.js';
import { daemonSetDef } from './kinds/daemonset.js';
import { deploymentDef } from './kinds/deployment.js';
import { endpointsDef } from './kinds/endpoints.js';
import { endpointSliceDef } from './kinds/endpointslice.js';
import { eventDef } from './kinds/event.js';
import { jobDef } from './kinds/job.js';
import { leaseDef } from './kinds/lease.js';
import { namespaceDef } from './kinds/namespace.js';
import { nodeDef } from './kinds/node.js';
import { persistentVolumeClaimDef } from './kinds/persistentvolumeclaim.js';
import { podDef } from './kinds/pod.js';
import { replicaSetDef } from './kinds/replicaset.js';
import { secretDef } from './kinds/secret.js';
import { serviceDef } from './kinds/service.js';
import { statefulSetDef } from './kinds/statefulset.js';
import type { ResourceDef } from './resource-def.js';

type AnyDef = ResourceDef<any>;

export class Registry {
  private readonly defs: AnyDef[];

  constructor(defs: AnyDef[]) {
    this.defs = [...defs];
  }

  all(): ResourceDef[] {
    return [...this.defs];
  }

  get(group: string, version: string, resource: string): ResourceDef | undefined {
    return this.defs.find((d) => d.group === group && d.version === version && d.resource === resource);
  }

  byKind(apiVersion: string, kind: string): ResourceDef | undefined {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    return this.defs.find((d) => d.group === group && d.version === version && d.kind === kind);
  }

  /** Groups in discovery order: '' (core) first, then named groups in registration order. */
  groups(): { group: string; versions: string[] }[] {
    const out: { group: string; versions: string[] }[] = [];
    const add = (d: AnyDef) => {
      let g = out.find((x) => x.group === d.group);
      if (!g) out.push((g = { group: d.group, versions: [] }));
      if (!g.versions.includes(d.version)) g.versions.push(d.version);
    };
    this.defs.filter((d) => d.group === '').forEach(add);
    this.defs.filter((d) => d.group !== '').forEach(add);
    return out;
  }

  /**
   * Resolve a name the way kubectl does: plural, singular, short name or kind, case-insensitive, optionally
   * qualified by group (`deployments.apps`) or version and group (`deployments.v1.apps`). Core wins ties.
   */
  resolve(name: string): ResourceDef | undefined {
    const lower = name.trim().toLowerCase();
    if (!lower) return undefined;
    const matchesName = (d: AnyDef, n: string) =>
      d.resource === n || d.singular === n || d.kind.toLowerCase() === n || d.shortNames.includes(n);
    const ordered = [...this.defs.filter((d) => d.group === ''), ...this.defs.filter((d) => d.group !== '')];
    const plain = ordered.find((d) => matchesName(d, lower));
    if (plain) return plain;
    const dot = lower.indexOf('.');
    if (dot < 0) return undefined;
    const head = lower.slice(0, dot);
    const rest = lower.slice(dot + 1);
    return ordered.find(
      (d) =>
        matchesName(d, head) &&
        (d.group === rest || `${d.version}.${d.group}` === rest || (d.group === '' && rest === d.version)),
    );
  }
}

/**
 * Every kind skiff serves, in discovery order; `kubectl get all` prints the kinds of category `all` in this order.
 * As in Kubernetes: the core group first, then apps, batch and coordination.k8s.io; inside apps/v1 and batch/v1
 * the resources sorted by name (Kubernetes' API installer sorts them), so `get all` shows pods, services,
 * daemonsets, deployments, replicasets, statefulsets, cronjobs, jobs.
 */
export const ALL_KINDS: AnyDef[] = [
  podDef,
  serviceDef,
  nodeDef,
  namespaceDef,
  eventDef,
  configMapDef,
  secretDef,
  persistentVolumeClaimDef,
  endpointsDef,
  controllerRevisionDef,
  daemonSetDef,
  deploymentDef,
  replicaSetDef,
  statefulSetDef,
  cronJobDef,
  jobDef,
  leaseDef,
  endpointSliceDef,
];

export function defaultRegistry(): Registry {
  return new Registry(ALL_KINDS);
}
