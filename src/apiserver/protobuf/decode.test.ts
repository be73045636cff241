import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../common/errors.js';
import { decodeProtobufObject } from './decode.js';
import { k8sSchema } from './schema.js';

// testdata/*.pb are real bodies from stock kubectl 1.32 (tools/record-fixtures.mjs regenerates them);
// testdata/*.json is kubectl's own JSON for the same object (see that script's header).
const testdata = new URL('./testdata/', import.meta.url);
const fixtures = fs
  .readdirSync(testdata)
  .filter((f) => f.endsWith('.pb'))
  .map((f) => f.slice(0, -3))
  .sort();
const body = (name: string): Buffer => fs.readFileSync(new URL(`${name}.pb`, testdata));
const expected = (name: string): unknown =>
  JSON.parse(fs.readFileSync(new URL(`${name}.json`, testdata), 'utf8'));

const MAGIC = Buffer.from('k8s\0', 'latin1');

/** Encodes like gogo-protobuf would when `object` lists its non-pointer fields, zero values included. */
function encode(
  apiVersion: string,
  kind: string,
  message: string,
  object: object,
  contentEncoding = '',
): Buffer {
  const schema = k8sSchema();
  const type = schema.lookupType(message);
  const unknown = schema.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const raw = type.encode(type.fromObject(object)).finish();
  const envelope = { typeMeta: { apiVersion, kind }, raw, contentEncoding, contentType: '' };
  return Buffer.concat([MAGIC, unknown.encode(unknown.fromObject(envelope)).finish()]);
}

function badRequestFrom(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(400);
    expect((err as ApiError).reason).toBe('BadRequest');
    return err as ApiError;
  }
  throw new Error('expected an ApiError 400, but nothing was thrown');
}

describe('decodeProtobufObject on bodies recorded from kubectl create', () => {
  it('has the fixtures of every generator', () => {
    expect(fixtures).toEqual([
      'configmap',
      'cronjob',
      'deployment',
      'deployment-zero-replicas',
      'job',
      'namespace',
      'secret-generic',
      'service-clusterip',
      'service-nodeport',
      'serviceaccount',
    ]);
  });

  it.each(fixtures)('%s decodes to the object kubectl meant', (name) => {
    expect(decodeProtobufObject(body(name))).toEqual(expected(name));
  });

  it('gives the deployment of KUBECTL-API.md §10, with an empty status left out', () => {
    expect(JSON.stringify(decodeProtobufObject(body('deployment')))).toBe(
      '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x","labels":{"app":"x"}},' +
        '"spec":{"replicas":2,"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},' +
        '"spec":{"containers":[{"name":"nginx","image":"nginx","command":["sleep","100"],' +
        '"ports":[{"containerPort":8080}],"resources":{}}]}}}}',
    );
  });
});

