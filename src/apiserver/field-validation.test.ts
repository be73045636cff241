import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { defaultRegistry } from '../api/registry.js';
import { apiVersionOf } from '../api/resource-def.js';
import { duplicateJsonKeys, fieldValidationOf, unknownFieldsOf } from './field-validation.js';
import { fullyKnown, kindPosition, unknownFields } from './known-fields.js';
import { harness, pod } from './test-support.js';

const PODS = '/api/v1/namespaces/default/pods';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const registry = defaultRegistry();
const def = (resource: string, group = '') =>
  registry.all().find((d) => d.group === group && d.resource === resource)!;

function urlOf(apiVersion: string, kind: string, name?: string): string {
  const d = registry.byKind(apiVersion, kind)!;
  const base = d.group ? `/apis/${d.group}/${d.version}` : `/api/${d.version}`;
  const collection = d.namespaced ? `${base}/namespaces/default/${d.resource}` : `${base}/${d.resource}`;
  return name ? `${collection}/${name}` : collection;
}

const deployment = (extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    },
    ...extra,
  },
});

describe('known fields from the protobuf schema', () => {
  it('knows every field of the typed kinds, inlined embeds included, and only metadata of the others', () => {
    const podPos = kindPosition('', 'v1', 'Pod');
    const full = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { a: 'b' }, ownerReferences: [{ uid: 'u', kind: 'K', name: 'n' }] },
      spec: {
        volumes: [
          { name: 'v', hostPath: { path: '/x' } },
          { name: 'c', configMap: { name: 'cm' } },
        ],
        containers: [
          {
            name: 'c',
            image: 'i',
            resources: { limits: { cpu: '1' } },
            ports: [{ containerPort: 80 }],
            readinessProbe: { httpGet: { port: 'http', path: '/' } },
            env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }],
            securityContext: { seccompProfile: { type: 'RuntimeDefault' }, capabilities: { add: ['CHOWN'] } },
          },
        ],
      },
      status: { phase: 'Running', startTime: '2026-01-01T00:00:00Z', podIPs: [{ ip: '10.0.0.1' }] },
    };
    expect(unknownFields(podPos, full)).toEqual([]);
    expect(
      unknownFields(podPos, {
        spec: { foo: 1, volumes: [{ name: 'v', volumeSource: {} }], containers: [{ name: 'c', bar: 2 }] },
      }),
    ).toEqual(['spec.foo', 'spec.volumes[0].volumeSource', 'spec.containers[0].bar']);
    // A PersistentVolumeClaim inside a StatefulSet carries its own apiVersion/kind; a pod template does not.
    const sts = kindPosition('apps', 'v1', 'StatefulSet');
    expect(
      unknownFields(sts, {
        spec: {
          volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim' }],
          template: { kind: 'x' },
        },
      }),
    ).toEqual(['spec.template.kind']);
    expect(fullyKnown('', 'v1', 'Node')).toBe(false);
    expect(
      unknownFields(kindPosition('', 'v1', 'Node'), { spec: { anything: 1 }, metadata: { nope: 1 } }),
    ).toEqual(['metadata.nope']);
  });

  it('every object skiff stores for a kind with a schema has only known fields (so replace -f of get -o yaml works)', async () => {
    const { app } = await harness();
    const objects = [
      pod('p'),
      deployment(),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's' },
        spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'cj' },
        spec: {
          schedule: '*/5 * * * *',
          jobTemplate: {
            spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } },
          },
        },
      },
    ];
    for (const obj of objects) {
      const res = await request(app)
        .post(`${urlOf(obj.apiVersion, obj.kind)}?fieldValidation=Strict`)
        .send(obj)
        .expect(201);
      const d = registry.byKind(obj.apiVersion, obj.kind)!;
      expect(unknownFieldsOf(d, res.body, undefined)).toEqual([]);
      await request(app)
        .put(`${urlOf(obj.apiVersion, obj.kind, res.body.metadata.name)}?fieldValidation=Strict`)
        .send(res.body)
        .expect(200);
    }
  });

  it('accepts every example manifest of the repository under Strict, without warnings', async () => {
    const { app } = await harness();
    const dir = path.join(import.meta.dirname, '..', '..', 'examples');
    const files = fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(dir, f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
        const obj = doc.toJS();
        if (!obj) continue;
        const res = await request(app)
          .post(`${urlOf(obj.apiVersion, obj.kind)}?fieldManager=kubectl-create&fieldValidation=Strict`)
          .send(obj);
        expect(res.status, `${file}: ${res.body.message}`).toBe(201);
        expect(res.headers.warning).toBeUndefined();
      }
    }
  });
});

