// This node's pod network (what kubenet/flannel set up on each node): one Docker bridge network `skiff` on the
// node's pod CIDR — bridge `skiffbr`, gateway = the first address, masquerade off (pod IPs stay visible across
// nodes; NETLAB P4), inter-container traffic on — plus the kernel settings and the iptables rules it needs.
// Every pod's pause container joins it, and the node-local DNS listens on its gateway.
// planPodNetwork() decides purely; PodNetworkManager acts through DockerNetworks, Sysctl and Firewall. A `skiff`
// network that does not match (the node got a new CIDR, or someone changed it) is recreated only while no
// container is attached; otherwise that is an error to report, never a reason to pull the floor from under pods.
import { firstHost, formatCidr, parseIpv4Cidr } from '../../src/controllers/nodeipam/cidr.js';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import type { DockerNetworkInfo, DockerNetworkSpec, DockerNetworks } from './docker-networks.js';
import type { Firewall } from '../proxy/firewall.js';
import { NetworkRules } from './network-rules.js';
import { POD_NETWORK_SYSCTLS, type Sysctl } from './sysctl.js';

export const POD_NETWORK_NAME = 'skiff';
export const POD_BRIDGE_NAME = 'skiffbr';
export const POD_NETWORK_LABEL = 'io.skiff.network';

export const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';
export const MASQUERADE_OPTION = 'com.docker.network.bridge.enable_ip_masquerade';
export const ICC_OPTION = 'com.docker.network.bridge.enable_icc';

/** The Docker network for a pod CIDR. Throws if the CIDR is not IPv4 CIDR notation or too small for pods. */
export function podNetworkSpec(
  podCIDR: string,
  opts: { name?: string; bridge?: string } = {},
): DockerNetworkSpec {
  const net = parseIpv4Cidr(podCIDR);
  if (!net || net.prefix > 30)
    throw new Error(`pod CIDR ${JSON.stringify(podCIDR)} is not a usable IPv4 CIDR`);
  const bridge = opts.bridge ?? POD_BRIDGE_NAME;
  return {
    name: opts.name ?? POD_NETWORK_NAME,
    bridge,
    subnet: formatCidr(net),
    gateway: firstHost(net),
    options: { [BRIDGE_NAME_OPTION]: bridge, [MASQUERADE_OPTION]: 'false', [ICC_OPTION]: 'true' },
    labels: { [POD_NETWORK_LABEL]: 'pods' },
  };
}

export type PodNetworkPlan =
  | { action: 'create' }
  | { action: 'keep'; warnings: string[] }
  | { action: 'recreate'; reasons: string[] }
  | { action: 'conflict'; reasons: string[] };

/** What to do about the existing network (if any) to get `want`. */
export function planPodNetwork(
  existing: DockerNetworkInfo | undefined,
  want: DockerNetworkSpec,
): PodNetworkPlan {
  if (!existing) return { action: 'create' };
  // Differences pods would notice (addresses, the device): a recreate, or a conflict while pods are attached.
  const hard: string[] = [];
  if (existing.driver !== 'bridge') hard.push(`driver is ${existing.driver}, not bridge`);
  const subnet = existing.subnet && parseIpv4Cidr(existing.subnet);
  if (!subnet || formatCidr(subnet) !== want.subnet)
    hard.push(`subnet is ${existing.subnet ?? 'unset'}, not ${want.subnet}`);
  if (existing.gateway !== want.gateway)
    hard.push(`gateway is ${existing.gateway ?? 'unset'}, not ${want.gateway}`);
  if (existing.options[BRIDGE_NAME_OPTION] !== want.bridge)
    hard.push(`bridge is ${existing.options[BRIDGE_NAME_OPTION] ?? 'unnamed'}, not ${want.bridge}`);
  // Option drift (say, masquerade on): fixed when nothing is attached, otherwise lived with and reported.
  const soft = Object.entries(want.options)
    .filter(([k, v]) => k !== BRIDGE_NAME_OPTION && (existing.options[k] ?? '') !== v)
    .map(([k, v]) => `option ${k} is ${existing.options[k] ?? 'unset'}, not ${v}`);
  if (hard.length === 0 && soft.length === 0) return { action: 'keep', warnings: [] };
  if (existing.containers === 0) return { action: 'recreate', reasons: [...hard, ...soft] };
  if (hard.length > 0) return { action: 'conflict', reasons: hard };
  return { action: 'keep', warnings: soft };
}

