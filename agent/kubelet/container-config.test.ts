import { describe, expect, it } from 'vitest';
import type { Pod, Volume } from '../../src/api/types.js';
import {
  containerResources,
  containerSpec,
  podDns,
  sandboxSpec,
  type NodeConfig,
} from './container-config.js';
import { ContainerConfigError, expand } from './container-env.js';
import { containerMounts, planVolumes } from './pod-volumes.js';

const cfg: NodeConfig = {
  nodeName: 'node-1',
  nodeIP: '192.168.1.10',
  pauseImage: 'skiff/pause:3.10',
  podNetwork: 'skiff',
  clusterDNS: ['10.244.1.1'],
  clusterDomain: 'cluster.local',
};

function pod(spec: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-0',
      namespace: 'shop',
      uid: '0123456789abcdef',
      labels: { app: 'web' },
      annotations: { note: 'x' },
    },
    spec: {
      containers: [{ name: 'app', image: 'busybox:1' }],
      nodeName: 'node-1',
      serviceAccountName: 'default',
      ...spec,
    },
  };
}

const noObjects = { configMaps: new Map(), secrets: new Map() };
const build = (p: Pod) =>
  containerSpec(
    {
      pod: p,
      container: p.spec.containers[0],
      attempt: 2,
      sandbox: { id: 'sb', ip: '10.244.1.5' },
      volumes: planVolumes(p, '/data'),
      env: noObjects,
    },
    cfg,
  );

describe('pod DNS', () => {
  it('ClusterFirst: cluster DNS, the namespace search path and ndots:5', () => {
    expect(podDns(pod(), cfg)).toEqual({
      servers: ['10.244.1.1'],
      searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      options: ['ndots:5'],
    });
  });

  it('falls back to the host resolver without cluster DNS, with Default, and for host-network pods', () => {
    expect(podDns(pod(), { ...cfg, clusterDNS: undefined })).toBeUndefined();
    expect(podDns(pod({ dnsPolicy: 'Default' }), cfg)).toBeUndefined();
    expect(podDns(pod({ hostNetwork: true }), cfg)).toBeUndefined();
    expect(podDns(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), cfg)?.servers).toEqual([
      '10.244.1.1',
    ]);
  });

  it('None uses dnsConfig alone; dnsConfig extends the other policies', () => {
    const dnsConfig = {
      nameservers: ['1.1.1.1'],
      searches: ['corp.example'],
      options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
    };
    expect(podDns(pod({ dnsPolicy: 'None', dnsConfig }), cfg)).toEqual({
      servers: ['1.1.1.1'],
      searches: ['corp.example'],
      options: ['ndots:2', 'edns0'],
    });
    expect(podDns(pod({ dnsConfig }), cfg)).toEqual({
      servers: ['10.244.1.1', '1.1.1.1'],
      searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'],
      options: ['ndots:2', 'edns0'],
    });
  });
});

describe('sandbox spec', () => {
  it('names, labels, hostname, network, host ports and the subdomain FQDN', () => {
    const p = pod({
      subdomain: 'web',
      containers: [
        {
          name: 'app',
          image: 'nginx:1',
          ports: [
            { containerPort: 80, hostPort: 8080 },
            { containerPort: 53, protocol: 'UDP' },
          ],
        },
      ],
      terminationGracePeriodSeconds: 12,
    });
    const s = sandboxSpec(p, 1, cfg, new Map());
    expect(s.name).toBe('skiff_POD_web-0_shop_01234567_1');
    expect(s.labels).toEqual({
      'io.skiff.node': 'node-1',
      'io.skiff.pod.uid': '0123456789abcdef',
      'io.skiff.pod.name': 'web-0',
      'io.skiff.pod.namespace': 'shop',
      'io.skiff.container.name': 'POD',
      'io.skiff.container.attempt': '1',
      'io.skiff.pod.termination-grace-period': '12',
    });
    expect(s.hostname).toBe('web-0');
    expect(s.domainname).toBe('web.shop.svc.cluster.local');
    expect(s.network).toBe('skiff');
    expect(s.image).toBe('skiff/pause:3.10');
    expect(s.ports).toEqual([{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }]);
    expect(sandboxSpec(pod({ hostname: 'custom', hostNetwork: true }), 0, cfg, new Map())).toMatchObject({
      hostname: 'custom',
      network: 'host',
    });
  });
});

