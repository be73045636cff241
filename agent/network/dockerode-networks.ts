// The DockerNetworks adapter over dockerode (Docker API v1.41, the engine's /networks endpoints).
import type Docker from 'dockerode';
import { createDocker } from '../runtime/dockerode.js';
import type { DockerNetworkInfo, DockerNetworkSpec, DockerNetworks } from './docker-networks.js';

export class DockerodeNetworks implements DockerNetworks {
  private readonly docker: Docker;

  constructor(opts: { socketPath?: string } = {}) {
    this.docker = createDocker({ socketPath: opts.socketPath ?? '/var/run/docker.sock', version: 'v1.41' });
  }

  async inspect(name: string): Promise<DockerNetworkInfo | undefined> {
    let raw: Docker.NetworkInspectInfo;
    try {
      raw = (await this.docker.getNetwork(name).inspect()) as Docker.NetworkInspectInfo;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
    // The engine also resolves ID prefixes; only an exact name counts.
    if (raw.Name !== name) return undefined;
    const ipam = raw.IPAM?.Config?.[0];
    return {
      id: raw.Id,
      name: raw.Name,
      driver: raw.Driver,
      ...(ipam?.Subnet ? { subnet: ipam.Subnet } : {}),
      ...(ipam?.Gateway ? { gateway: ipam.Gateway } : {}),
      options: raw.Options ?? {},
      labels: raw.Labels ?? {},
      containers: Object.keys(raw.Containers ?? {}).length,
    };
  }

  async create(spec: DockerNetworkSpec): Promise<void> {
    await this.docker.createNetwork({
      Name: spec.name,
      Driver: 'bridge',
      CheckDuplicate: true,
      IPAM: { Driver: 'default', Config: [{ Subnet: spec.subnet, Gateway: spec.gateway }] },
      Options: spec.options,
      Labels: spec.labels,
    });
  }

  async remove(name: string): Promise<void> {
    try {
      await this.docker.getNetwork(name).remove();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  }
}
