import { describe, expect, it } from 'vitest';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { PODS } from '../../client/api-client.js';
import { ApiPodControl, podFromTemplate } from './pod-control.js';
import type { KubeObject, PodTemplateSpec } from '../../api/types.js';

const owner: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-abc', namespace: 'default', uid: 'rs-uid' },
};
const template: PodTemplateSpec = {
  metadata: { labels: { app: 'web' }, annotations: { a: '1' } },
  spec: { containers: [{ name: 'c', image: 'img' }] },
};

describe('podFromTemplate', () => {
  it('copies labels, annotations and spec and sets the controller reference', () => {
    const pod = podFromTemplate(template, owner, { labels: { extra: 'x' } });
    expect(pod.metadata).toEqual({
      namespace: 'default',
      generateName: 'web-abc-',
      labels: { app: 'web', extra: 'x' },
      annotations: { a: '1' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-abc',
          uid: 'rs-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(pod.spec).toEqual(template.spec);
    expect(pod.spec).not.toBe(template.spec);
  });

  it('uses a fixed name and spec mutations when given', () => {
    const pod = podFromTemplate(template, owner, {
      name: 'web-0',
      mutateSpec: (s) => (s.hostname = 'web-0'),
    });
    expect(pod.metadata.name).toBe('web-0');
    expect(pod.metadata.generateName).toBeUndefined();
    expect(pod.spec.hostname).toBe('web-0');
    expect(template.spec.hostname).toBeUndefined();
  });
});

describe('ApiPodControl', () => {
  it('creates the pod and treats deleting a missing pod as done', async () => {
    const client = new FakeApiClient();
    const control = new ApiPodControl({ client });
    const pod = await control.createPod(template, owner);
    expect(pod.metadata.name).toMatch(/^web-abc-/);
    expect(client.objectsOf(PODS, 'default').length).toBe(1);
    await control.deletePod('default', 'nope', owner);
    await control.deletePod('default', pod.metadata.name!, owner);
    expect(client.objectsOf(PODS, 'default').length).toBe(0);
  });
});
