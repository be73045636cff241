import { describe, expect, it } from 'vitest';
import type { Pod, StatefulSet } from '../../api/types.js';
import { identityMatches, newStatefulSetPod, parentAndOrdinal, storageMatches } from './stateful-pods.js';

const set: StatefulSet = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'shop', uid: 'sts-uid' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    serviceName: 'nginx',
    template: {
      metadata: { labels: { app: 'web' }, annotations: { note: 'x' } },
      spec: {
        containers: [{ name: 'nginx', image: 'nginx' }],
        volumes: [
          { name: 'www', emptyDir: {} },
          { name: 'config', configMap: { name: 'cfg' } },
        ],
      },
    },
    volumeClaimTemplates: [
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'www' }, spec: {} },
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'logs' }, spec: {} },
    ],
  },
};

describe('StatefulSet pod identity', () => {
  it.each<[string, string, number]>([
    ['web-0', 'web', 0],
    ['web-12', 'web', 12],
    ['my-db-3', 'my-db', 3],
    ['web', '', -1],
    ['web-x', '', -1],
    ['web-99999999999', 'web', -1],
  ])('%s → parent %s, ordinal %i', (name, parent, ordinal) => {
    expect(parentAndOrdinal(name)).toEqual({ parent, ordinal });
  });

  it('builds the pod: name, labels, hostname/subdomain, owner, and claim volumes replacing same-named ones', () => {
    const pod = newStatefulSetPod(set, set.spec.template, 'web-5d8f', 2);
    expect(pod.metadata).toEqual({
      name: 'web-2',
      namespace: 'shop',
      labels: {
        app: 'web',
        'statefulset.kubernetes.io/pod-name': 'web-2',
        'apps.kubernetes.io/pod-index': '2',
        'controller-revision-hash': 'web-5d8f',
      },
      annotations: { note: 'x' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: 'web',
          uid: 'sts-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(pod.spec.hostname).toBe('web-2');
    expect(pod.spec.subdomain).toBe('nginx');
    expect(pod.spec.volumes).toEqual([
      { name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } },
      { name: 'logs', persistentVolumeClaim: { claimName: 'logs-web-2' } },
      { name: 'config', configMap: { name: 'cfg' } },
    ]);
    expect(identityMatches(set, pod)).toBe(true);
    expect(storageMatches(set, pod)).toBe(true);
  });

  it('notices a pod whose identity label or claim volume is wrong', () => {
    const pod: Pod = newStatefulSetPod(set, set.spec.template, 'r', 1);
    const relabelled = structuredClone(pod);
    relabelled.metadata.labels!['statefulset.kubernetes.io/pod-name'] = 'web-7';
    expect(identityMatches(set, relabelled)).toBe(false);
    const unmounted = structuredClone(pod);
    unmounted.spec.volumes = unmounted.spec.volumes!.filter((v) => v.name !== 'logs');
    expect(storageMatches(set, unmounted)).toBe(false);
  });

  it('leaves subdomain unset without a serviceName', () => {
    const bare = { ...set, spec: { ...set.spec, serviceName: undefined } };
    expect(newStatefulSetPod(bare, set.spec.template, 'r', 0).spec.subdomain).toBeUndefined();
  });
});
