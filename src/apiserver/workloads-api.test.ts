// The apps/v1 and batch/v1 kinds and PersistentVolumeClaims through the HTTP API, as kubectl uses them:
// discovery entries, `kubectl create deployment|job|cronjob` protobuf bodies, server-generated Job selectors,
// validation answers, tables and field selectors.
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { harness } from './test-support.js';

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const fixture = (name: string) => readFileSync(new URL(`./protobuf/testdata/${name}.pb`, import.meta.url));

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const JOBS = '/apis/batch/v1/namespaces/default/jobs';
const CRONJOBS = '/apis/batch/v1/namespaces/default/cronjobs';
const STATEFULSETS = '/apis/apps/v1/namespaces/default/statefulsets';
const PVCS = '/api/v1/namespaces/default/persistentvolumeclaims';

const POD_DEFAULTS = {
  dnsPolicy: 'ClusterFirst',
  schedulerName: 'default-scheduler',
  securityContext: {},
  terminationGracePeriodSeconds: 30,
};

function job(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, ...extra },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } } },
  };
}

describe('discovery of the workload kinds', () => {
  it('aggregated: apps and batch groups with short names, categories and subresources', async () => {
    const { app } = await harness();
    const apis = JSON.parse((await request(app).get('/apis').set('Accept', AGGREGATED).expect(200)).text);
    const groups = apis.items.map((i: any) => i.metadata.name);
    expect(groups.indexOf('apps')).toBeLessThan(groups.indexOf('batch'));
    const resources = (group: string) =>
      apis.items.find((i: any) => i.metadata.name === group).versions[0].resources;
    const deploy = resources('apps').find((r: any) => r.resource === 'deployments');
    expect(deploy).toEqual({
      resource: 'deployments',
      responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      scope: 'Namespaced',
      singularResource: 'deployment',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['deploy'],
      categories: ['all'],
      subresources: [
        {
          subresource: 'scale',
          responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
          verbs: ['get', 'patch', 'update'],
        },
        {
          subresource: 'status',
          responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
          verbs: ['get', 'patch', 'update'],
        },
      ],
    });
    expect(resources('apps').map((r: any) => r.resource)).toEqual([
      'controllerrevisions',
      'daemonsets',
      'deployments',
      'replicasets',
      'statefulsets',
    ]);
    expect(resources('batch').map((r: any) => [r.resource, r.shortNames ?? []])).toEqual([
      ['cronjobs', ['cj']],
      ['jobs', []],
    ]);
    const core = JSON.parse((await request(app).get('/api').set('Accept', AGGREGATED).expect(200)).text);
    const pvc = core.items[0].versions[0].resources.find((r: any) => r.resource === 'persistentvolumeclaims');
    expect(pvc).toMatchObject({
      shortNames: ['pvc'],
      scope: 'Namespaced',
      subresources: [{ subresource: 'status' }],
    });
    expect(pvc.categories).toBeUndefined();
  });

  it('legacy: /apis/apps/v1 lists deployments/scale as autoscaling/v1 Scale', async () => {
    const { app } = await harness();
    const apps = await request(app).get('/apis/apps/v1').expect(200);
    expect(apps.body.resources.find((r: any) => r.name === 'deployments/scale')).toEqual({
      name: 'deployments/scale',
      singularName: '',
      namespaced: true,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
    const names = apps.body.resources.map((r: any) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(['replicasets/scale', 'statefulsets/scale', 'daemonsets/status']),
    );
    expect(names).not.toContain('daemonsets/scale');
    const batch = await request(app).get('/apis/batch/v1').expect(200);
    expect(batch.body.resources.map((r: any) => r.name)).toEqual([
      'cronjobs',
      'cronjobs/status',
      'jobs',
      'jobs/status',
    ]);
  });
});

describe('kubectl create deployment|job|cronjob (protobuf bodies)', () => {
  it('creates the Deployment with defaults applied', async () => {
    const { app } = await harness();
    const res = await request(app)
      .post(`${DEPLOYMENTS}?fieldManager=kubectl-create&fieldValidation=Strict`)
      .set('Content-Type', PROTOBUF)
      .set('Accept', `${PROTOBUF},application/json`)
      .send(fixture('deployment'))
      .expect(201);
    expect(res.body).toMatchObject({
      kind: 'Deployment',
      metadata: { name: 'x', namespace: 'default', generation: 1, labels: { app: 'x' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'x' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        template: {
          spec: {
            ...POD_DEFAULTS,
            restartPolicy: 'Always',
            containers: [
              {
                name: 'nginx',
                image: 'nginx',
                imagePullPolicy: 'Always',
                ports: [{ containerPort: 8080, protocol: 'TCP' }],
              },
            ],
          },
        },
      },
    });
    expect(res.body.status).toBeUndefined();
  });

  it('keeps replicas 0 from `create deployment --replicas=0`', async () => {
    const { app } = await harness();
    const res = await request(app)
      .post(DEPLOYMENTS)
      .set('Content-Type', PROTOBUF)
      .send(fixture('deployment-zero-replicas'))
      .expect(201);
    expect(res.body.spec.replicas).toBe(0);
  });

  it('creates the Job with its generated selector and defaults', async () => {
    const { app } = await harness();
    const res = await request(app).post(JOBS).set('Content-Type', PROTOBUF).send(fixture('job')).expect(201);
    const uid = res.body.metadata.uid;
    const generated = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': 'j',
      'controller-uid': uid,
      'job-name': 'j',
    };
    expect(res.body).toMatchObject({
      metadata: { name: 'j', labels: generated },
      spec: {
        completions: 1,
        parallelism: 1,
        backoffLimit: 6,
        completionMode: 'NonIndexed',
        suspend: false,
        manualSelector: false,
        podReplacementPolicy: 'TerminatingOrFailed',
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
        template: { metadata: { labels: generated }, spec: { ...POD_DEFAULTS, restartPolicy: 'Never' } },
      },
    });
  });

  it('creates the CronJob with defaults', async () => {
    const { app } = await harness();
    const res = await request(app)
      .post(CRONJOBS)
      .set('Content-Type', PROTOBUF)
      .send(fixture('cronjob'))
      .expect(201);
    expect(res.body).toMatchObject({
      metadata: { name: 'cj' },
      spec: {
        schedule: '*/1 * * * *',
        concurrencyPolicy: 'Allow',
        suspend: false,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
        jobTemplate: { spec: { template: { spec: { ...POD_DEFAULTS, restartPolicy: 'OnFailure' } } } },
      },
    });
  });
});

describe('Jobs get their selector from their uid and final name', () => {
  it('a generateName Job is labelled with the name it got', async () => {
    const { app } = await harness({ nameSuffix: () => 'x7k2p' });
    const res = await request(app)
      .post(JOBS)
      .send(job('', { generateName: 'batch-' }))
      .expect(201);
    expect(res.body.metadata.name).toBe('batch-x7k2p');
    expect(res.body.spec.template.metadata.labels['job-name']).toBe('batch-x7k2p');
    expect(res.body.spec.template.metadata.labels['batch.kubernetes.io/job-name']).toBe('batch-x7k2p');
  });

  it('a retried generated name is labelled with the name that was stored', async () => {
    const names = ['taken', 'taken', 'fresh'];
    const { app } = await harness({ nameSuffix: () => names.shift()! });
    await request(app).post(JOBS).send(job('batch-taken')).expect(201);
    const res = await request(app)
      .post(JOBS)
      .send(job('', { generateName: 'batch-' }))
      .expect(201);
    expect(res.body.metadata.name).toBe('batch-fresh');
    expect(res.body.spec.template.metadata.labels['job-name']).toBe('batch-fresh');
  });

  it('updates keep the generated selector; changing the template is refused', async () => {
    const { app } = await harness();
    const created = (await request(app).post(JOBS).send(job('j')).expect(201)).body;
    const suspended = await request(app)
      .patch(`${JOBS}/j`)
      .set('Content-Type', 'application/merge-patch+json')
      .send({ spec: { suspend: true } })
      .expect(200);
    expect(suspended.body.spec.selector).toEqual(created.spec.selector);
    expect(suspended.body.metadata.generation).toBe(2);
    const res = await request(app)
      .patch(`${JOBS}/j`)
      .set('Content-Type', 'application/strategic-merge-patch+json')
      .send({ spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } } })
      .expect(422);
    expect(res.body.details.causes).toEqual([
      expect.objectContaining({
        field: 'spec.template',
        reason: 'FieldValueInvalid',
        message: expect.stringMatching(/field is immutable$/),
      }),
    ]);
  });
});

