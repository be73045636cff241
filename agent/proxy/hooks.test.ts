import { describe, expect, it } from 'vitest';
import { FakeFirewall } from '../../test/fakes/fake-firewall.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { NETWORK_HOOKS } from '../network/network-rules.js';
import { HOOK_RULES } from './chains.js';
import type { RuleSpec } from './firewall.js';
import { ensureHooks, hookPlacement, removeHooks, renderHookMove } from './hooks.js';

const PROXY_FORWARD = HOOK_RULES.find((h) => h.table === 'filter' && h.chain === 'FORWARD')!;
const NET_FORWARD = NETWORK_HOOKS.find((h) => h.chain === 'FORWARD')!;
const NET_DOCKER_USER = NETWORK_HOOKS.find((h) => h.chain === 'DOCKER-USER')!;

/** FORWARD as dockerd leaves it after a restart: its own rules inserted above ours. */
const DOCKER_FORWARD = [
  ['-j', 'DOCKER-USER'],
  ['-j', 'DOCKER-ISOLATION-STAGE-1'],
  ['-o', 'skiffbr', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
  ['-o', 'skiffbr', '-j', 'DOCKER'],
  ['-i', 'skiffbr', '!', '-o', 'skiffbr', '-j', 'ACCEPT'],
];

function firewallWithTargets(): FakeFirewall {
  const fw = new FakeFirewall();
  for (const chain of ['SKIFF-PROXY', 'SKIFF-FORWARD', 'DOCKER-USER', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER'])
    fw.seedChain('filter', chain);
  for (const chain of ['SKIFF-SERVICES', 'SKIFF-POSTROUTING', 'SKIFF-POD-MASQ']) fw.seedChain('nat', chain);
  return fw;
}

const targetOf = (r: string[]) => r[r.indexOf('-j') + 1];

describe('hook placement', () => {
  const save = (forward: string[]) =>
    ['*filter', ':FORWARD ACCEPT [0:0]', ...forward.map((r) => `-A FORWARD ${r}`), 'COMMIT', ''].join('\n');
  const ours = (h: RuleSpec) => h.args.join(' ');

  it('is first when only our own hooks precede it, behind when any other rule does, missing when absent', () => {
    expect(
      hookPlacement(save([ours(NET_FORWARD), ours(PROXY_FORWARD), '-j DOCKER-USER']), PROXY_FORWARD),
    ).toBe('first');
    expect(hookPlacement(save(['-j DOCKER-USER', ours(PROXY_FORWARD)]), PROXY_FORWARD)).toBe('behind');
    expect(hookPlacement(save(['-j DOCKER-USER', ours(NET_FORWARD)]), PROXY_FORWARD)).toBe('missing');
    // a rule of someone else's with the same target but without our comment is not our hook
    expect(hookPlacement(save(['-j SKIFF-PROXY']), PROXY_FORWARD)).toBe('missing');
  });

  it('in DOCKER-USER only has to precede Docker’s RETURN (the administrator’s own rules stay first)', () => {
    const du = (rules: string[]) =>
      ['*filter', ':DOCKER-USER - [0:0]', ...rules.map((r) => `-A DOCKER-USER ${r}`), 'COMMIT'].join('\n');
    expect(
      hookPlacement(du(['-s 192.0.2.0/24 -j DROP', ours(NET_DOCKER_USER), '-j RETURN']), NET_DOCKER_USER),
    ).toBe('first');
    expect(hookPlacement(du(['-j RETURN', ours(NET_DOCKER_USER)]), NET_DOCKER_USER)).toBe('behind');
  });

  it('moves a hook in one batch: delete, then insert at the top', () => {
    expect(renderHookMove(PROXY_FORWARD)).toBe(
      '*filter\n' +
        '-D FORWARD -m conntrack --ctstate NEW -m comment --comment skiff -j SKIFF-PROXY\n' +
        '-I FORWARD -m conntrack --ctstate NEW -m comment --comment skiff -j SKIFF-PROXY\n' +
        'COMMIT\n',
    );
  });
});

describe('ensureHooks', () => {
  it('inserts missing hooks, and does nothing the second time', async () => {
    const fw = firewallWithTargets();
    const log = new RecordingLogger();
    const first = await ensureHooks(fw, log);
    expect(first.inserted).toHaveLength(HOOK_RULES.length);
    expect(first.moved).toEqual([]);
    fw.calls.length = 0;
    expect(await ensureHooks(fw, log)).toEqual({ inserted: [], moved: [] });
    expect(fw.calls).toEqual(['save nat', 'save filter']); // two reads, no writes
  });

  it('moves hooks that dockerd pushed down back above its rules, keeping one copy each', async () => {
    const fw = firewallWithTargets();
    const log = new RecordingLogger();
    await ensureHooks(fw, log);
    await ensureHooks(fw, log, NETWORK_HOOKS);
    // dockerd restarts: it inserts its rules at the top of FORWARD again
    for (const r of [...DOCKER_FORWARD].reverse())
      await fw.restore(`*filter\n-I FORWARD ${r.join(' ')}\nCOMMIT\n`);
    expect(targetOf(fw.rules('filter', 'FORWARD')[0])).toBe('DOCKER-USER');

    const proxy = await ensureHooks(fw, log);
    expect(proxy.moved).toEqual([PROXY_FORWARD]);
    const network = await ensureHooks(fw, log, NETWORK_HOOKS);
    expect(network.moved).toEqual([NET_FORWARD]);
    const forward = fw.rules('filter', 'FORWARD');
    expect(forward.slice(0, 2).map(targetOf)).toEqual(['SKIFF-FORWARD', 'SKIFF-PROXY']);
    expect(forward.slice(2)).toEqual(DOCKER_FORWARD);
    expect(log.records.filter((r) => r.msg === 'moved hook rule back to the top of its chain')).toHaveLength(
      2,
    );
    // and nothing moves any more: our two hooks do not push each other around
    expect(await ensureHooks(fw, log)).toEqual({ inserted: [], moved: [] });
    expect(await ensureHooks(fw, log, NETWORK_HOOKS)).toEqual({ inserted: [], moved: [] });
  });

  it('removeHooks deletes every copy', async () => {
    const fw = firewallWithTargets();
    await ensureHooks(fw, new RecordingLogger());
    await fw.insertRule(PROXY_FORWARD);
    expect(await removeHooks(fw)).toBe(HOOK_RULES.length + 1);
    expect(fw.rules('filter', 'FORWARD')).toEqual([]);
  });
});
