// Pod spec → runtime specs (pure): the sandbox (hostname, DNS, host ports, the pod network) and each app
// container (command/args, env, mounts, cgroup limits, security settings), as kuberuntime_sandbox.go and
// kuberuntime_container.go build them for the CRI.
import { cpuMillis, parseQuantity } from '../../src/api/quantity.js';
import type { Container, Pod } from '../../src/api/types.js';
import type {
  ContainerResources,
  ContainerSpec,
  DnsSettings,
  PortBinding,
  SandboxSpec,
} from '../runtime/container-runtime.js';
import { containerEnv, ContainerConfigError, expand, type EnvSources } from './container-env.js';
import {
  containerHash,
  LABEL_ATTEMPT,
  LABEL_CONTAINER_NAME,
  LABEL_GRACE,
  LABEL_HASH,
  LABEL_SANDBOX_ID,
  podLabels,
  runtimeName,
  SANDBOX_NAME,
} from './labels.js';
import { containerMounts, sandboxHoldPath, type PlannedVolume } from './pod-volumes.js';
import { podGraceSeconds } from './sync-pod.js';

export interface NodeConfig {
  nodeName: string;
  nodeIP: string;
  pauseImage: string;
  /** The runtime network pods attach to. */
  podNetwork: string;
  /** Cluster DNS servers; when absent, ClusterFirst falls back to the host's resolver (as Kubernetes does). */
  clusterDNS?: string[];
  clusterDomain: string;
}

interface PodDnsConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}

/** The pod's resolv.conf (kubelet dns.go GetPodDNS); undefined = the host's. */
export function podDns(pod: Pod, cfg: NodeConfig): DnsSettings | undefined {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  const dnsConfig = (pod.spec.dnsConfig ?? {}) as PodDnsConfig;
  const clusterFirst =
    (policy === 'ClusterFirst' && !pod.spec.hostNetwork) || policy === 'ClusterFirstWithHostNet';
  let base: Required<DnsSettings> | undefined;
  if (clusterFirst && cfg.clusterDNS?.length) {
    const ns = pod.metadata.namespace ?? 'default';
    const d = cfg.clusterDomain;
    base = {
      servers: [...cfg.clusterDNS],
      searches: [`${ns}.svc.${d}`, `svc.${d}`, d],
      options: ['ndots:5'],
    };
  } else if (policy === 'None') {
    base = { servers: [], searches: [], options: [] };
  }
  const extra = dnsConfig.nameservers?.length || dnsConfig.searches?.length || dnsConfig.options?.length;
  if (!base && !extra) return undefined;
  base ??= { servers: [], searches: [], options: [] };
  const options = new Map(base.options.map((o) => [o.split(':')[0], o]));
  for (const o of dnsConfig.options ?? [])
    options.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return {
    servers: [...base.servers, ...(dnsConfig.nameservers ?? [])],
    searches: [...new Set([...base.searches, ...(dnsConfig.searches ?? [])])],
    options: [...options.values()],
  };
}

export function podHostname(pod: Pod): string {
  return (pod.spec.hostname || pod.metadata.name || 'pod').slice(0, 63);
}

function hostPorts(pod: Pod): PortBinding[] {
  return pod.spec.containers.flatMap((c) =>
    (c.ports ?? [])
      .filter((p) => p.hostPort)
      .map((p) => ({
        containerPort: p.containerPort,
        hostPort: p.hostPort!,
        ...(p.hostIP ? { hostIP: p.hostIP } : {}),
        protocol: (p.protocol ?? 'TCP').toLowerCase() as PortBinding['protocol'],
      })),
  );
}