describe('container spec', () => {
  it('maps command/args, env with the downward API and $(VAR) expansion, workingDir and labels', () => {
    const p = pod({
      containers: [
        {
          name: 'app',
          image: 'busybox:1',
          command: ['sh', '-c'],
          args: ['echo $(GREETING) from $(NODE)'],
          workingDir: '/srv',
          env: [
            { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'GREETING', value: 'hi $(POD_NAME)' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
            { name: 'NOTE', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
            { name: 'IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } },
            { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
            { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
            { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
          ],
        },
      ],
    });
    const s = build(p);
    expect(s.entrypoint).toEqual(['sh', '-c']);
    // GREETING refers to POD_NAME before it is defined, so it stays literal (as in Kubernetes).
    expect(s.cmd).toEqual(['echo hi $(POD_NAME) from node-1']);
    expect(s.env).toEqual([
      'NODE=node-1',
      'GREETING=hi $(POD_NAME)',
      'POD_NAME=web-0',
      'APP=web',
      'NOTE=x',
      'IPS=10.244.1.5',
      'HOST=192.168.1.10',
      'SA=default',
      'UID=0123456789abcdef',
    ]);
    expect(s.workingDir).toBe('/srv');
    expect(s.name).toBe('skiff_app_web-0_shop_01234567_2');
    expect(s.sandboxId).toBe('sb');
    expect(s.labels).toMatchObject({
      'io.skiff.container.name': 'app',
      'io.skiff.container.attempt': '2',
      'io.skiff.sandbox.id': 'sb',
    });
    expect(s.labels['io.skiff.container.hash']).toMatch(/^[0-9a-f]{16}$/);
  });

  it('maps securityContext and stdin/tty', () => {
    const p = pod({
      securityContext: { runAsUser: 1000 },
      containers: [
        {
          name: 'app',
          image: 'busybox:1',
          stdin: true,
          tty: true,
          securityContext: {
            runAsGroup: 3000,
            privileged: true,
            readOnlyRootFilesystem: true,
            capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
          },
        },
      ],
    });
    expect(build(p)).toMatchObject({
      user: '1000:3000',
      privileged: true,
      readOnlyRootfs: true,
      capAdd: ['NET_ADMIN'],
      capDrop: ['ALL'],
      stdin: true,
      tty: true,
    });
    const root = pod({
      containers: [{ name: 'app', image: 'x', securityContext: { runAsUser: 0, runAsNonRoot: true } }],
    });
    expect(() => build(root)).toThrow(ContainerConfigError);
  });

  it('unsupported env sources are configuration errors', () => {
    const p = pod({
      containers: [
        {
          name: 'app',
          image: 'x',
          env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.nope' } } }],
        },
      ],
    });
    expect(() => build(p)).toThrow('unsupported fieldRef fieldPath: spec.nope');
    const s = pod({
      containers: [
        {
          name: 'app',
          image: 'x',
          env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
        },
      ],
    });
    expect(() => build(s)).toThrow('secret "s" not found');
  });

  it('reads secrets (base64) and envFrom with prefixes', () => {
    const p = pod({
      containers: [
        {
          name: 'app',
          image: 'x',
          envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'c' } }],
          env: [{ name: 'PASS', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } }],
        },
      ],
    });
    const env = {
      configMaps: new Map([
        ['c', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } }],
      ]),
      secrets: new Map([
        [
          's',
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 's' },
            data: { password: Buffer.from('pw').toString('base64') },
          },
        ],
      ]),
    };
    const s = containerSpec(
      { pod: p, container: p.spec.containers[0], attempt: 0, sandbox: { id: 'sb' }, volumes: new Map(), env },
      cfg,
    );
    expect(s.env).toEqual(['CFG_a=1', 'PASS=pw']);
  });
});

