// A counting relay in front of a Docker socket, for profiled runs: the agent is pointed at it (its last
// `--docker-socket` wins) and every request line it sends is tallied by method and path (container IDs and names
// folded), so a report can say how many engine calls a pod costs. The relay adds a hop, so only profiled runs
// (whose figures are not the reference ones) use it.
import { rmSync } from 'node:fs';
import net from 'node:net';

export interface DockerApiCounter {
  socketPath: string;
  /** Requests per `METHOD /path` since the last reset. */
  counts(): Map<string, number>;
  reset(): void;
  close(): Promise<void>;
}

function normalize(method: string, url: string): string {
  const path = url
    .split('?')[0]
    .replace(/^\/v1\.\d+/, '')
    .replace(/\/containers\/(?!json$|create$)[^/]+/, '/containers/{id}')
    .replace(/\/exec\/[^/]+/, '/exec/{id}')
    .replace(/\/images\/.+\/json$/, '/images/{name}/json');
  return `${method} ${path}`;
}

export async function startDockerApiCounter(socketPath: string, target: string): Promise<DockerApiCounter> {
  let counts = new Map<string, number>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    sockets.add(client).add(upstream);
    let pending = '';
    client.on('data', (chunk: Buffer) => {
      // Request lines only; bodies and responses pass through untouched.
      pending = (pending + chunk.toString('latin1')).slice(-4096);
      for (const m of pending.matchAll(/(?:^|\r\n)(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.[01]\r\n/g)) {
        const key = normalize(m[1], m[2]);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const last = pending.lastIndexOf(' HTTP/1.');
      if (last >= 0) pending = pending.slice(last + 8);
    });
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    socketPath,
    counts: () => new Map(counts),
    reset: () => {
      counts = new Map();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(socketPath, { force: true });
    },
  };
}