describe('decodeProtobufObject JSON fix-ups', () => {
  const meta = { name: 'w', namespace: '', uid: '', generation: 0, creationTimestamp: {}, labels: {} };

  it('writes Time as RFC 3339 seconds and leaves the zero time out', () => {
    const obj = decodeProtobufObject(
      encode('v1', 'Namespace', 'k8s.io.api.core.v1.Namespace', {
        metadata: { ...meta, creationTimestamp: { seconds: 1700000000, nanos: 123 }, deletionTimestamp: {} },
      }),
    );
    expect(obj.metadata).toEqual({ name: 'w', creationTimestamp: '2023-11-14T22:13:20Z' });
  });

  it('keeps set pointer fields even when zero or false, drops empty non-pointer ones, inlines embedded structs', () => {
    const obj = decodeProtobufObject(
      encode('batch/v1', 'Job', 'k8s.io.api.batch.v1.Job', {
        metadata: meta,
        spec: {
          parallelism: 0,
          backoffLimit: 0,
          suspend: false,
          template: {
            metadata: meta,
            spec: {
              containers: [
                {
                  name: 'c',
                  image: 'busybox',
                  workingDir: '',
                  stdin: false,
                  resources: {},
                  securityContext: { runAsUser: 0, privileged: false },
                  volumeMounts: [{ name: 'scratch', mountPath: '/s', readOnly: false }],
                  env: [
                    {
                      name: 'A',
                      value: '',
                      valueFrom: { configMapKeyRef: { localObjectReference: { name: 'cm' }, key: 'k' } },
                    },
                  ],
                },
              ],
              volumes: [
                {
                  name: 'scratch',
                  volumeSource: {
                    configMap: { localObjectReference: { name: 'cm' }, defaultMode: 420, optional: false },
                  },
                },
              ],
              restartPolicy: 'Never',
              hostNetwork: false,
            },
          },
        },
        status: { active: 0, succeeded: 0, failed: 0, startTime: {} },
      }),
    );
    expect(obj).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'w' },
      spec: {
        parallelism: 0,
        backoffLimit: 0,
        suspend: false,
        template: {
          metadata: { name: 'w' },
          spec: {
            containers: [
              {
                name: 'c',
                image: 'busybox',
                resources: {},
                securityContext: { runAsUser: 0, privileged: false },
                volumeMounts: [{ name: 'scratch', mountPath: '/s' }],
                env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }],
              },
            ],
            volumes: [{ name: 'scratch', configMap: { name: 'cm', defaultMode: 420, optional: false } }],
            restartPolicy: 'Never',
          },
        },
      },
    });
  });

  it('keeps an emptyDir: {} volume source (a pointer struct that is set but empty)', () => {
    const obj = decodeProtobufObject(
      encode('v1', 'Pod', 'k8s.io.api.core.v1.Pod', {
        metadata: meta,
        spec: { volumes: [{ name: 'v', volumeSource: { emptyDir: {} } }] },
      }),
    );
    expect(obj.spec).toEqual({ volumes: [{ name: 'v', emptyDir: {} }] });
  });

  it('turns IntOrString into a number or a string, and Quantity into its string', () => {
    const obj = decodeProtobufObject(
      encode('apps/v1', 'Deployment', 'k8s.io.api.apps.v1.Deployment', {
        metadata: meta,
        spec: {
          strategy: {
            type: 'RollingUpdate',
            rollingUpdate: {
              maxUnavailable: { type: 0, intVal: 0, strVal: '' },
              maxSurge: { type: 1, strVal: '25%' },
            },
          },
          template: {
            spec: {
              containers: [
                {
                  name: 'c',
                  resources: {
                    limits: { cpu: { string: '500m' } },
                    requests: { memory: { string: '64Mi' } },
                  },
                  readinessProbe: {
                    handler: { httpGet: { path: '/', port: { type: 1, strVal: 'http' } } },
                    periodSeconds: 0,
                  },
                },
              ],
            },
          },
        },
        status: { replicas: 3, readyReplicas: 0 },
      }),
    );
    expect(obj.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' },
    });
    const container = obj.spec.template.spec.containers[0];
    expect(container.resources).toEqual({ limits: { cpu: '500m' }, requests: { memory: '64Mi' } });
    expect(container.readinessProbe).toEqual({ httpGet: { path: '/', port: 'http' } });
    expect(obj.status).toEqual({ replicas: 3 });
  });

  it('drops a non-pointer IntOrString that is the zero value (a Service port without targetPort)', () => {
    const obj = decodeProtobufObject(
      encode('v1', 'Service', 'k8s.io.api.core.v1.Service', {
        metadata: meta,
        spec: {
          ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: { type: 0, intVal: 0, strVal: '' } }],
        },
      }),
    );
    expect(obj.spec).toEqual({ ports: [{ protocol: 'TCP', port: 80 }] });
  });

  it('writes bytes map values as base64, empty ones and odd keys included', () => {
    const obj = decodeProtobufObject(
      encode('v1', 'Secret', 'k8s.io.api.core.v1.Secret', {
        metadata: meta,
        data: { bin: Buffer.from([0, 255, 10]), empty: Buffer.alloc(0), __proto__key: Buffer.from('x') },
        type: 'Opaque',
      }),
    );
    expect(obj.data).toEqual({ bin: 'AP8K', empty: '', __proto__key: 'eA==' });
    expect(obj.type).toBe('Opaque');
  });

  it('keeps a ConfigMap key named __proto__ as data', () => {
    const obj = decodeProtobufObject(
      encode('v1', 'ConfigMap', 'k8s.io.api.core.v1.ConfigMap', {
        metadata: meta,
        data: Object.fromEntries([['__proto__', 'v']]),
      }),
    );
    expect(Object.keys(obj.data as object)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(obj.data)).toBe(Object.prototype);
  });

  it('decodes a StatefulSet with volumeClaimTemplates and int64 fields', () => {
    const obj = decodeProtobufObject(
      encode('apps/v1', 'StatefulSet', 'k8s.io.api.apps.v1.StatefulSet', {
        metadata: { ...meta, generation: 7, deletionGracePeriodSeconds: 0 },
        spec: {
          replicas: 1,
          serviceName: 'db',
          template: {
            spec: { terminationGracePeriodSeconds: 4000000000, containers: [{ name: 'db', resources: {} }] },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: {
                accessModes: ['ReadWriteOnce'],
                resources: { requests: { storage: { string: '1Gi' } } },
              },
            },
          ],
        },
      }),
    );
    expect(obj.metadata).toEqual({ name: 'w', generation: 7, deletionGracePeriodSeconds: 0 });
    expect(obj.spec).toEqual({
      replicas: 1,
      serviceName: 'db',
      template: {
        spec: { terminationGracePeriodSeconds: 4000000000, containers: [{ name: 'db', resources: {} }] },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
    });
  });

  it('decodes an Eviction with its DeleteOptions, and managedFields with their JSON', () => {
    const fields = { 'f:metadata': { 'f:labels': { '.': {} } } };
    const obj = decodeProtobufObject(
      encode('policy/v1', 'Eviction', 'k8s.io.api.policy.v1.Eviction', {
        metadata: {
          name: 'p1',
          namespace: 'default',
          managedFields: [
            {
              manager: 'kubectl',
              operation: 'Update',
              apiVersion: 'v1',
              time: { seconds: 86400 },
              fieldsType: 'FieldsV1',
              fieldsV1: { Raw: Buffer.from(JSON.stringify(fields)) },
            },
          ],
        },
        deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u1' }, dryRun: ['All'] },
      }),
    );
    expect(obj).toEqual({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: {
        name: 'p1',
        namespace: 'default',
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Update',
            apiVersion: 'v1',
            time: '1970-01-02T00:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: fields,
          },
        ],
      },
      deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u1' }, dryRun: ['All'] },
    });
  });

  it('gives an object without a raw payload just its type and empty metadata', () => {
    const unknown = k8sSchema().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
    const envelope = unknown.encode({ typeMeta: { apiVersion: 'v1', kind: 'Namespace' } }).finish();
    expect(decodeProtobufObject(Buffer.concat([MAGIC, envelope]))).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {},
    });
  });
});

