// Builders for the Deployment controller tests (not used by the controller): Deployments with the API defaults
// filled in, and ReplicaSets as the controller would have made them for a given template.
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../api/types.js';
import { computeTemplateHash, POD_TEMPLATE_HASH_LABEL } from '../common/template-hash.js';
import { at, podTemplate } from '../replicaset/test-support.js';
import { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, REVISION_ANNOTATION } from './replica-sets.js';

export interface DeploymentOptions {
  replicas?: number;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  strategy?: 'RollingUpdate' | 'Recreate';
  image?: string;
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  paused?: boolean;
  generation?: number;
  annotations?: Record<string, string>;
}

export function deployment(name: string, o: DeploymentOptions = {}): Deployment {
  const strategy =
    (o.strategy ?? 'RollingUpdate') === 'RollingUpdate'
      ? {
          type: 'RollingUpdate' as const,
          rollingUpdate: { maxSurge: o.maxSurge ?? '25%', maxUnavailable: o.maxUnavailable ?? '25%' },
        }
      : { type: 'Recreate' as const };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      generation: o.generation ?? 1,
      resourceVersion: '1',
      creationTimestamp: at(0),
      ...(o.annotations ? { annotations: { ...o.annotations } } : {}),
    },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      template: podTemplate({ app: name }, o.image ?? 'nginx:1.27'),
      strategy,
      minReadySeconds: o.minReadySeconds ?? 0,
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
      paused: o.paused ?? false,
    },
  };
}

export interface RsOptions {
  replicas: number;
  /** status.availableReplicas (and replicas/ready); default = replicas. */
  available?: number;
  /** status.replicas; default = replicas. */
  actual?: number;
  revision?: number;
  created?: number;
  template?: PodTemplateSpec;
  /** desired-replicas / max-replicas annotations. */
  desired?: number;
  max?: number;
}

/** A ReplicaSet owned by `d` for `d`'s template (or `o.template`), named `<d>-<hash>`. */
export function rsFor(d: Deployment, o: RsOptions): ReplicaSet {
  const template = structuredClone(o.template ?? d.spec.template);
  const hash = computeTemplateHash(template);
  template.metadata = { ...(template.metadata ?? {}) };
  template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const annotations: Record<string, string> = {};
  if (o.revision !== undefined) annotations[REVISION_ANNOTATION] = String(o.revision);
  if (o.desired !== undefined) annotations[DESIRED_REPLICAS_ANNOTATION] = String(o.desired);
  if (o.max !== undefined) annotations[MAX_REPLICAS_ANNOTATION] = String(o.max);
  const available = o.available ?? o.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: 'default',
      uid: `uid-${d.metadata.name}-${hash}`,
      generation: 1,
      resourceVersion: '1',
      creationTimestamp: at(o.created ?? 0),
      labels: { ...template.metadata.labels },
      annotations,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: d.metadata.name ?? '',
          uid: d.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas: o.replicas,
      minReadySeconds: d.spec.minReadySeconds ?? 0,
      selector: { matchLabels: { ...(d.spec.selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } },
      template,
    },
    status: {
      replicas: o.actual ?? o.replicas,
      fullyLabeledReplicas: o.actual ?? o.replicas,
      readyReplicas: available,
      availableReplicas: available,
      observedGeneration: 1,
    },
  };
}

/** `d`'s template with another image (a new revision). */
export function templateWithImage(d: Deployment, image: string): PodTemplateSpec {
  const t = structuredClone(d.spec.template);
  t.spec.containers[0].image = image;
  return t;
}
