// Pure parsers for what the system adapter reads: `ip -j addr` and `ip -j route` output, /proc/<pid>/stat and
// /proc/self/mountinfo.
import type { HostRoute, LinkInfo } from './host.js';

interface IpAddrJson {
  ifname?: string;
  flags?: string[];
  master?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

function parseJsonArray<T>(text: string): T[] {
  const t = text.trim();
  return t ? (JSON.parse(t) as T[]) : [];
}

/** `ip -j addr show` → links with their IPv4 addresses. "UP" is the administrative flag. */
export function parseIpAddr(text: string): LinkInfo[] {
  return parseJsonArray<IpAddrJson>(text)
    .filter((l) => l.ifname)
    .map((l) => {
      const link: LinkInfo = {
        // A veth whose peer is in another namespace shows as `eth0@if12` only in text output, not in JSON.
        name: l.ifname!,
        up: (l.flags ?? []).includes('UP'),
        addresses: (l.addr_info ?? [])
          .filter((a) => a.family === 'inet' && a.local)
          .map((a) => `${a.local}/${a.prefixlen}`),
      };
      if (l.master) link.master = l.master;
      return link;
    });
}

/** `ip -j route show` → routes (dst `default` kept as is; a host route has no /32 in ip's output). */
export function parseIpRoutes(text: string): HostRoute[] {
  return parseJsonArray<{ dst?: string; gateway?: string; dev?: string; protocol?: string }>(text)
    .filter((r) => r.dst)
    .map((r) => {
      const route: HostRoute = { dst: r.dst === 'default' || r.dst!.includes('/') ? r.dst! : `${r.dst}/32` };
      if (r.gateway) route.gateway = r.gateway;
      if (r.dev) route.dev = r.dev;
      if (r.protocol) route.protocol = r.protocol;
      return route;
    });
}

/** The state letter of /proc/<pid>/stat (after the command name, which may itself contain spaces and parens). */
export function parseProcState(stat: string): string | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  return stat.slice(close + 2, close + 3) || undefined;
}

/** /proc/<pid>/cmdline → argv. */
export function parseCmdline(raw: string): string[] {
  const parts = raw.split('\0');
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Mount points listed in /proc/self/mountinfo (field 5, octal escapes such as \040 decoded). */
export function parseMountPoints(mountinfo: string): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 5) continue;
    out.push(fields[4].replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))));
  }
  return out;
}

/** Whether `path` is `dir` or lies under it. */
export function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}