describe('decodeProtobufObject rejects bad bodies with 400', () => {
  it('rejects garbage', () => {
    const err = badRequestFrom(() => decodeProtobufObject(Buffer.from('{"kind":"Namespace"}')));
    expect(err.message).toMatch(/magic/);
  });

  it('rejects a wrong magic number and a body shorter than it', () => {
    const wrong = Buffer.from(body('namespace'));
    wrong[3] = 0x01;
    expect(badRequestFrom(() => decodeProtobufObject(wrong)).message).toContain('6b387300');
    badRequestFrom(() => decodeProtobufObject(Buffer.from('k8s')));
    badRequestFrom(() => decodeProtobufObject(Buffer.alloc(0)));
  });

  it('rejects a truncated body', () => {
    const whole = body('deployment');
    const err = badRequestFrom(() => decodeProtobufObject(whole.subarray(0, whole.length - 10)));
    expect(err.message).toMatch(/^invalid protobuf body for the runtime.Unknown envelope: /);
  });

  it('rejects a corrupt object inside a well-formed envelope, naming its kind', () => {
    const unknown = k8sSchema().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
    const raw = Buffer.from([0x0a, 0x05, 0x0a, 0x01]); // metadata claims 5 bytes, 2 follow
    const envelope = unknown
      .encode({ typeMeta: { apiVersion: 'apps/v1', kind: 'Deployment' }, raw })
      .finish();
    const err = badRequestFrom(() => decodeProtobufObject(Buffer.concat([MAGIC, envelope])));
    expect(err.message).toMatch(/^invalid protobuf body for Deployment \(apiVersion "apps\/v1"\): /);
  });

  it('rejects a kind it has no schema for, naming the kind', () => {
    const roleBody = encode('rbac.authorization.k8s.io/v1', 'Role', 'k8s.io.api.core.v1.ConfigMap', {
      metadata: { name: 'r' },
    });
    const err = badRequestFrom(() => decodeProtobufObject(roleBody));
    expect(err.message).toContain('cannot decode kind Role (apiVersion "rbac.authorization.k8s.io/v1")');
    expect(err.message).toContain('application/json');
  });

  it('rejects a kind under the wrong apiVersion', () => {
    const err = badRequestFrom(() =>
      decodeProtobufObject(encode('apps/v1beta1', 'Deployment', 'k8s.io.api.apps.v1.Deployment', {})),
    );
    expect(err.message).toContain('cannot decode kind Deployment (apiVersion "apps/v1beta1")');
  });

  it('rejects an envelope without apiVersion or kind, and a compressed payload', () => {
    badRequestFrom(() => decodeProtobufObject(MAGIC));
    const gz = encode('v1', 'Namespace', 'k8s.io.api.core.v1.Namespace', {}, 'gzip');
    expect(badRequestFrom(() => decodeProtobufObject(gz)).message).toContain('"gzip"');
  });
});

