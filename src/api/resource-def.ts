// The description of one API resource: its names (for URLs, discovery, kubectl short names), its scope,
// and the pure hooks the API server runs on every write (defaults, validation) and read (tables, field selectors).
// Adding a kind to skiff = writing one ResourceDef in src/api/kinds/ and listing it in src/api/registry.ts.
import type { KubeObject } from './types.js';
import type { FieldError } from '../common/errors.js';

export interface SubresourceDef {
  /** e.g. 'status', 'scale', 'log', 'exec', 'binding', 'eviction'. */
  name: string;
  /** responseKind of the subresource, e.g. {group:'autoscaling',version:'v1',kind:'Scale'}. */
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

export interface PrintColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** 'name' for the Name column (kubectl needs it for `get all` prefixes), '' otherwise. */
  format: string;
  description: string;
  /** 0 = always shown, 1 = only with -o wide. */
  priority: number;
}

/**
 * Where a kind keeps what its autoscaling/v1 Scale subresource reads and writes, as dotted paths into the object
 * (like a CustomResourceDefinition's scale subresource). A kind opts into `…/scale` by setting `scale`.
 */
export interface ScaleDef {
  /** The desired replica count Scale.spec.replicas reads and writes: 'spec.replicas'. */
  specReplicasPath: string;
  /** The observed count Scale.status.replicas reports: 'status.replicas'. */
  statusReplicasPath: string;
  /** A metav1.LabelSelector; Scale.status.selector is its string form: 'spec.selector'. */
  selectorPath: string;
}

/** What a hook may need besides the object: the time now (for Age columns), nothing else. */
export interface PrintContext {
  now: number;
}

export interface ResourceDef<T extends KubeObject = KubeObject> {
  group: string;
  version: string;
  /** Plural, lower case: 'pods'. */
  resource: string;
  kind: string;
  listKind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceDef[];
  /**
   * When true, `.status` is owned by the status subresource: writes to the main resource keep the stored status,
   * and writes to /status change only status.
   */
  statusSubresource: boolean;
  /**
   * Keep the client's .status on create even though status is a subresource (Kubernetes does this for Nodes: the
   * kubelet registers its Node with capacity, addresses and conditions in one request).
   */
  keepStatusOnCreate?: boolean;
  /** Which name rule metadata.name follows (default 'dns1123-subdomain'; namespaces use 'dns1123-label'). */
  nameRule?: 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label';
  /** Fill server-side defaults in place (runs on create and update, before validate). */
  defaults?(obj: T): void;
  /**
   * Create-only preparation once the server has set uid and the final name (Kubernetes' PrepareForCreate), e.g.
   * a Job's generated selector and labels. Runs after defaults and before validate, once per generated name.
   */
  prepareForCreate?(obj: T): void;
  /** Field errors of an object about to be stored. `old` is the stored object on update. */
  validate?(obj: T, old?: T): FieldError[];
  /** Table columns (meta.k8s.io/v1 Table) and one row's cells, one per column including wide ones. */
  columns: PrintColumn[];
  row(obj: T, ctx: PrintContext): (string | number)[];
  /** Set when the kind serves the scale subresource (Deployments, ReplicaSets, StatefulSets). */
  scale?: ScaleDef;
  /** Extra fields usable in fieldSelector (metadata.name and metadata.namespace are always available). */
  fields?(obj: T): Record<string, string>;
}

export function apiVersionOf(def: { group: string; version: string }): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

export const STANDARD_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];
