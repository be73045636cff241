// Env from ConfigMaps and Secrets, as makeEnvironmentVariables builds it: envFrom first (with prefixes), then env
// in order; missing objects and keys fail with the kubelet's messages unless optional.
import { describe, expect, it } from 'vitest';
import type { ConfigMap, Container, Pod } from '../../src/api/types.js';
import {
  containerEnv,
  ContainerConfigError,
  referencedObjects,
  type EnvSources,
  type Secret,
} from './container-env.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop', uid: 'u' },
  spec: { containers: [] },
};
const cm: ConfigMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg' },
  data: { MODE: 'prod', LEVEL: 'debug' },
  binaryData: { BIN: b64('not for env') },
};
const secret: Secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db' },
  // JSON.parse makes __proto__ an own key, as a decoded request body has it.
  data: JSON.parse(
    JSON.stringify({ password: b64('hunter2'), user: b64('admin') }).replace(
      '}',
      `,"__proto__":"${b64('proto')}"}`,
    ),
  ),
};
const sources = (over: Partial<EnvSources> = {}): EnvSources => ({
  hostIP: '10.0.0.5',
  configMaps: new Map([['cfg', cm]]),
  secrets: new Map([['db', secret]]),
  ...over,
});
const env = (c: Partial<Container>, src = sources()) =>
  Object.fromEntries(containerEnv(pod, { name: 'app', ...c }, src));

describe('env from ConfigMaps and Secrets', () => {
  it('reads single keys with configMapKeyRef and secretKeyRef (decoded)', () => {
    expect(
      env({
        env: [
          { name: 'APP_MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } } },
          { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
          { name: 'DSN', value: '$(DB_PASSWORD)@db' },
        ],
      }),
    ).toEqual({ APP_MODE: 'prod', DB_PASSWORD: 'hunter2', DSN: 'hunter2@db' });
  });

  it('imports every key with envFrom, prefixed; env wins over envFrom', () => {
    expect(
      env({
        envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'DB_', secretRef: { name: 'db' } }],
        env: [{ name: 'MODE', value: 'test' }],
      }),
    ).toEqual({
      MODE: 'test',
      LEVEL: 'debug',
      DB_password: 'hunter2',
      DB_user: 'admin',
      DB___proto__: 'proto',
    });
  });

  it('fails a missing key with the kubelet message, and a missing object with the manager message', () => {
    const missingKey = () =>
      env({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'db', key: 'k' } } }] });
    expect(missingKey).toThrow(new ContainerConfigError("couldn't find key k in Secret shop/db"));
    expect(() =>
      env({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'BIN' } } }] }),
    ).toThrow("couldn't find key BIN in ConfigMap shop/cfg");
    const none = sources({ configMaps: new Map([['gone', null]]), secrets: new Map([['gone', null]]) });
    expect(() => env({ envFrom: [{ secretRef: { name: 'gone' } }] }, none)).toThrow(
      'secret "gone" not found',
    );
    expect(() => env({ envFrom: [{ configMapRef: { name: 'gone' } }] }, none)).toThrow(
      'configmap "gone" not found',
    );
    expect(() =>
      env({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }] }, none),
    ).toThrow('secret "gone" not found');
  });

  it('skips what is optional and missing', () => {
    const none = sources({ secrets: new Map([['gone', null]]) });
    expect(
      env(
        {
          envFrom: [{ secretRef: { name: 'gone', optional: true } }],
          env: [
            { name: 'A', valueFrom: { secretKeyRef: { name: 'gone', key: 'k', optional: true } } },
            { name: 'B', valueFrom: { secretKeyRef: { name: 'db', key: 'nope', optional: true } } },
            { name: 'C', value: 'c' },
          ],
        },
        none,
      ),
    ).toEqual({ C: 'c' });
  });

  it('names the objects a container refers to, so the caller can fetch them', () => {
    expect(
      referencedObjects({
        name: 'app',
        envFrom: [{ configMapRef: { name: 'a' } }, { secretRef: { name: 'b' } }],
        env: [
          { name: 'X', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } },
          { name: 'Y', valueFrom: { secretKeyRef: { name: 'b', key: 'k' } } },
        ],
      }),
    ).toEqual({ configMaps: new Set(['a', 'c']), secrets: new Set(['b']) });
  });
});
