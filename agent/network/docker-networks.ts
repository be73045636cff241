// Docker networks, in our own terms: the one host effect the pod network needs from the engine (adapter:
// dockerode-networks.ts, fake: test/fakes/fake-docker-networks.ts).

export interface DockerNetworkSpec {
  name: string;
  /** The bridge device (`com.docker.network.bridge.name`). */
  bridge: string;
  subnet: string;
  gateway: string;
  /** Driver options (`com.docker.network.bridge.*`), bridge name included. */
  options: Record<string, string>;
  labels: Record<string, string>;
}

export interface DockerNetworkInfo {
  id: string;
  name: string;
  driver: string;
  subnet?: string;
  gateway?: string;
  options: Record<string, string>;
  labels: Record<string, string>;
  /** Containers attached right now. */
  containers: number;
}

export interface DockerNetworks {
  /** The network with exactly this name, or undefined. */
  inspect(name: string): Promise<DockerNetworkInfo | undefined>;
  create(spec: DockerNetworkSpec): Promise<void>;
  remove(name: string): Promise<void>;
}
