import { describe, expect, it } from 'vitest';
import { FakeFirewall } from '../../test/fakes/fake-firewall.js';
import {
  NETWORK_HOOKS,
  NetworkRules,
  chainInSave,
  isReferenced,
  renderNetworkCleanup,
  renderNetworkRules,
} from './network-rules.js';

const config = { clusterCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/12' };
const HOOK = ['-m', 'comment', '--comment', 'skiff'];

describe('renderNetworkRules (golden)', () => {
  it('renders both chains in one batch', () => {
    expect(renderNetworkRules(config)).toBe(
      `*filter
:SKIFF-FORWARD - [0:0]
-A SKIFF-FORWARD -d 10.96.0.0/12 -m comment --comment "service IPs are left to the proxy rules" -j RETURN
-A SKIFF-FORWARD -s 10.244.0.0/16 -m comment --comment "pod traffic out" -j ACCEPT
-A SKIFF-FORWARD -d 10.244.0.0/16 -m comment --comment "pod traffic in" -j ACCEPT
COMMIT
*nat
:SKIFF-POD-MASQ - [0:0]
-A SKIFF-POD-MASQ -s 10.244.0.0/16 ! -d 10.244.0.0/16 -m comment --comment "pods to outside the cluster" -j MASQUERADE
COMMIT
`,
    );
  });

  it('renders the cleanup batch', () => {
    expect(renderNetworkCleanup()).toBe(
      `*filter
:SKIFF-FORWARD - [0:0]
-X SKIFF-FORWARD
COMMIT
*nat
:SKIFF-POD-MASQ - [0:0]
-X SKIFF-POD-MASQ
COMMIT
`,
    );
  });

  it('hooks DOCKER-USER, FORWARD and POSTROUTING with a skiff comment', () => {
    expect(NETWORK_HOOKS).toEqual([
      { table: 'filter', chain: 'DOCKER-USER', args: [...HOOK, '-j', 'SKIFF-FORWARD'] },
      { table: 'filter', chain: 'FORWARD', args: [...HOOK, '-j', 'SKIFF-FORWARD'] },
      { table: 'nat', chain: 'POSTROUTING', args: [...HOOK, '-j', 'SKIFF-POD-MASQ'] },
    ]);
  });
});

describe('save helpers', () => {
  const save = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:DOCKER-USER - [0:0]
:DOCKER-USER2 - [0:0]
-A FORWARD -j DOCKER-USER2
-A DOCKER-USER2 -j RETURN
COMMIT
`;
  it('reads one chain and whether anything jumps to it', () => {
    expect(chainInSave(save, 'DOCKER-USER')).toEqual([]);
    expect(chainInSave(save, 'DOCKER-USER2')).toEqual(['-A DOCKER-USER2 -j RETURN']);
    expect(chainInSave(save, 'SKIFF-FORWARD')).toBeUndefined();
    expect(isReferenced(save, 'DOCKER-USER')).toBe(false);
    expect(isReferenced(save, 'DOCKER-USER2')).toBe(true);
  });
});

describe('NetworkRules', () => {
  it('creates DOCKER-USER when dockerd has not, the chains, and the hooks at position 1', async () => {
    const fw = new FakeFirewall();
    fw.seedChain('filter', 'FORWARD', [['-j', 'SOMETHING-ELSE']]);
    fw.seedChain('filter', 'SOMETHING-ELSE');
    const rules = new NetworkRules({ firewall: fw, config });
    expect(await rules.ensure()).toEqual([
      'created DOCKER-USER',
      'created SKIFF-FORWARD',
      'created SKIFF-POD-MASQ',
      'hooked DOCKER-USER (filter)',
      'hooked FORWARD (filter)',
      'hooked POSTROUTING (nat)',
    ]);
    expect(fw.rules('filter', 'FORWARD')).toEqual([
      [...HOOK, '-j', 'SKIFF-FORWARD'],
      ['-j', 'SOMETHING-ELSE'],
    ]);
    expect(fw.rules('filter', 'SKIFF-FORWARD')).toHaveLength(3);
    expect(fw.rules('nat', 'SKIFF-POD-MASQ')).toEqual([
      [
        '-s',
        '10.244.0.0/16',
        '!',
        '-d',
        '10.244.0.0/16',
        ...['-m', 'comment', '--comment'],
        'pods to outside the cluster',
        '-j',
        'MASQUERADE',
      ],
    ]);
  });

  it('keeps what Docker put in DOCKER-USER and inserts our jump before its RETURN', async () => {
    const fw = new FakeFirewall();
    fw.seedChain('filter', 'DOCKER-USER', [
      ['-s', '192.0.2.0/24', '-j', 'DROP'],
      ['-j', 'RETURN'],
    ]);
    await new NetworkRules({ firewall: fw, config }).ensure();
    expect(fw.rules('filter', 'DOCKER-USER')).toEqual([
      [...HOOK, '-j', 'SKIFF-FORWARD'],
      ['-s', '192.0.2.0/24', '-j', 'DROP'],
      ['-j', 'RETURN'],
    ]);
  });

  it('does nothing the second time, and repairs a flushed chain or a lost hook', async () => {
    const fw = new FakeFirewall();
    const rules = new NetworkRules({ firewall: fw, config });
    await rules.ensure();
    const restores = fw.restoreCount();
    expect(await rules.ensure()).toEqual([]);
    expect(fw.restoreCount()).toBe(restores);
    expect(fw.calls.filter((c) => c.startsWith('-I'))).toHaveLength(3);

    await fw.restore('*filter\n-F SKIFF-FORWARD\nCOMMIT\n');
    await fw.deleteRule(NETWORK_HOOKS[2]);
    expect(await rules.ensure()).toEqual(['rewrote SKIFF-FORWARD', 'hooked POSTROUTING (nat)']);
    expect(fw.rules('filter', 'SKIFF-FORWARD')).toHaveLength(3);
  });

  it('rewrites a chain whose rules are stale (the cluster CIDR changed)', async () => {
    const fw = new FakeFirewall();
    await new NetworkRules({ firewall: fw, config: { ...config, clusterCIDR: '10.32.0.0/16' } }).ensure();
    expect(await new NetworkRules({ firewall: fw, config }).ensure()).toEqual([
      'rewrote SKIFF-FORWARD',
      'rewrote SKIFF-POD-MASQ',
    ]);
    expect(await fw.save('nat')).toContain('-s 10.244.0.0/16 ! -d 10.244.0.0/16');
  });

  it('cleanup removes every copy of the hooks and both chains, and an empty unreferenced DOCKER-USER', async () => {
    const fw = new FakeFirewall();
    const before = { filter: await fw.save('filter'), nat: await fw.save('nat') };
    const rules = new NetworkRules({ firewall: fw, config });
    await rules.ensure();
    await fw.insertRule(NETWORK_HOOKS[1]); // a duplicate, as a crash between -C and -I could leave
    await rules.cleanup();
    expect({ filter: await fw.save('filter'), nat: await fw.save('nat') }).toEqual(before);
  });

  it('cleanup leaves a DOCKER-USER that Docker uses', async () => {
    const fw = new FakeFirewall();
    fw.seedChain('filter', 'DOCKER-USER', [['-j', 'RETURN']]);
    fw.seedChain('filter', 'FORWARD', [['-j', 'DOCKER-USER']]);
    const rules = new NetworkRules({ firewall: fw, config });
    await rules.ensure();
    await rules.cleanup();
    expect(fw.chains('filter')).toContain('DOCKER-USER');
    expect(fw.rules('filter', 'DOCKER-USER')).toEqual([['-j', 'RETURN']]);
    expect(fw.chains('filter')).not.toContain('SKIFF-FORWARD');
  });

  it('a failing restore surfaces as an error and leaves the tables as they were', async () => {
    const fw = new FakeFirewall();
    fw.seedChain('filter', 'DOCKER-USER');
    fw.failNextRestore(new Error('iptables-restore: line 3 failed'));
    await expect(new NetworkRules({ firewall: fw, config }).ensure()).rejects.toThrow(/line 3 failed/);
    expect(fw.chains('filter')).not.toContain('SKIFF-FORWARD');
  });
});
