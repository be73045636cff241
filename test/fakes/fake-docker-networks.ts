// An in-memory Docker engine's networks behind DockerNetworks (agent/network/docker-networks.ts). It refuses
// what the engine refuses where the pod network depends on it: a second network with the same name, a subnet
// overlapping another network's ("Pool overlaps"), and removing a network with containers attached. The engine
// can be made unavailable (daemon down).
import type {
  DockerNetworkInfo,
  DockerNetworkSpec,
  DockerNetworks,
} from '../../agent/network/docker-networks.js';
import { cidrsOverlap, parseIpv4Cidr } from '../../src/controllers/nodeipam/cidr.js';

export class FakeDockerNetworks implements DockerNetworks {
  /** `inspect <name>` / `create <name> <subnet>` / `remove <name>`, in order. */
  readonly calls: string[] = [];
  private readonly networks = new Map<string, DockerNetworkInfo>();
  private down: string | undefined;
  private nextId = 1;

  /** Adds a network as if created earlier (by an older agent, a person, or Docker itself). */
  seed(net: Partial<DockerNetworkInfo> & { name: string }): void {
    this.networks.set(net.name, {
      id: `net${this.nextId++}`,
      driver: 'bridge',
      options: {},
      labels: {},
      containers: 0,
      ...net,
    });
  }

  network(name: string): DockerNetworkInfo | undefined {
    const n = this.networks.get(name);
    return n && structuredClone(n);
  }

  /** Sets how many containers are attached. */
  attach(name: string, containers: number): void {
    const n = this.networks.get(name);
    if (!n) throw new Error(`no network ${name}`);
    n.containers = containers;
  }

  /** Every call fails with `message` (the daemon is not running) until called with undefined. */
  setUnavailable(message: string | undefined): void {
    this.down = message;
  }

  async inspect(name: string): Promise<DockerNetworkInfo | undefined> {
    this.calls.push(`inspect ${name}`);
    this.checkUp();
    return this.network(name);
  }

  async create(spec: DockerNetworkSpec): Promise<void> {
    this.calls.push(`create ${spec.name} ${spec.subnet}`);
    this.checkUp();
    if (this.networks.has(spec.name)) throw new Error(`network with name ${spec.name} already exists`);
    const net = parseIpv4Cidr(spec.subnet)!;
    for (const other of this.networks.values()) {
      const o = other.subnet && parseIpv4Cidr(other.subnet);
      if (o && cidrsOverlap(o, net)) throw new Error('Pool overlaps with other one on this address space');
    }
    this.seed({
      name: spec.name,
      subnet: spec.subnet,
      gateway: spec.gateway,
      options: { ...spec.options },
      labels: { ...spec.labels },
    });
  }

  async remove(name: string): Promise<void> {
    this.calls.push(`remove ${name}`);
    this.checkUp();
    const n = this.networks.get(name);
    if (!n) return;
    if (n.containers > 0)
      throw new Error(`error while removing network: network ${name} id ${n.id} has active endpoints`);
    this.networks.delete(name);
  }

  private checkUp(): void {
    if (this.down) throw new Error(this.down);
  }
}