describe('fieldValidation over HTTP', () => {
  it('Strict refuses unknown fields with upstream’s message; nothing is stored', async () => {
    const { app, store } = await harness();
    const before = await store.revision();
    const res = await request(app)
      .post(`${DEPLOYMENTS}?fieldValidation=Strict`)
      .send(deployment({ foo: 1 }))
      .expect(400);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    expect(res.body.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"',
    );
    const podRes = await request(app)
      .post(`${PODS}?fieldValidation=Strict`)
      .send({ ...pod('p'), spec: { containers: [{ name: 'c', image: 'i', imagePullPolicyy: 'Always' }] } })
      .expect(400);
    expect(podRes.body.message).toContain('unknown field "spec.containers[0].imagePullPolicyy"');
    expect(await store.revision()).toBe(before);
  });

  it('Warn (the default) accepts with one Warning header per field; Ignore accepts silently', async () => {
    const { app } = await harness();
    const warned = await request(app)
      .post(DEPLOYMENTS)
      .send(deployment({ foo: 1, bar: 2 }))
      .expect(201);
    expect(warned.headers.warning).toBe(
      '299 - "unknown field \\"spec.foo\\"", 299 - "unknown field \\"spec.bar\\""',
    );
    const ignored = await request(app)
      .post('/api/v1/namespaces/default/configmaps?fieldValidation=Ignore')
      .send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, extra: true })
      .expect(201);
    expect(ignored.headers.warning).toBeUndefined();
    const bad = await request(app)
      .post(`${DEPLOYMENTS}?fieldValidation=Loose`)
      .send(deployment())
      .expect(400);
    expect(bad.body.message).toContain('fieldValidation: Unsupported value: "Loose"');
  });

  it('duplicate fields: Strict refuses JSON and YAML bodies naming the path, Warn warns', async () => {
    const { app } = await harness();
    const json =
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","name":"b"},"data":{"k":"1","k":"2"}}';
    const strict = await request(app)
      .post('/api/v1/namespaces/default/configmaps?fieldValidation=Strict')
      .set('Content-Type', 'application/json')
      .send(json)
      .expect(400);
    expect(strict.body.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.name", duplicate field "data.k"',
    );
    const warned = await request(app)
      .post('/api/v1/namespaces/default/configmaps')
      .set('Content-Type', 'application/json')
      .send(json)
      .expect(201);
    expect(warned.body.metadata.name).toBe('b'); // the last one wins, as upstream
    expect(warned.headers.warning).toContain('duplicate field \\"metadata.name\\"');
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  a: "1"\n  a: "2"\n';
    const yamlStrict = await request(app)
      .post('/api/v1/namespaces/default/configmaps?fieldValidation=Strict')
      .set('Content-Type', 'application/yaml')
      .send(yaml)
      .expect(400);
    expect(yamlStrict.body.message).toContain('duplicate field "data.a"');
  });

  it('patches: unknown fields a patch introduces are checked for all four types; directives and deletions are not', async () => {
    const { app } = await harness();
    await request(app).post(DEPLOYMENTS).send(deployment()).expect(201);
    const patch = (type: string, body: unknown, validation = 'Strict') =>
      request(app)
        .patch(`${DEPLOYMENTS}/web?fieldValidation=${validation}`)
        .set('Content-Type', `application/${type}`)
        .send(JSON.stringify(body));
    expect((await patch('merge-patch+json', { spec: { replicaz: 3 } })).status).toBe(400);
    expect(
      (await patch('strategic-merge-patch+json', { spec: { template: { spec: { hostNetwrk: true } } } })).body
        .message,
    ).toContain('unknown field "spec.template.spec.hostNetwrk"');
    expect(
      (await patch('json-patch+json', [{ op: 'add', path: '/spec/foo', value: 1 }])).body.message,
    ).toContain('unknown field "spec.foo"');
    expect(
      (
        await patch('json-patch+json', [
          { op: 'add', path: '/spec/template/spec/containers/0/env', value: [{ name: 'A', valu: 'x' }] },
        ])
      ).body.message,
    ).toContain('unknown field "spec.template.spec.containers[0].env[0].valu"');
    expect((await patch('apply-patch+yaml', { ...deployment(), status: { nope: 1 } })).status).toBe(400);
    // kubectl apply's SMP with directives, a deletion of a field, and a json patch that removes: all fine.
    const smp = {
      spec: {
        template: {
          spec: {
            $setElementOrder: undefined,
            '$setElementOrder/containers': [{ name: 'c' }],
            containers: [{ name: 'c', image: 'busybox:2', ports: null }],
          },
        },
      },
      metadata: { annotations: { a: 'b' }, unknownButDeleted: null },
    };
    expect((await patch('strategic-merge-patch+json', smp)).status).toBe(200);
    expect(
      (await patch('json-patch+json', [{ op: 'replace', path: '/spec/replicas', value: 2 }])).status,
    ).toBe(200);
    const warned = await patch('merge-patch+json', { spec: { paused: true, pausd: true } }, 'Warn');
    expect(warned.status).toBe(200);
    expect(warned.headers.warning).toBe('299 - "unknown field \\"spec.pausd\\""');
  });
});

describe('helpers', () => {
  it('duplicateJsonKeys names paths through arrays and escaped keys, only for keys', () => {
    expect(duplicateJsonKeys('{"a":[{"x":1,"x":2},{"y":"x","x":"x"}],"b\\"":1,"b\\"":2}')).toEqual([
      'a[0].x',
      'b"',
    ]);
    expect(duplicateJsonKeys('{"a":"{\\"a\\":1,\\"a\\":2}"}')).toEqual([]);
    expect(duplicateJsonKeys('[1,{"k":1,"k":{"k":1}}]')).toEqual(['[1].k']);
  });

  it('fieldValidationOf reads the last value and defaults to Warn', () => {
    expect(fieldValidationOf({})).toBe('Warn');
    expect(fieldValidationOf({ fieldValidation: ['Ignore', 'Strict'] })).toBe('Strict');
  });

  it('JSON Patch pointers through unknown fields are reported at the unknown field', () => {
    const d = def('deployments', 'apps');
    expect(unknownFieldsOf(d, [{ op: 'add', path: '/spec/nope/deeper', value: 1 }], 'json')).toEqual([
      'spec.nope',
    ]);
    expect(unknownFieldsOf(d, [{ op: 'add', path: '/metadata/labels/a~1b', value: 'x' }], 'json')).toEqual(
      [],
    );
    expect(unknownFieldsOf(d, [{ op: 'copy', from: '/x', path: '/y' }], 'json')).toEqual([]);
    expect(apiVersionOf(d)).toBe('apps/v1');
  });
});
