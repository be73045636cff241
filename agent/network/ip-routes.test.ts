import { describe, expect, it } from 'vitest';
import type { CommandResult, CommandRunner } from './command.js';
import { IpRoutes, SKIFF_ROUTE_PROTOCOL, parseIpRoutes } from './ip-routes.js';

/** A runner that records argv and answers from a script. */
function recorder(answer: (argv: string[]) => Partial<CommandResult> = () => ({})) {
  const calls: string[][] = [];
  const run: CommandRunner = async (cmd, args) => {
    const argv = [cmd, ...args];
    calls.push(argv);
    return { code: 0, stdout: '', stderr: '', ...answer(argv) };
  };
  return { calls, run };
}

// What `ip -j route show table main proto 145` printed in a test namespace (iproute2 6.1).
const SHOW = JSON.stringify([
  { dst: '10.96.0.0/12', dev: 'skiffbr', scope: 'link', flags: [] },
  { type: 'unreachable', dst: '10.244.0.0/16', flags: [] },
  { dst: '10.244.2.0/24', gateway: '10.200.0.12', dev: 'eth0', flags: [] },
  { dst: '192.168.5.0/24', gateway: '10.200.0.1', dev: 'eth0', flags: [] },
  { type: 'blackhole', dst: '10.244.9.0/24', flags: [] },
  { dst: '10.244.3.7', gateway: '10.200.0.13', dev: 'eth0', flags: [] },
]);

describe('parseIpRoutes', () => {
  it('reads unicast and unreachable routes, normalizes host routes, skips other kinds', () => {
    expect(parseIpRoutes(SHOW)).toEqual([
      { dst: '10.96.0.0/12', type: 'unicast', dev: 'skiffbr' },
      { dst: '10.244.0.0/16', type: 'unreachable' },
      { dst: '10.244.2.0/24', type: 'unicast', gateway: '10.200.0.12', dev: 'eth0' },
      { dst: '192.168.5.0/24', type: 'unicast', gateway: '10.200.0.1', dev: 'eth0' },
      { dst: '10.244.3.7/32', type: 'unicast', gateway: '10.200.0.13', dev: 'eth0' },
    ]);
    expect(parseIpRoutes('')).toEqual([]);
    expect(parseIpRoutes('[]\n')).toEqual([]);
  });
});

describe('IpRoutes', () => {
  const managed = ['10.244.0.0/16', '10.96.0.0/12'];

  it('lists only skiff-tagged routes inside the managed ranges', async () => {
    const { calls, run } = recorder(() => ({ stdout: SHOW }));
    const routes = await new IpRoutes({ managed, run }).list();
    expect(calls).toEqual([
      ['ip', '-j', 'route', 'show', 'table', 'main', 'proto', String(SKIFF_ROUTE_PROTOCOL)],
    ]);
    expect(routes.map((r) => r.dst)).toEqual([
      '10.96.0.0/12',
      '10.244.0.0/16',
      '10.244.2.0/24',
      '10.244.3.7/32',
    ]);
  });

  it('replaces and deletes with the skiff protocol tag, inside a netns when asked', async () => {
    const { calls, run } = recorder();
    const routes = new IpRoutes({ managed, run, netns: 'skt-1' });
    await routes.replace({ dst: '10.244.2.0/24', type: 'unicast', gateway: '10.200.0.12' });
    await routes.replace({ dst: '10.244.0.0/16', type: 'unreachable' });
    await routes.delete({ dst: '10.244.2.0/24', type: 'unicast', gateway: '10.200.0.12' });
    const ns = ['nsenter', '--net=/run/netns/skt-1', '--'];
    expect(calls).toEqual([
      [...ns, 'ip', 'route', 'replace', '10.244.2.0/24', 'via', '10.200.0.12', 'proto', '145'],
      [...ns, 'ip', 'route', 'replace', 'unreachable', '10.244.0.0/16', 'proto', '145'],
      [...ns, 'ip', 'route', 'del', '10.244.2.0/24', 'proto', '145'],
    ]);
  });

  it('treats deleting a route that is gone as done, and reports other failures', async () => {
    const gone = recorder(() => ({ code: 2, stderr: 'RTNETLINK answers: No such process\n' }));
    await new IpRoutes({ managed, run: gone.run }).delete({ dst: '10.244.4.0/24', type: 'unicast' });
    const bad = recorder(() => ({ code: 2, stderr: 'Error: Nexthop has invalid gateway.\n' }));
    const routes = new IpRoutes({ managed, run: bad.run });
    await expect(
      routes.replace({ dst: '10.244.4.0/24', type: 'unicast', gateway: '1.2.3.4' }),
    ).rejects.toThrow(/Nexthop has invalid gateway/);
    await expect(routes.delete({ dst: '10.244.4.0/24', type: 'unicast' })).rejects.toThrow(/invalid gateway/);
  });

  it('refuses to touch a route outside the cluster and service CIDRs', async () => {
    const { calls, run } = recorder();
    const routes = new IpRoutes({ managed, run });
    await expect(routes.replace({ dst: '0.0.0.0/0', type: 'unicast', gateway: '10.0.0.1' })).rejects.toThrow(
      /refusing/,
    );
    await expect(routes.delete({ dst: '10.0.0.0/8', type: 'unicast' })).rejects.toThrow(/refusing/);
    expect(calls).toEqual([]);
    expect(() => new IpRoutes({ managed: ['nope'] })).toThrow(/not an IPv4 CIDR/);
  });
});
