// How workload controllers create and delete pods (Kubernetes' PodControl, pkg/controller/controller_utils.go):
// a pure podFromTemplate() that builds the pod, and a thin ApiPodControl that writes it and records the events
// Kubernetes records on the owner (SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete).
// Tests replace ApiPodControl with a recording fake.
import { newControllerRef } from '../../api/object-meta.js';
import type { KubeObject, ObjectMeta, Pod, PodTemplateSpec } from '../../api/types.js';
import { PODS, type ApiClient } from '../../client/api-client.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { isApiError } from '../../common/errors.js';

export interface PodOverrides {
  /** A fixed name (StatefulSet: web-0); otherwise generateName `<owner>-`. */
  name?: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Bind directly to a node (DaemonSet pods set node affinity instead; this is for tests and special cases). */
  nodeName?: string;
  /** Changes to the pod spec after copying the template (hostname/subdomain, volumes, affinity...). */
  mutateSpec?: (spec: Pod['spec']) => void;
}

/** The pod a controller creates from its template: template labels/annotations/spec, owned by `owner`. */
export function podFromTemplate(
  template: PodTemplateSpec,
  owner: KubeObject,
  overrides: PodOverrides = {},
): Pod {
  const meta: ObjectMeta = {
    namespace: owner.metadata.namespace,
    labels: { ...(template.metadata?.labels ?? {}), ...(overrides.labels ?? {}) },
    annotations: { ...(template.metadata?.annotations ?? {}), ...(overrides.annotations ?? {}) },
    ownerReferences: [newControllerRef(owner)],
  };
  if (overrides.name) meta.name = overrides.name;
  else meta.generateName = overrides.generateName ?? `${owner.metadata.name}-`;
  if (Object.keys(meta.annotations!).length === 0) delete meta.annotations;
  if (template.metadata?.finalizers?.length) meta.finalizers = [...template.metadata.finalizers];
  const spec = structuredClone(template.spec);
  if (overrides.nodeName) spec.nodeName = overrides.nodeName;
  overrides.mutateSpec?.(spec);
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec };
}

export interface PodControl {
  createPod(template: PodTemplateSpec, owner: KubeObject, overrides?: PodOverrides): Promise<Pod>;
  deletePod(namespace: string, name: string, owner: KubeObject): Promise<void>;
}

export class ApiPodControl implements PodControl {
  constructor(private readonly deps: { client: ApiClient; recorder?: EventRecorder }) {}

  async createPod(template: PodTemplateSpec, owner: KubeObject, overrides?: PodOverrides): Promise<Pod> {
    const pod = podFromTemplate(template, owner, overrides);
    try {
      const created = await this.deps.client.create<Pod>(PODS, pod.metadata.namespace, pod);
      this.deps.recorder?.record(
        owner,
        'Normal',
        'SuccessfulCreate',
        `Created pod: ${created.metadata.name}`,
      );
      return created;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.recorder?.record(owner, 'Warning', 'FailedCreate', `Error creating: ${message}`);
      throw err;
    }
  }

  async deletePod(namespace: string, name: string, owner: KubeObject): Promise<void> {
    try {
      await this.deps.client.delete(PODS, namespace, name);
      this.deps.recorder?.record(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (err) {
      if (isApiError(err, 'NotFound')) return; // already gone: the goal is reached
      const message = err instanceof Error ? err.message : String(err);
      this.deps.recorder?.record(owner, 'Warning', 'FailedDelete', `Error deleting: ${message}`);
      throw err;
    }
  }
}

/** A PodControl that records calls, for reconcile-loop tests (like Kubernetes' FakePodControl). */
export class RecordingPodControl implements PodControl {
  readonly created: Pod[] = [];
  readonly deleted: { namespace: string; name: string }[] = [];
  err: Error | undefined;
  private seq = 0;

  async createPod(template: PodTemplateSpec, owner: KubeObject, overrides?: PodOverrides): Promise<Pod> {
    if (this.err) throw this.err;
    const pod = podFromTemplate(template, owner, overrides);
    pod.metadata.name ??= `${pod.metadata.generateName}${String(++this.seq).padStart(5, '0')}`;
    this.created.push(pod);
    return pod;
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    if (this.err) throw this.err;
    this.deleted.push({ namespace, name });
  }
}
