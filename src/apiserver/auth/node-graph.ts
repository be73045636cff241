// The Node authorizer's view of the cluster, read from the ResourceService at decision time (so it is never stale:
// a pod rebound or deleted a moment ago counts at once).
import type { KubeObject } from '../../api/types.js';
import { isApiError } from '../../common/errors.js';
import type { ResourceService } from '../resource-service.js';
import type { NodeGraph } from './node-authorizer.js';

const PODS = { group: '', version: 'v1', resource: 'pods' };

export function serviceNodeGraph(service: ResourceService): NodeGraph {
  return {
    async pod(namespace: string, name: string): Promise<KubeObject | undefined> {
      try {
        return await service.get(PODS, namespace, name);
      } catch (err) {
        if (isApiError(err, 'NotFound')) return undefined;
        throw err;
      }
    },
    async podsOnNode(nodeName: string, namespace: string): Promise<KubeObject[]> {
      const list = await service.list(PODS, namespace, { fieldSelector: `spec.nodeName=${nodeName}` });
      return list.items;
    },
  };
}
