// What the workload kinds (apps/v1 and batch/v1) share besides validation: the scale and status subresource
// descriptions, pod-template defaults, and the cells and columns of their `kubectl get` rows.
import { layoutContainerCells } from '../format.js';
import { defaultPodSpec } from '../pod-spec-defaults.js';
import type { PrintColumn, ScaleDef, SubresourceDef } from '../resource-def.js';
import type { Container, KubeObject, PodTemplateSpec } from '../types.js';
import { column } from './columns.js';
import { isObject } from './workload-validation.js';

/** Deployments, ReplicaSets and StatefulSets keep replicas and selector in the same places. */
export const REPLICAS_SCALE: ScaleDef = {
  specReplicasPath: 'spec.replicas',
  statusReplicasPath: 'status.replicas',
  selectorPath: 'spec.selector',
};

export const SCALE_SUBRESOURCE: SubresourceDef = {
  name: 'scale',
  group: 'autoscaling',
  version: 'v1',
  kind: 'Scale',
  verbs: ['get', 'patch', 'update'],
};

export function statusSubresource(group: string, kind: string): SubresourceDef {
  return { name: 'status', group, version: 'v1', kind, verbs: ['get', 'patch', 'update'] };
}

/**
 * The object's spec as an object (an absent or malformed one becomes {} so defaults can fill it; validation
 * then reports what is missing).
 */
export function specOf<S extends object>(obj: KubeObject): S {
  if (!isObject(obj.spec)) obj.spec = {};
  return obj.spec as S;
}

/** Pod defaults inside a template (Kubernetes' SetDefaults_PodSpec runs on every pod template). */
export function defaultPodTemplate(template: unknown): void {
  if (isObject(template) && isObject(template.spec)) defaultPodSpec(template.spec as PodTemplateSpec['spec']);
}

/** A number field as printed in a row: Go's zero value when absent. */
export function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** The Containers and Images cells of -o wide. */
export function templateCells(template: unknown): { names: string; images: string } {
  const spec = isObject(template) && isObject(template.spec) ? template.spec : {};
  const containers = Array.isArray(spec.containers) ? spec.containers.filter(isObject) : [];
  return layoutContainerCells(containers as Container[]);
}

export const CONTAINERS_COLUMN: PrintColumn = column(
  'Containers',
  'Names of each container in the template.',
  1,
);
export const IMAGES_COLUMN: PrintColumn = column(
  'Images',
  'Images referenced by each container in the template.',
  1,
);

export function selectorColumn(description: string): PrintColumn {
  return column('Selector', description, 1);
}