describe('decodeProtobufObject on arbitrary input', () => {
  /** Decoding may succeed or fail, but a failure is always a 400 ApiError and a success a JSON object. */
  function decodesOrRejects(bytes: Uint8Array): void {
    try {
      const obj = decodeProtobufObject(Buffer.from(bytes));
      expect(typeof obj.apiVersion).toBe('string');
      expect(typeof obj.kind).toBe('string');
      expect(JSON.parse(JSON.stringify(obj))).toEqual(obj);
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 400) throw err;
    }
  }

  it('never throws anything but ApiError 400 on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, withMagic) => {
        decodesOrRejects(withMagic ? Buffer.concat([MAGIC, bytes]) : bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but ApiError 400 on random payloads of known kinds', () => {
    const unknown = k8sSchema().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
    const kinds = [
      ['apps/v1', 'Deployment'],
      ['apps/v1', 'StatefulSet'],
      ['v1', 'Pod'],
      ['v1', 'Secret'],
      ['batch/v1', 'CronJob'],
      ['policy/v1', 'Eviction'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.uint8Array({ maxLength: 300 }), ([apiVersion, kind], raw) => {
        const envelope = unknown.encode({ typeMeta: { apiVersion, kind }, raw }).finish();
        decodesOrRejects(Buffer.concat([MAGIC, envelope]));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but ApiError 400 on mutated kubectl bodies', () => {
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ op: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ op: fc.constant('delete' as const), at: fc.nat(), byte: fc.constant(0) }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (name, edits) => {
          const bytes = [...body(name)];
          for (const { op, at, byte } of edits) {
            const i = at % (bytes.length + 1);
            if (op === 'set' && i < bytes.length) bytes[i] = byte;
            if (op === 'insert') bytes.splice(i, 0, byte);
            if (op === 'delete') bytes.splice(i, 1);
          }
          decodesOrRejects(Uint8Array.from(bytes));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