describe('validation answers', () => {
  it('422 for a Deployment whose selector does not match its template', async () => {
    const { app, store } = await harness();
    const before = await store.revision();
    const res = await request(app)
      .post(DEPLOYMENTS)
      .send({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'other' } },
            spec: { containers: [{ name: 'c', image: 'nginx' }] },
          },
        },
      })
      .expect(422);
    expect(res.body).toMatchObject({
      reason: 'Invalid',
      message:
        'Deployment "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
      details: { group: 'apps', kind: 'Deployment', name: 'web' },
    });
    expect(await store.revision()).toBe(before);
  });

  it('422 for changing a Deployment selector', async () => {
    const { app } = await harness();
    await request(app)
      .post(DEPLOYMENTS)
      .set('Content-Type', PROTOBUF)
      .send(fixture('deployment'))
      .expect(201);
    const res = await request(app)
      .patch(`${DEPLOYMENTS}/x`)
      .set('Content-Type', 'application/merge-patch+json')
      .send({
        spec: {
          selector: { matchLabels: { app: 'x', v: '2' } },
          template: { metadata: { labels: { v: '2' } } },
        },
      })
      .expect(422);
    expect(res.body.details.causes).toEqual([
      {
        field: 'spec.selector',
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      },
    ]);
  });

  it('422 for a CronJob schedule that is not cron', async () => {
    const { app } = await harness();
    const res = await request(app)
      .post(CRONJOBS)
      .send({
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'cj' },
        spec: { schedule: 'every minute', jobTemplate: { spec: job('x').spec } },
      })
      .expect(422);
    expect(res.body.details.causes[0]).toMatchObject({ field: 'spec.schedule', reason: 'FieldValueInvalid' });
  });

  it('a StatefulSet and a PVC round-trip with their defaults', async () => {
    const { app } = await harness();
    const sts = await request(app)
      .post(STATEFULSETS)
      .send({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'web' },
        spec: {
          serviceName: 'nginx',
          selector: { matchLabels: { app: 'nginx' } },
          template: {
            metadata: { labels: { app: 'nginx' } },
            spec: {
              containers: [
                { name: 'nginx', image: 'nginx', volumeMounts: [{ name: 'www', mountPath: '/data' }] },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'www' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
        },
      })
      .expect(201);
    expect(sts.body.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      volumeClaimTemplates: [
        { kind: 'PersistentVolumeClaim', spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
      ],
    });
    const pvc = await request(app)
      .post(PVCS)
      .send({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      })
      .expect(201);
    expect(pvc.body).toMatchObject({ spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  });
});

describe('tables and field selectors', () => {
  it('`kubectl get deploy` gets the Deployment columns', async () => {
    const { app, clock } = await harness();
    await request(app)
      .post(DEPLOYMENTS)
      .set('Content-Type', PROTOBUF)
      .send(fixture('deployment'))
      .expect(201);
    clock.advance(65_000);
    const res = await request(app).get(DEPLOYMENTS).set('Accept', TABLE).expect(200);
    expect(res.body.columnDefinitions.map((c: any) => c.name)).toEqual([
      'Name',
      'Ready',
      'Up-to-date',
      'Available',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ]);
    expect(res.body.columnDefinitions[0].format).toBe('name');
    expect(res.body.rows[0].cells).toEqual(['x', '0/2', 0, 0, '65s', 'nginx', 'nginx', 'app=x']);
  });

  it('jobs can be selected by status.successful; unknown fields are refused', async () => {
    const { app } = await harness();
    await request(app).post(JOBS).send(job('a')).expect(201);
    const none = await request(app).get(`${JOBS}?fieldSelector=status.successful%3D1`).expect(200);
    expect(none.body.items).toEqual([]);
    const zero = await request(app).get(`${JOBS}?fieldSelector=status.successful%3D0`).expect(200);
    expect(zero.body.items.map((j: any) => j.metadata.name)).toEqual(['a']);
    const bad = await request(app).get(`${JOBS}?fieldSelector=spec.parallelism%3D1`).expect(400);
    expect(bad.body.message).toBe('field label not supported: spec.parallelism');
  });
});
