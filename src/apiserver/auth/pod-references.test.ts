import { describe, expect, it } from 'vitest';
import { podReferences } from './pod-references.js';

describe('what a pod references', () => {
  it('finds Secrets, ConfigMaps and claims in volumes, projections, env, envFrom and pull secrets', () => {
    const refs = podReferences({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        volumes: [
          { name: 'a', secret: { secretName: 's-vol' } },
          { name: 'b', configMap: { name: 'cm-vol' } },
          { name: 'c', persistentVolumeClaim: { claimName: 'claim' } },
          {
            name: 'd',
            projected: { sources: [{ secret: { name: 's-proj' } }, { configMap: { name: 'cm-proj' } }] },
          },
          { name: 'e', emptyDir: {} },
        ],
        initContainers: [{ name: 'i', image: 'x', envFrom: [{ secretRef: { name: 's-init' } }] }],
        containers: [
          {
            name: 'c',
            image: 'x',
            env: [
              { name: 'A', valueFrom: { secretKeyRef: { name: 's-env', key: 'k' } } },
              { name: 'B', valueFrom: { configMapKeyRef: { name: 'cm-env', key: 'k' } } },
              { name: 'C', value: 'plain' },
            ],
            envFrom: [{ configMapRef: { name: 'cm-from' } }],
          },
        ],
        imagePullSecrets: [{ name: 's-pull' }],
      },
    });
    expect([...refs.secrets].sort()).toEqual(['s-env', 's-init', 's-proj', 's-pull', 's-vol']);
    expect([...refs.configMaps].sort()).toEqual(['cm-env', 'cm-from', 'cm-proj', 'cm-vol']);
    expect([...refs.persistentVolumeClaims]).toEqual(['claim']);
  });

  it('never throws on odd shapes', () => {
    const odd = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {},
      spec: { volumes: 'x', containers: [null, 3, { env: {} }] },
    };
    expect(podReferences(odd as never).secrets.size).toBe(0);
    expect(podReferences({ apiVersion: 'v1', kind: 'Pod', metadata: {} } as never).configMaps.size).toBe(0);
  });
});