export function sandboxSpec(
  pod: Pod,
  attempt: number,
  cfg: NodeConfig,
  volumes: ReadonlyMap<string, PlannedVolume>,
): SandboxSpec {
  const dns = podDns(pod, cfg);
  const sub = pod.spec.subdomain;
  return {
    name: runtimeName(pod, SANDBOX_NAME, attempt),
    labels: {
      ...podLabels(cfg.nodeName, pod),
      [LABEL_CONTAINER_NAME]: SANDBOX_NAME,
      [LABEL_ATTEMPT]: String(attempt),
      [LABEL_GRACE]: String(podGraceSeconds(pod)),
    },
    image: cfg.pauseImage,
    hostname: podHostname(pod),
    ...(sub ? { domainname: `${sub}.${pod.metadata.namespace ?? 'default'}.svc.${cfg.clusterDomain}` } : {}),
    network: pod.spec.hostNetwork ? 'host' : cfg.podNetwork,
    ...(dns ? { dns } : {}),
    ports: pod.spec.hostNetwork ? [] : hostPorts(pod),
    mounts: [...volumes.values()]
      .filter((v) => v.kind === 'tmpfs')
      .map((v) => ({
        type: 'volume' as const,
        source: (v as { volumeName: string }).volumeName,
        target: sandboxHoldPath(v.name),
        readOnly: false,
      })),
  };
}

/** Kubernetes' cgroup mapping: limits → hard caps, cpu request → relative shares (millis*1024/1000, min 2). */
export function containerResources(c: Container): ContainerResources {
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const out: ContainerResources = {};
  if (limits.cpu !== undefined) out.nanoCpus = Math.round(parseQuantity(limits.cpu) * 1e9);
  if (limits.memory !== undefined) out.memoryBytes = Math.ceil(parseQuantity(limits.memory));
  const cpuRequest = requests.cpu ?? limits.cpu;
  const millis = cpuRequest !== undefined ? cpuMillis(cpuRequest) : 0;
  out.cpuShares = Math.max(2, Math.floor((millis * 1024) / 1000));
  for (const [k, v] of Object.entries(out))
    if (!Number.isFinite(v)) delete out[k as keyof ContainerResources];
  return out;
}

function user(pod: Pod, c: Container): string | undefined {
  const uid = c.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser;
  const gid = c.securityContext?.runAsGroup ?? pod.spec.securityContext?.runAsGroup;
  const nonRoot = c.securityContext?.runAsNonRoot ?? pod.spec.securityContext?.runAsNonRoot;
  if (nonRoot && uid === 0) throw new ContainerConfigError("container's runAsUser breaks non-root policy");
  if (uid === undefined) return undefined;
  return gid === undefined ? String(uid) : `${uid}:${gid}`;
}

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  attempt: number;
  sandbox: { id: string; ip?: string };
  volumes: ReadonlyMap<string, PlannedVolume>;
  env: Omit<EnvSources, 'podIP' | 'hostIP'>;
}

/** The runtime spec of one of the pod's (app or init) containers. Throws ContainerConfigError. */
export function containerSpec(input: ContainerConfigInput, cfg: NodeConfig): ContainerSpec {
  const { pod, container: c, attempt, sandbox } = input;
  const podIP = pod.spec.hostNetwork ? cfg.nodeIP : sandbox.ip;
  const env = containerEnv(pod, c, { ...input.env, podIP, hostIP: cfg.nodeIP });
  const lookup = (n: string) => env.get(n);
  const sc = c.securityContext ?? {};
  return {
    name: runtimeName(pod, c.name, attempt),
    labels: {
      ...podLabels(cfg.nodeName, pod),
      [LABEL_CONTAINER_NAME]: c.name,
      [LABEL_ATTEMPT]: String(attempt),
      [LABEL_HASH]: containerHash(c),
      [LABEL_SANDBOX_ID]: sandbox.id,
      [LABEL_GRACE]: String(podGraceSeconds(pod)),
    },
    image: c.image ?? '',
    sandboxId: sandbox.id,
    ...(c.command?.length ? { entrypoint: c.command.map((s) => expand(s, lookup)) } : {}),
    ...(c.args?.length ? { cmd: c.args.map((s) => expand(s, lookup)) } : {}),
    env: [...env].map(([k, v]) => `${k}=${v}`),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    mounts: containerMounts(c, input.volumes),
    resources: containerResources(c),
    ...(user(pod, c) ? { user: user(pod, c) } : {}),
    privileged: sc.privileged ?? false,
    readOnlyRootfs: sc.readOnlyRootFilesystem ?? false,
    capAdd: sc.capabilities?.add ?? [],
    capDrop: sc.capabilities?.drop ?? [],
    stdin: c.stdin ?? false,
    stdinOnce: (c as { stdinOnce?: boolean }).stdinOnce ?? false,
    tty: c.tty ?? false,
  };
}
