// The apps/v1 Deployment defaults (k8s.io/kubernetes/pkg/apis/apps/v1/defaults.go), applied to the controller's
// working copy so that a Deployment read from any source (the API server fills them too) is reasoned about the way
// Kubernetes would: 1 replica, RollingUpdate 25%/25%, 10 old ReplicaSets kept, a 600 s progress deadline.
import type { Deployment } from '../../api/types.js';

export function withDeploymentDefaults(d: Deployment): Deployment {
  const copy = structuredClone(d);
  const spec = copy.spec;
  spec.replicas ??= 1;
  spec.minReadySeconds ??= 0;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.paused ??= false;
  spec.strategy ??= {};
  spec.strategy.type ??= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
  }
  copy.metadata.generation ??= 1;
  return copy;
}
