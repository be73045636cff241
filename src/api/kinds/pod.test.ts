import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../common/errors.js';
import type { Container, Pod, PodSpec } from '../types.js';
import { podDef } from './pod.js';

function pod(spec: Partial<PodSpec> = {}, extra: Partial<Pod> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...spec },
    ...extra,
  };
}

function defaulted(p: Pod): Pod {
  podDef.defaults!(p);
  return p;
}

/** Validation errors as kubectl prints them: `field: message`. */
function problems(p: Pod, old?: Pod): string[] {
  return podDef.validate!(p, old).map((e: FieldError) => `${e.field}: ${e.message}`);
}

describe('pod defaults', () => {
  it('fills the pod-level defaults', () => {
    const p = defaulted(pod());
    expect(p.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      securityContext: {},
    });
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('merges defaults into the "status": {} that kubectl run sends, keeping what is there', () => {
    expect(defaulted(pod({}, { status: {} })).status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    expect(defaulted(pod({}, { status: { phase: 'Running', qosClass: 'Burstable' } })).status).toEqual({
      phase: 'Running',
      qosClass: 'Burstable',
    });
  });

  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v1', 'IfNotPresent'],
    ['busybox@sha256:abc', 'IfNotPresent'],
  ])('imagePullPolicy for %s is %s', (image, policy) => {
    expect(defaulted(pod({ containers: [{ name: 'a', image }] })).spec.containers[0].imagePullPolicy).toBe(
      policy,
    );
  });

  it('fills container, port, probe and env defaults', () => {
    const c: Container = {
      name: 'a',
      image: 'x:1',
      ports: [{ containerPort: 80 }],
      livenessProbe: { httpGet: { port: 80 } },
      readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 5 },
      env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
      resources: { limits: { cpu: '1', memory: '1Gi' } },
    };
    const out = defaulted(pod({ containers: [c] })).spec.containers[0];
    expect(out.terminationMessagePath).toBe('/dev/termination-log');
    expect(out.terminationMessagePolicy).toBe('File');
    expect(out.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(out.livenessProbe).toEqual({
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(out.readinessProbe?.periodSeconds).toBe(5);
    expect(out.env?.[0].valueFrom?.fieldRef?.apiVersion).toBe('v1');
    expect(out.resources?.requests).toEqual({ cpu: '1', memory: '1Gi' });
  });

  it('computes the QoS class after requests default from limits', () => {
    const p = defaulted(
      pod({ containers: [{ name: 'a', image: 'x:1', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }),
    );
    expect(p.status?.qosClass).toBe('Guaranteed');
    const b = defaulted(
      pod({ containers: [{ name: 'a', image: 'x:1', resources: { requests: { cpu: '100m' } } }] }),
    );
    expect(b.status?.qosClass).toBe('Burstable');
  });

  it('makes a volume without a source an emptyDir and defaults modes', () => {
    const p = defaulted(
      pod({
        volumes: [
          { name: 'scratch' },
          { name: 'cfg', configMap: { name: 'c' } },
          { name: 'host', hostPath: { path: '/var/log' } },
        ],
      }),
    );
    expect(p.spec.volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
      { name: 'host', hostPath: { path: '/var/log', type: '' } },
    ]);
  });

  it('survives malformed input (validation reports it later)', () => {
    const bad = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'x' },
      spec: { containers: 'nope', volumes: [null] },
    };
    expect(() => podDef.defaults!(bad as unknown as Pod)).not.toThrow();
    expect(() => podDef.defaults!({ apiVersion: 'v1', kind: 'Pod', metadata: {} } as Pod)).not.toThrow();
  });
});

describe('pod update validation', () => {
  const old = () =>
    defaulted(
      pod({ tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }] }),
    );

  it('allows changing images, activeDeadlineSeconds and adding tolerations', () => {
    const next = old();
    next.spec.containers[0].image = 'nginx:1.28';
    next.spec.tolerations!.push({ key: 'b', operator: 'Exists' });
    next.spec.tolerations![0].tolerationSeconds = 10;
    expect(problems(next, old())).toEqual([]);
  });

  it('allows binding (setting nodeName once) but not moving a bound pod', () => {
    const bound = old();
    bound.spec.nodeName = 'node-1';
    expect(problems(bound, old())).toEqual([]);
    const moved = structuredClone(bound);
    moved.spec.nodeName = 'node-2';
    expect(problems(moved, bound)[0]).toBe('spec.nodeName: Forbidden: pod is already bound to node "node-1"');
  });

  it('forbids other spec changes with the Kubernetes message', () => {
    const next = old();
    next.spec.restartPolicy = 'Never';
    const [msg] = problems(next, old());
    expect(
      msg.startsWith(
        'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      ),
    ).toBe(true);
    expect(msg).toContain('spec.restartPolicy');
  });

  it('forbids adding containers and removing tolerations', () => {
    const more = old();
    more.spec.containers.push({ name: 'side', image: 'x:1' });
    defaulted(more);
    expect(problems(more, old())).toEqual([
      'spec.containers: Forbidden: pod updates may not add or remove containers',
    ]);
    const fewer = old();
    fewer.spec.tolerations = [];
    expect(problems(fewer, old())).toEqual([
      'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
    ]);
  });

  it('only lets activeDeadlineSeconds shrink', () => {
    const o = defaulted(pod({ activeDeadlineSeconds: 60 }));
    const longer = defaulted(pod({ activeDeadlineSeconds: 120 }));
    expect(problems(longer, o)).toEqual([
      'spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal to previous value',
    ]);
    expect(problems(defaulted(pod({ activeDeadlineSeconds: 30 })), o)).toEqual([]);
  });
});

describe('pod discovery data and field selectors', () => {
  it('has the names kubectl expects', () => {
    expect(podDef).toMatchObject({
      group: '',
      version: 'v1',
      resource: 'pods',
      kind: 'Pod',
      listKind: 'PodList',
      singular: 'pod',
      namespaced: true,
      shortNames: ['po'],
      categories: ['all'],
      statusSubresource: true,
    });
    expect(podDef.subresources.map((s) => s.name)).toEqual([
      'attach',
      'binding',
      'eviction',
      'exec',
      'log',
      'status',
    ]);
    expect(podDef.columns.map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ]);
    expect(podDef.columns.filter((c) => c.priority === 1)).toHaveLength(4);
    expect(podDef.columns[0].format).toBe('name');
  });

  it('exposes the selectable fields', () => {
    const p = defaulted(pod({ nodeName: 'n1', serviceAccountName: 'sa' }));
    p.status!.podIP = '10.244.1.5';
    expect(podDef.fields!(p)).toEqual({
      'spec.nodeName': 'n1',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': 'sa',
      'spec.hostNetwork': 'false',
      'status.phase': 'Pending',
      'status.podIP': '10.244.1.5',
      'status.nominatedNodeName': '',
    });
  });
});
