// Pod create validation: the messages kubectl prints for the usual mistakes.
import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../common/errors.js';
import type { Pod, PodSpec } from '../types.js';
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

describe('pod validation', () => {
  it('accepts a defaulted pod', () => {
    expect(problems(defaulted(pod()))).toEqual([]);
  });

  it.each<[string, Partial<PodSpec>, string[]]>([
    ['no containers', { containers: [] }, ['spec.containers: Required value']],
    ['missing image', { containers: [{ name: 'app' }] }, ['spec.containers[0].image: Required value']],
    ['missing name', { containers: [{ name: '', image: 'x' }] }, ['spec.containers[0].name: Required value']],
    [
      'duplicate names',
      {
        containers: [
          { name: 'a', image: 'x' },
          { name: 'a', image: 'y' },
        ],
      },
      ['spec.containers[1].name: Duplicate value: "a"'],
    ],
    [
      'init container name clashing with a container',
      { initContainers: [{ name: 'app', image: 'x' }] },
      ['spec.initContainers[0].name: Duplicate value: "app"'],
    ],
    [
      'port out of range',
      { containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 70000 }] }] },
      [
        'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      ],
    ],
    [
      'bad protocol',
      { containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, protocol: 'HTTP' as 'TCP' }] }] },
      [
        'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      ],
    ],
    [
      'requests above limits',
      {
        containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }],
      },
      [
        'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
      ],
    ],
    [
      'invalid quantity',
      { containers: [{ name: 'a', image: 'x', resources: { limits: { memory: 'lots' } } }] },
      // Reported twice: the request defaulted from the limit is just as invalid.
      ['limits', 'requests'].map(
        (k) =>
          `spec.containers[0].resources.${k}[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
      ),
    ],
    [
      'unknown resource name',
      { containers: [{ name: 'a', image: 'x', resources: { limits: { gpu: '1' } } }] },
      ['limits', 'requests'].map(
        (k) =>
          `spec.containers[0].resources.${k}[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified`,
      ),
    ],
    [
      'probe without handler',
      { containers: [{ name: 'a', image: 'x', livenessProbe: { periodSeconds: 5 } }] },
      ['spec.containers[0].livenessProbe: Required value: must specify a handler type'],
    ],
    [
      'probe with two handlers',
      {
        containers: [
          { name: 'a', image: 'x', readinessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } },
        ],
      },
      ['spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type'],
    ],
    [
      'liveness successThreshold',
      {
        containers: [
          { name: 'a', image: 'x', livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } },
        ],
      },
      ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
    ],
    [
      'bad env name',
      { containers: [{ name: 'a', image: 'x', env: [{ name: 'A=B', value: '1' }] }] },
      [
        'spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\'',
      ],
    ],
    [
      'mount of an undeclared volume',
      { containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
      ['spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    ],
    [
      'duplicate volume names',
      {
        volumes: [
          { name: 'v', emptyDir: {} },
          { name: 'v', emptyDir: {} },
        ],
      },
      ['spec.volumes[1].name: Duplicate value: "v"'],
    ],
    [
      'volume with two sources',
      { volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }] },
      ['spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type'],
    ],
    [
      'relative hostPath',
      { volumes: [{ name: 'v', hostPath: { path: 'var/log' } }] },
      ['spec.volumes[0].hostPath.path: Invalid value: "var/log": must be an absolute path'],
    ],
    [
      'bad restart policy',
      { restartPolicy: 'Sometimes' as 'Always' },
      [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      ],
    ],
    [
      'bad dns policy',
      { dnsPolicy: 'Google' as 'Default' },
      [
        'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
      ],
    ],
    [
      'duplicate mount paths and an absolute subPath',
      {
        volumes: [{ name: 'v', emptyDir: {} }],
        containers: [
          {
            name: 'a',
            image: 'x',
            volumeMounts: [
              { name: 'v', mountPath: '/data' },
              { name: 'v', mountPath: '/data', subPath: '/etc' },
            ],
          },
        ],
      },
      [
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique',
        'spec.containers[0].volumeMounts[1].subPath: Invalid value: "/etc": must be a relative path',
      ],
    ],
    [
      'env with both value and valueFrom',
      {
        containers: [
          {
            name: 'a',
            image: 'x',
            env: [{ name: 'A', value: '1', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          },
        ],
      },
      [
        'spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      ],
    ],
    [
      'probes on a plain init container',
      { initContainers: [{ name: 'init', image: 'x', readinessProbe: { exec: { command: ['true'] } } }] },
      [
        'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      ],
    ],
    [
      'restartPolicy on a regular container',
      { containers: [{ name: 'a', image: 'x', restartPolicy: 'Always' }] },
      ['spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers'],
    ],
    [
      'named probe port',
      { containers: [{ name: 'a', image: 'x', livenessProbe: { httpGet: { port: 'Web_Port' } } }] },
      [
        'spec.containers[0].livenessProbe.httpGet.port: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      ],
    ],
    [
      'volume without name and a configMap without name',
      { volumes: [{ name: '', configMap: {} }] },
      ['spec.volumes[0].name: Required value', 'spec.volumes[0].configMap.name: Required value'],
    ],
    [
      'toleration without key must be Exists',
      { tolerations: [{ operator: 'Equal', value: 'x' }] },
      [
        'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      ],
    ],
  ])('%s', (_name, spec, want) => {
    expect(problems(defaulted(pod(spec)))).toEqual(want);
  });

  it('reports an upper-case pod name with the RFC 1123 message', () => {
    const p = defaulted(pod());
    p.metadata.name = 'Web';
    expect(problems(p)).toEqual([
      "metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
  });

  it('reports malformed shapes instead of crashing', () => {
    const bad = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'x', namespace: 'd' },
      spec: { containers: 'nope' },
    };
    expect(problems(bad as unknown as Pod)).toContain('spec.containers: Required value');
    const noSpec = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'd' } };
    expect(problems(noSpec as unknown as Pod)).toContain('spec: Required value');
  });
});