export interface PodNetworkManagerDeps {
  docker: DockerNetworks;
  sysctl: Sysctl;
  firewall: Firewall;
  clusterCIDR: string;
  serviceCIDR: string;
  /** Default `skiff`. */
  networkName?: string;
  /** Default `skiffbr`. */
  bridgeName?: string;
  logger?: Logger;
}

export interface PodNetworkStatus {
  podCIDR: string;
  gateway: string;
  bridge: string;
  /** Problems that did not stop the network from working on this node (logged; repaired on the next ensure). */
  problems: string[];
}

export class PodNetworkManager {
  readonly rules: NetworkRules;
  private readonly log: Logger;

  constructor(private readonly deps: PodNetworkManagerDeps) {
    this.log = deps.logger ?? silentLogger;
    this.rules = new NetworkRules({
      firewall: deps.firewall,
      config: { clusterCIDR: deps.clusterCIDR, serviceCIDR: deps.serviceCIDR },
      logger: this.log,
    });
  }

  /**
   * Brings kernel settings, iptables rules and the Docker network in line with `podCIDR`. Throws only when the
   * Docker network cannot be made right (pods could not start); other failures come back in `problems`.
   */
  async ensure(podCIDR: string): Promise<PodNetworkStatus> {
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    await attempt('sysctl', () => this.ensureSysctl('net.ipv4.ip_forward', problems));
    await attempt('iptables', async () => void (await this.rules.ensure()));
    const spec = await this.ensureNetwork(podCIDR);
    // After the bridge exists: creating it is what loads br_netfilter on hosts that have it as a module.
    await attempt('sysctl', () => this.ensureSysctl('net.bridge.bridge-nf-call-iptables', problems));
    for (const p of problems) this.log.warn({ problem: p }, 'pod network problem');
    return { podCIDR: spec.subnet, gateway: spec.gateway, bridge: spec.bridge, problems };
  }

  /** The Docker network part of ensure(). */
  async ensureNetwork(podCIDR: string): Promise<DockerNetworkSpec> {
    const { docker } = this.deps;
    const want = podNetworkSpec(podCIDR, { name: this.deps.networkName, bridge: this.deps.bridgeName });
    const existing = await docker.inspect(want.name);
    const plan = planPodNetwork(existing, want);
    switch (plan.action) {
      case 'keep':
        for (const w of plan.warnings)
          this.log.warn({ network: want.name, containers: existing?.containers }, w);
        return want;
      case 'conflict':
        throw new Error(
          `Docker network ${want.name} does not match pod CIDR ${want.subnet} (${plan.reasons.join('; ')}) and ` +
            `${existing!.containers} container(s) are attached; remove them (or the network) to let the agent recreate it`,
        );
      case 'recreate':
        this.log.warn(
          { network: want.name, reasons: plan.reasons },
          'pod network does not match; recreating it',
        );
        await docker.remove(want.name);
        break;
      case 'create':
        break;
    }
    await docker.create(want);
    this.log.info(
      { network: want.name, subnet: want.subnet, gateway: want.gateway, bridge: want.bridge },
      'pod network created',
    );
    return want;
  }

  /** Removes our iptables rules. The Docker network stays: pods may still be attached to it. */
  async cleanup(): Promise<void> {
    await this.rules.cleanup();
  }

  private async ensureSysctl(key: string, problems: string[]): Promise<void> {
    const { sysctl } = this.deps;
    const want = POD_NETWORK_SYSCTLS[key];
    const have = await sysctl.get(key);
    if (have === undefined) {
      problems.push(`sysctl ${key} does not exist (is br_netfilter loaded?)`);
      return;
    }
    if (have === want) return;
    await sysctl.set(key, want);
    this.log.info({ key, from: have, to: want }, 'sysctl set');
  }
}
