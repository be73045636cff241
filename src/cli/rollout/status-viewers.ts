// What `rollout status` says about an object, in kubectl's words (k8s.io/kubectl/pkg/polymorphichelpers/
// rollout_status.go): one message per observed state, and whether the rollout is done. A failed rollout is an
// Error (printed as `error: …`, exit 1). To support another kind, add its viewer to STATUS_VIEWERS, keyed by
// `group/Kind` (DaemonSet and StatefulSet viewers plug in here).
import type { Deployment, KubeObject } from '../../api/types.js';

export interface RolloutStatus {
  message: string;
  done: boolean;
}

/** `revision` > 0 asks for that revision to be the one rolling out (`--revision`). */
export type StatusViewer = (obj: KubeObject, revision: number) => RolloutStatus;

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

/** DeploymentStatusViewer.Status. */
export function deploymentStatus(obj: KubeObject, revision = 0): RolloutStatus {
  const d = obj as Deployment;
  const name = d.metadata.name;
  if (revision > 0) {
    const current = Number(d.metadata.annotations?.[REVISION_ANNOTATION] ?? 0);
    if (revision !== current) {
      throw new Error(`desired revision (${revision}) is different from the running revision (${current})`);
    }
  }
  const s = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) {
    return { message: 'Waiting for deployment spec update to be observed...', done: false };
  }
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    throw new Error(`deployment "${name}" exceeded its progress deadline`);
  }
  const replicas = d.spec.replicas;
  const updated = s.updatedReplicas ?? 0;
  const current = s.replicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const waiting = `Waiting for deployment "${name}" rollout to finish: `;
  if (replicas !== undefined && updated < replicas) {
    return {
      message: `${waiting}${updated} out of ${replicas} new replicas have been updated...`,
      done: false,
    };
  }
  if (current > updated) {
    return { message: `${waiting}${current - updated} old replicas are pending termination...`, done: false };
  }
  if (available < updated) {
    return { message: `${waiting}${available} of ${updated} updated replicas are available...`, done: false };
  }
  return { message: `deployment "${name}" successfully rolled out`, done: true };
}

export const STATUS_VIEWERS: Record<string, StatusViewer> = {
  'apps/Deployment': deploymentStatus,
};

export function statusViewerFor(def: { group: string; kind: string }): StatusViewer | undefined {
  return STATUS_VIEWERS[`${def.group}/${def.kind}`];
}
