// Writes pod status through the status subresource (PUT …/pods/<name>/status), only when it changed (the
// kubelet's status manager). A write the informer has not delivered back yet is not repeated; a 409 (the pod
// changed meanwhile) re-reads the pod and retries once if it is still the same pod (same uid); 404 means the pod
// is gone, which the informer will report.
import type { Pod, PodStatus } from '../../src/api/types.js';
import { PODS, type ApiClient } from '../../src/client/api-client.js';
import { isApiError } from '../../src/common/errors.js';
import type { Logger } from '../../src/common/logger.js';
import { sameContent } from './canonical-json.js';

export class PodStatusWriter {
  /** The last status written per pod uid, and the resourceVersion of the pod it was computed from. */
  private readonly written = new Map<string, { basedOn?: string; status: PodStatus }>();

  constructor(private readonly deps: { client: ApiClient; log: Logger }) {}

  /** Returns true when a write happened. */
  async write(pod: Pod, status: PodStatus): Promise<boolean> {
    const uid = pod.metadata.uid ?? '';
    if (sameContent(pod.status ?? {}, status)) return false;
    const last = this.written.get(uid);
    if (last && last.basedOn === pod.metadata.resourceVersion && sameContent(last.status, status))
      return false;
    const ns = pod.metadata.namespace;
    try {
      await this.put(pod, status);
    } catch (err) {
      if (isApiError(err, 'NotFound')) return false;
      if (!isApiError(err, 'Conflict')) throw err;
      const fresh = await this.deps.client.get<Pod>(PODS, ns, pod.metadata.name ?? '').catch(() => undefined);
      if (!fresh || fresh.metadata.uid !== uid) return false;
      await this.put(fresh, status);
    }
    this.written.set(uid, { basedOn: pod.metadata.resourceVersion, status });
    this.deps.log.debug({ pod: `${ns}/${pod.metadata.name}`, phase: status.phase }, 'pod status written');
    return true;
  }

  forget(uid: string): void {
    this.written.delete(uid);
  }

  private async put(pod: Pod, status: PodStatus): Promise<void> {
    await this.deps.client.updateStatus<Pod>(PODS, pod.metadata.namespace, { ...pod, status });
  }
}
