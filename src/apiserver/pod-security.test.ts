import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import { ApiError } from '../common/errors.js';
import { MemoryStore } from '../store/memory-store.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { ENFORCE_LABEL, WARN_LABEL, enforceLevel, validatePodSecurityLabels } from './pod-security.js';
import { ResourceService } from './resource-service.js';
import { harness, NAMESPACES, PODS } from './test-support.js';

const PODS_URL = '/api/v1/namespaces/default/pods';
const HINT = `(set the namespace label ${ENFORCE_LABEL}=privileged to allow)`;

function podWith(
  name: string,
  spec: Record<string, unknown>,
  container: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox', ...container }], ...spec },
  };
}

const privileged = (name: string) => podWith(name, {}, { securityContext: { privileged: true } });

/** What `kubectl label ns <ns> <label>=<value>` sends. */
function label(app: Parameters<typeof request>[0], ns: string, value: string | null) {
  return request(app)
    .patch(`/api/v1/namespaces/${ns}?fieldManager=kubectl-label`)
    .set('Content-Type', 'application/merge-patch+json')
    .send({ metadata: { labels: { [ENFORCE_LABEL]: value } } });
}

describe('Pod Security admission over HTTP', () => {
  it('refuses a privileged pod in default naming the field and the label; allowed after kubectl label', async () => {
    const { app, store } = await harness();
    const before = await store.revision();
    const res = await request(app)
      .post(`${PODS_URL}?fieldManager=kubectl-create`)
      .send(privileged('x'))
      .expect(403);
    expect(res.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      details: { name: 'x', group: '', kind: 'pods' },
    });
    expect(res.body.message).toBe(
      `pods "x" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true) ${HINT}`,
    );
    expect(await store.revision()).toBe(before);
    await request(app).post(`${PODS_URL}?dryRun=All`).send(privileged('x')).expect(403);

    const labelled = await label(app, 'default', 'privileged').expect(200);
    expect(labelled.body.metadata.labels[ENFORCE_LABEL]).toBe('privileged');
    await request(app).post(PODS_URL).send(privileged('x')).expect(201);
  });

  it('refuses each of the host and capability settings the issue names, in one message', async () => {
    const { app } = await harness();
    const pod = podWith(
      'all',
      {
        hostNetwork: true,
        hostPID: true,
        hostIPC: true,
        volumes: [{ name: 'root', hostPath: { path: '/' } }],
      },
      {
        securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } },
        volumeMounts: [{ name: 'root', mountPath: '/host' }],
      },
    );
    const res = await request(app).post(PODS_URL).send(pod).expect(403);
    expect(res.body.message).toBe(
      'pods "all" is forbidden: violates PodSecurity "baseline:latest": ' +
        'non-default capabilities (container "c" must not include "SYS_ADMIN" in securityContext.capabilities.add), ' +
        'host namespaces (hostIPC=true, hostNetwork=true, hostPID=true), hostPath volumes (volume "root"), ' +
        `privileged (container "c" must not set securityContext.privileged=true) ${HINT}`,
    );
    // The default capabilities stay allowed.
    await request(app)
      .post(PODS_URL)
      .send(
        podWith('caps', {}, { securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'] } } }),
      )
      .expect(201);
  });

  it('kube-system is seeded privileged; an older kube-system without the label gets it', async () => {
    const { app, service } = await harness();
    await request(app).post('/api/v1/namespaces/kube-system/pods').send(privileged('proxy')).expect(201);
    const ns = await service.get(NAMESPACES, undefined, 'kube-system');
    expect(ns.metadata.labels?.[ENFORCE_LABEL]).toBe('privileged');

    const store = new MemoryStore();
    const old = new ResourceService({ store, registry: defaultRegistry(), clock: new FakeClock() });
    await old.create(NAMESPACES, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'kube-system' },
    });
    await old.ensureSystemNamespaces();
    const upgraded = await old.get(NAMESPACES, undefined, 'kube-system');
    expect(upgraded.metadata.labels?.[ENFORCE_LABEL]).toBe('privileged');
    // An admin's explicit choice is kept across restarts.
    await old.patch(NAMESPACES, undefined, 'kube-system', 'merge', {
      metadata: { labels: { [ENFORCE_LABEL]: 'baseline' } },
    });
    await old.ensureSystemNamespaces();
    expect((await old.get(NAMESPACES, undefined, 'kube-system')).metadata.labels?.[ENFORCE_LABEL]).toBe(
      'baseline',
    );
  });

  it('workloads are admitted with a Warning (as upstream); their pods are then refused', async () => {
    const { app, service } = await harness();
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { hostNetwork: true, containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    };
    const res = await request(app)
      .post('/apis/apps/v1/namespaces/default/deployments')
      .send(deployment)
      .expect(201);
    expect(res.headers.warning).toBe(
      `299 - "would violate PodSecurity \\"baseline:latest\\": host namespaces (hostNetwork=true) (set the namespace label ${ENFORCE_LABEL}=privileged to allow)"`,
    );
    // A scale (template unchanged) does not warn again.
    const scaled = await request(app)
      .patch('/apis/apps/v1/namespaces/default/deployments/web')
      .set('Content-Type', 'application/merge-patch+json')
      .send({ spec: { replicas: 3 } })
      .expect(200);
    expect(scaled.headers.warning).toBeUndefined();
    // What the ReplicaSet controller's create meets: the message names the generateName prefix, as upstream.
    const err = await service
      .create(PODS, 'default', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: 'web-5d4f8-' },
        spec: deployment.spec.template.spec,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(
      /^pods "web-5d4f8-" is forbidden: violates PodSecurity "baseline:latest": host namespaces/,
    );
  });

  it('the warn label admits what its level would refuse, with a Warning and no hint', async () => {
    const { app } = await harness();
    await request(app)
      .patch('/api/v1/namespaces/default')
      .set('Content-Type', 'application/merge-patch+json')
      .send({ metadata: { labels: { [WARN_LABEL]: 'restricted' } } })
      .expect(200);
    // Admitted by the enforced baseline; restricted would refuse it (it runs as whatever user, keeps capabilities).
    const res = await request(app).post(PODS_URL).send(podWith('plain', {})).expect(201);
    expect(res.headers.warning).toMatch(
      /^299 - "would violate PodSecurity \\"restricted:latest\\": allowPrivilegeEscalation != false .*runAsNonRoot != true.*"$/,
    );
    expect(res.headers.warning).not.toContain('to allow');
    // What the enforced level refuses is still refused.
    await request(app).post(PODS_URL).send(privileged('priv')).expect(403);
    // A pod that meets restricted draws no warning.
    const ok = await request(app)
      .post(PODS_URL)
      .send(
        podWith(
          'tight',
          { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } },
          { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
        ),
      )
      .expect(201);
    expect(ok.headers.warning).toBeUndefined();
    // Without the label nothing warns.
    await request(app)
      .patch('/api/v1/namespaces/default')
      .set('Content-Type', 'application/merge-patch+json')
      .send({ metadata: { labels: { [WARN_LABEL]: null } } })
      .expect(200);
    const quiet = await request(app).post(PODS_URL).send(podWith('plain2', {})).expect(201);
    expect(quiet.headers.warning).toBeUndefined();
  });

  it('a restricted namespace names the level that would allow a pod', async () => {
    const { app } = await harness();
    await request(app)
      .post('/api/v1/namespaces')
      .send({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'secure', labels: { [ENFORCE_LABEL]: 'restricted' } },
      })
      .expect(201);
    const res = await request(app)
      .post('/api/v1/namespaces/secure/pods')
      .send(podWith('plain', {}))
      .expect(403);
    expect(res.body.message).toContain(
      'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false',
    );
    expect(res.body.message).toContain(`(set the namespace label ${ENFORCE_LABEL}=baseline to allow)`);
    const hardened = podWith(
      'hardened',
      { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } },
      { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
    );
    await request(app).post('/api/v1/namespaces/secure/pods').send(hardened).expect(201);
  });

  it('an invalid level label is refused with 422; updates that leave security alone pass', async () => {
    const { app } = await harness();
    const bad = await label(app, 'default', 'strict').expect(422);
    expect(bad.body.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: `metadata.labels[${ENFORCE_LABEL}]`,
        message: 'Invalid value: "strict": must be one of privileged, baseline, restricted',
      },
    ]);
    await label(app, 'default', 'privileged').expect(200);
    await request(app).post(PODS_URL).send(privileged('p')).expect(201);
    await label(app, 'default', null).expect(200); // back to the baseline default
    // Labels and images of an existing privileged pod may still change (upstream's isSignificantPodUpdate).
    await request(app)
      .patch(`${PODS_URL}/p`)
      .set('Content-Type', 'application/merge-patch+json')
      .send({ metadata: { labels: { tier: 'x' } } })
      .expect(200);
    await request(app)
      .patch(`${PODS_URL}/p`)
      .set('Content-Type', 'application/strategic-merge-patch+json')
      .send({ spec: { containers: [{ name: 'c', image: 'busybox:2' }] } })
      .expect(200);
  });
});

describe('namespace levels', () => {
  const ns = (labels?: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'n', ...(labels ? { labels } : {}) },
  });

  it('absent means baseline, an unknown value enforces restricted', () => {
    expect(enforceLevel(undefined)).toBe('baseline');
    expect(enforceLevel(ns())).toBe('baseline');
    expect(enforceLevel(ns({ [ENFORCE_LABEL]: 'privileged' }))).toBe('privileged');
    expect(enforceLevel(ns({ [ENFORCE_LABEL]: 'bogus' }))).toBe('restricted');
  });

  it('validates the level and version labels of every mode', () => {
    expect(validatePodSecurityLabels(ns({ 'pod-security.kubernetes.io/warn-version': 'v1.32' }))).toEqual([]);
    expect(
      validatePodSecurityLabels(
        ns({ 'pod-security.kubernetes.io/audit': 'x', 'pod-security.kubernetes.io/enforce-version': '1.32' }),
      ).map((e) => e.field),
    ).toEqual([
      'metadata.labels[pod-security.kubernetes.io/enforce-version]',
      'metadata.labels[pod-security.kubernetes.io/audit]',
    ]);
  });
});
