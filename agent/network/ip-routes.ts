// The Routes adapter: iproute2's `ip` on the main table. Every route skiff adds carries its own protocol tag
// (`proto 145`, free in /etc/iproute2/rt_protos) and a destination inside the cluster or service CIDR; listing
// filters on both and replace/delete refuse anything else, so the host's other routes — including the kernel's
// own `10.244.N.0/24 dev skiffbr proto kernel` route for the local bridge — are never touched.
import {
  cidrContains,
  formatCidr,
  parseIpv4Cidr,
  type Ipv4Net,
} from '../../src/controllers/nodeipam/cidr.js';
import { CommandError, inNetns, mustRun, runCommand, type CommandRunner } from './command.js';
import { routeArgs, type Route, type Routes } from './routes.js';

/** The rtnetlink protocol number that marks a route as skiff's. */
export const SKIFF_ROUTE_PROTOCOL = 145;

export interface IpRoutesOptions {
  /** The CIDRs skiff's routes live in: the cluster CIDR and the service CIDR. */
  managed: string[];
  /** Run inside this network namespace (name under /run/netns, or a path). */
  netns?: string;
  run?: CommandRunner;
}

/** One route of `ip -j route show` (only the fields we read). */
interface IpJsonRoute {
  type?: string;
  dst?: string;
  gateway?: string;
  dev?: string;
}

/** Parses `ip -j route show` output into routes (unicast and unreachable; other kinds are skipped). */
export function parseIpRoutes(json: string): Route[] {
  const text = json.trim();
  const rows = text ? (JSON.parse(text) as IpJsonRoute[]) : [];
  const routes: Route[] = [];
  for (const r of rows) {
    const type = r.type ?? 'unicast';
    if ((type !== 'unicast' && type !== 'unreachable') || !r.dst) continue;
    // `ip` prints a host route without its /32.
    const net = parseIpv4Cidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
    if (!net) continue;
    const route: Route = { dst: formatCidr(net), type };
    if (r.gateway) route.gateway = r.gateway;
    if (r.dev) route.dev = r.dev;
    routes.push(route);
  }
  return routes;
}

export class IpRoutes implements Routes {
  private readonly run: CommandRunner;
  private readonly managed: Ipv4Net[];

  constructor(opts: IpRoutesOptions) {
    this.run = inNetns(opts.netns, opts.run ?? runCommand);
    this.managed = opts.managed.map((c) => {
      const net = parseIpv4Cidr(c);
      if (!net) throw new Error(`managed route range ${JSON.stringify(c)} is not an IPv4 CIDR`);
      return net;
    });
  }

  async list(): Promise<Route[]> {
    const out = await mustRun(this.run, 'ip', [
      '-j',
      'route',
      'show',
      'table',
      'main',
      'proto',
      String(SKIFF_ROUTE_PROTOCOL),
    ]);
    return parseIpRoutes(out).filter((r) => this.isManaged(r.dst));
  }

  async replace(route: Route): Promise<void> {
    this.check(route);
    await mustRun(this.run, 'ip', [
      'route',
      'replace',
      ...routeArgs(route),
      'proto',
      String(SKIFF_ROUTE_PROTOCOL),
    ]);
  }

  async delete(route: Route): Promise<void> {
    this.check(route);
    // Only destination and protocol: the kernel then deletes our route of any type at that destination.
    const args = ['route', 'del', route.dst, 'proto', String(SKIFF_ROUTE_PROTOCOL)];
    const res = await this.run('ip', args);
    if (res.code !== 0 && !/No such process/.test(res.stderr))
      throw new CommandError(`ip ${args.join(' ')}`, res);
  }

  private isManaged(dst: string): boolean {
    const net = parseIpv4Cidr(dst);
    return !!net && this.managed.some((m) => cidrContains(m, net));
  }

  private check(route: Route): void {
    if (!this.isManaged(route.dst)) {
      throw new Error(`refusing to touch route ${route.dst}: outside the cluster and service CIDRs`);
    }
  }
}
