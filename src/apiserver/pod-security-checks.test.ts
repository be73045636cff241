import { describe, expect, it } from 'vitest';
import { describeViolations, evaluatePodSecurity, type PodSecurityLevel } from './pod-security-checks.js';

const container = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  image: 'busybox',
  ...extra,
});
const sc = (securityContext: Record<string, unknown>) => ({ securityContext });

function baseline(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): string {
  return describeViolations(evaluatePodSecurity('baseline', metadata, spec));
}

describe('baseline checks, with upstream’s messages', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'privileged',
      { containers: [container('c', sc({ privileged: true }))] },
      'privileged (container "c" must not set securityContext.privileged=true)',
    ],
    [
      'privileged in init containers, plural',
      {
        containers: [container('a', sc({ privileged: true }))],
        initContainers: [container('i', sc({ privileged: true }))],
      },
      'privileged (containers "a", "i" must not set securityContext.privileged=true)',
    ],
    [
      'host namespaces, sorted',
      { hostPID: true, hostNetwork: true, hostIPC: true, containers: [container('c')] },
      'host namespaces (hostIPC=true, hostNetwork=true, hostPID=true)',
    ],
    [
      'hostPath volumes',
      {
        volumes: [
          { name: 'v', hostPath: { path: '/' } },
          { name: 'e', emptyDir: {} },
        ],
        containers: [container('c')],
      },
      'hostPath volumes (volume "v")',
    ],
    [
      'added capabilities beyond the default set',
      {
        containers: [
          container('a', sc({ capabilities: { add: ['NET_ADMIN', 'CHOWN'] } })),
          container('b', sc({ capabilities: { add: ['SYS_ADMIN', 'NET_ADMIN'] } })),
        ],
      },
      'non-default capabilities (containers "a", "b" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)',
    ],
    [
      'host ports',
      {
        containers: [
          container('c', { ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] }),
        ],
      },
      'hostPort (container "c" uses hostPort 8080)',
    ],
    [
      'unsafe sysctls',
      {
        securityContext: {
          sysctls: [
            { name: 'net.core.somaxconn', value: '1' },
            { name: 'kernel.shm_rmid_forced', value: '1' },
          ],
        },
        containers: [container('c')],
      },
      'forbidden sysctls (net.core.somaxconn)',
    ],
    [
      'proc mount',
      { containers: [container('c', sc({ procMount: 'Unmasked' }))] },
      'procMount (container "c" must not set securityContext.procMount to "Unmasked")',
    ],
    [
      'seccomp Unconfined',
      { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [container('c')] },
      'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
    [
      'AppArmor Unconfined',
      { containers: [container('c', sc({ appArmorProfile: { type: 'Unconfined' } }))] },
      'forbidden AppArmor profile (container "c" must not set AppArmor profile type to "Unconfined")',
    ],
    [
      'SELinux type, user and role',
      {
        securityContext: { seLinuxOptions: { type: 'spc_t' } },
        containers: [container('c', sc({ seLinuxOptions: { user: 'root', role: 'sysadm_r' } }))],
      },
      'seLinuxOptions (pod and container "c" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set; role may not be set)',
    ],
    [
      'Windows HostProcess',
      { containers: [container('c', sc({ windowsOptions: { hostProcess: true } }))] },
      'hostProcess (container "c" must not set securityContext.windowsOptions.hostProcess=true)',
    ],
  ])('%s', (_what, spec, expected) => {
    expect(baseline(spec)).toBe(expected);
  });

  it('reports several checks in upstream order (by check ID)', () => {
    const spec = {
      hostNetwork: true,
      volumes: [{ name: 'root', hostPath: { path: '/' } }],
      containers: [container('c', sc({ privileged: true }))],
    };
    expect(baseline(spec)).toBe(
      'host namespaces (hostNetwork=true), hostPath volumes (volume "root"), privileged (container "c" must not set securityContext.privileged=true)',
    );
  });

  it('allows what the baseline allows', () => {
    const spec = {
      securityContext: {
        sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65535' }],
        seccompProfile: { type: 'RuntimeDefault' },
        seLinuxOptions: { type: 'container_t', level: 's0:c1' },
      },
      volumes: [{ name: 'e', emptyDir: {} }],
      containers: [
        container('c', {
          ports: [{ containerPort: 80, hostPort: 0 }],
          ...sc({
            privileged: false,
            capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'], drop: ['ALL'] },
            procMount: 'Default',
            appArmorProfile: { type: 'Localhost', localhostProfile: 'p' },
          }),
        }),
      ],
    };
    expect(evaluatePodSecurity('baseline', {}, spec)).toEqual([]);
    expect(evaluatePodSecurity('privileged', {}, { hostNetwork: true })).toEqual([]);
  });

  it('reads the AppArmor annotations too', () => {
    const meta = { annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' } };
    expect(baseline({ containers: [container('c')] }, meta)).toBe(
      'forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/c="unconfined"")',
    );
  });

  it('never throws on malformed specs, nor on values with their own toString key', () => {
    const evil = JSON.parse('{"toString":"x","valueOf":1}');
    const evilContainer = { name: evil, securityContext: { capabilities: { add: [evil] }, procMount: evil } };
    for (const spec of [
      null,
      7,
      'x',
      [],
      { containers: 'x' },
      { containers: [null, 5, { securityContext: 'x' }] },
      { containers: [evilContainer], securityContext: { sysctls: [{ name: evil }] } },
    ]) {
      for (const level of ['baseline', 'restricted'] as PodSecurityLevel[]) {
        expect(Array.isArray(evaluatePodSecurity(level, null, spec))).toBe(true);
      }
    }
  });
});

describe('restricted checks', () => {
  it('a plain pod breaks the restricted level the way upstream reports it', () => {
    const spec = { volumes: [{ name: 'h', hostPath: { path: '/' } }], containers: [container('app')] };
    expect(describeViolations(evaluatePodSecurity('restricted', {}, spec))).toBe(
      [
        'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)',
        'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"])',
        'restricted volume types (volume "h" uses restricted volume type "hostPath")',
        'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)',
        'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
      ].join(', '),
    );
  });

  it('a hardened pod passes', () => {
    const spec = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      volumes: [{ name: 'cfg', configMap: { name: 'c' } }],
      containers: [
        container(
          'app',
          sc({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }),
        ),
      ],
    };
    expect(evaluatePodSecurity('restricted', {}, spec)).toEqual([]);
    const root = { ...spec, securityContext: { ...spec.securityContext, runAsUser: 0 } };
    expect(describeViolations(evaluatePodSecurity('restricted', {}, root))).toBe(
      'runAsUser=0 (pod must not set runAsUser=0)',
    );
  });
});
