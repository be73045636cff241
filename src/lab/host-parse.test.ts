import { describe, expect, it } from 'vitest';
import {
  isUnder,
  parseCmdline,
  parseIpAddr,
  parseIpRoutes,
  parseMountPoints,
  parseProcState,
} from './host-parse.js';

describe('host output parsers', () => {
  it('reads links, their admin state, bridge and IPv4 addresses from `ip -j addr`', () => {
    const json = JSON.stringify([
      { ifname: 'lo', flags: ['LOOPBACK'], addr_info: [] },
      {
        ifname: 'lt-v1',
        flags: ['NO-CARRIER', 'BROADCAST', 'UP'],
        master: 'lt-br',
        addr_info: [{ family: 'inet6', local: 'fe80::1', prefixlen: 64 }],
      },
      {
        ifname: 'eth0',
        flags: ['UP', 'LOWER_UP'],
        addr_info: [{ family: 'inet', local: '10.2.0.11', prefixlen: 24 }],
      },
    ]);
    expect(parseIpAddr(json)).toEqual([
      { name: 'lo', up: false, addresses: [] },
      { name: 'lt-v1', up: true, master: 'lt-br', addresses: [] },
      { name: 'eth0', up: true, addresses: ['10.2.0.11/24'] },
    ]);
    expect(parseIpAddr('')).toEqual([]);
  });

  it('reads routes from `ip -j route`, giving host routes their /32', () => {
    const json =
      '[{"dst":"default","gateway":"192.0.2.1","dev":"eth0","flags":[]},' +
      '{"dst":"10.244.1.0/24","gateway":"10.2.0.11","dev":"lt-lan","protocol":"146","flags":[]},' +
      '{"dst":"10.9.9.9","dev":"eth0","flags":[]}]';
    expect(parseIpRoutes(json)).toEqual([
      { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
      { dst: '10.244.1.0/24', gateway: '10.2.0.11', dev: 'lt-lan', protocol: '146' },
      { dst: '10.9.9.9/32', dev: 'eth0' },
    ]);
  });

  it('reads the state letter of /proc/<pid>/stat even when the name has spaces and parens', () => {
    expect(parseProcState('123 (containerd-shim) S 1 123 123 0')).toBe('S');
    expect(parseProcState('7 (a) b) Z 1 2 3')).toBe('Z');
    expect(parseProcState('garbage')).toBeUndefined();
  });

  it('splits /proc/<pid>/cmdline at NULs', () => {
    expect(parseCmdline('dockerd\0--host\0unix:///x\0')).toEqual(['dockerd', '--host', 'unix:///x']);
    expect(parseCmdline('')).toEqual([]);
  });

  it('reads mount points from mountinfo, decoding escapes', () => {
    const info = [
      '47 27 0:4 uts:[4026532390] /run/skiff-lab/lt/n1/uts rw - nsfs nsfs rw',
      '48 27 254:0 /var/lib/x /var/lib/skiff-lab/lt/n1/my\\040dir rw,relatime shared:6 - ext4 /dev/vda rw',
      '',
    ].join('\n');
    expect(parseMountPoints(info)).toEqual(['/run/skiff-lab/lt/n1/uts', '/var/lib/skiff-lab/lt/n1/my dir']);
  });

  it('tells a path under a directory from one that only shares its prefix', () => {
    expect(isUnder('/run/skiff-lab/ab/n1', '/run/skiff-lab/ab')).toBe(true);
    expect(isUnder('/run/skiff-lab/ab', '/run/skiff-lab/ab')).toBe(true);
    expect(isUnder('/run/skiff-lab/abc/n1', '/run/skiff-lab/ab')).toBe(false);
  });
});