describe('resources', () => {
  it('limits become hard caps, the cpu request becomes shares (min 2)', () => {
    expect(
      containerResources({
        name: 'a',
        resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } },
      }),
    ).toEqual({
      nanoCpus: 500_000_000,
      memoryBytes: 134217728,
      cpuShares: 256,
    });
    expect(containerResources({ name: 'a', resources: { limits: { cpu: '2' } } })).toEqual({
      nanoCpus: 2e9,
      cpuShares: 2048,
    });
    expect(containerResources({ name: 'a' })).toEqual({ cpuShares: 2 });
    expect(containerResources({ name: 'a', resources: { requests: { cpu: '1m' } } })).toEqual({
      cpuShares: 2,
    });
  });
});

describe('volumes', () => {
  const p = pod({
    volumes: [
      { name: 'data', emptyDir: {} },
      { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      { name: 'logs', hostPath: { path: '/var/log', type: 'Directory' } },
    ],
  });

  it('plans emptyDir under the data dir, memory emptyDir as tmpfs volumes, hostPath as is', () => {
    expect([...planVolumes(p, '/data').values()]).toEqual([
      { kind: 'emptyDir', name: 'data', hostPath: '/data/pods/0123456789abcdef/volumes/empty-dir/data' },
      { kind: 'tmpfs', name: 'mem', volumeName: 'skiff-0123456789abcdef-mem', sizeBytes: 67108864 },
      { kind: 'hostPath', name: 'logs', hostPath: '/var/log', type: 'Directory' },
    ]);
    const projected = { name: 'c', projected: { sources: [] } } as Volume;
    expect(() => planVolumes(pod({ volumes: [projected] }), '/data')).toThrow(
      'volume "c": projected volumes are not supported by skiff yet',
    );
  });

  it('maps volumeMounts with readOnly and subPath, rejecting escapes and unknown volumes', () => {
    const vols = planVolumes(p, '/data');
    expect(
      containerMounts(
        {
          name: 'app',
          volumeMounts: [
            { name: 'data', mountPath: '/a', subPath: 'sub/dir' },
            { name: 'mem', mountPath: '/m' },
            { name: 'logs', mountPath: '/l', readOnly: true },
          ],
        },
        vols,
      ),
    ).toEqual([
      {
        type: 'bind',
        source: '/data/pods/0123456789abcdef/volumes/empty-dir/data/sub/dir',
        target: '/a',
        readOnly: false,
      },
      { type: 'volume', source: 'skiff-0123456789abcdef-mem', target: '/m', readOnly: false },
      { type: 'bind', source: '/var/log', target: '/l', readOnly: true },
    ]);
    expect(() =>
      containerMounts(
        { name: 'app', volumeMounts: [{ name: 'data', mountPath: '/a', subPath: '../x' }] },
        vols,
      ),
    ).toThrow(ContainerConfigError);
    expect(() =>
      containerMounts({ name: 'app', volumeMounts: [{ name: 'nope', mountPath: '/a' }] }, vols),
    ).toThrow('unable to find volume "nope" for container "app"');
  });
});

describe('$(VAR) expansion', () => {
  it('follows Kubernetes rules', () => {
    const vars: Record<string, string> = { A: 'x', B: 'y' };
    const lookup = (n: string) => vars[n];
    expect(expand('$(A)-$(B)', lookup)).toBe('x-y');
    expect(expand('$$(A)', lookup)).toBe('$(A)');
    expect(expand('$(MISSING)', lookup)).toBe('$(MISSING)');
    expect(expand('cost $5 $(A', lookup)).toBe('cost $5 $(A');
    expect(expand('$', lookup)).toBe('$');
  });
});
