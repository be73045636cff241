// Shared fixtures of the patch tests (patch.test.ts, strategic-merge.test.ts).
import { expect } from 'vitest';
import { ApiError } from '../common/errors.js';
import type { KubeObject } from './types.js';

export function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'd-1',
      labels: { app: 'web' },
      annotations: { 'deployment.kubernetes.io/revision': '2', keep: 'me' },
      finalizers: ['example.com/a'],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.25',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [
                { name: 'A', value: '0' },
                { name: 'B', value: '1' },
              ],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
              args: ['-a', '-b'],
            },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          tolerations: [{ key: 'a', operator: 'Exists' }],
        },
      },
    },
    status: { replicas: 2, conditions: [{ type: 'Available', status: 'True' }] },
  };
}

export const containers = (o: KubeObject) => o.spec.template.spec.containers;

export function expectApiError(fn: () => unknown, code: number, reason: string, message?: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).code).toBe(code);
  expect((err as ApiError).reason).toBe(reason);
  if (message) expect((err as ApiError).message).toMatch(message);
}
