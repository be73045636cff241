import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoints } from '../../src/api/types.js';
import { ENDPOINTS, SERVICES } from '../../src/client/api-client.js';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeFirewall } from '../../test/fakes/fake-firewall.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { CLUSTER_CIDR, SERVICE_CIDR, addresses, endpoints, service } from '../../test/golden/proxy/cases.js';
import { HOOK_RULES, serviceChainName } from './chains.js';
import { Proxier, cleanupProxyRules } from './proxier.js';
import { checkRuleset } from './ruleset-check.js';

const MIN_SYNC = 1000;

interface Setup {
  clock: FakeClock;
  client: FakeApiClient;
  firewall: FakeFirewall;
  logger: RecordingLogger;
  proxier: Proxier;
}

let running: Proxier | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function webEndpoints(count: number): Endpoints {
  const ep = endpoints('web', [{ addresses: addresses(count), ports: [{ port: 8080, protocol: 'TCP' }] }]);
  delete ep.metadata.resourceVersion; // an unconditional update
  return ep;
}

async function setup(opts: { seed?: (fw: FakeFirewall) => void } = {}): Promise<Setup> {
  const clock = new FakeClock();
  const client = new FakeApiClient({ clock });
  client.seed(SERVICES, service('web', '10.96.0.10', [{ protocol: 'TCP', port: 80, targetPort: 8080 }]));
  client.seed(ENDPOINTS, webEndpoints(2));
  const firewall = new FakeFirewall();
  opts.seed?.(firewall);
  const logger = new RecordingLogger();
  const proxier = new Proxier({
    client,
    firewall,
    nodeIPs: [],
    clusterCIDR: CLUSTER_CIDR,
    serviceCIDR: SERVICE_CIDR,
    clock,
    logger,
    minSyncPeriodMs: MIN_SYNC,
  });
  running = proxier;
  await proxier.start();
  return { clock, client, firewall, logger, proxier };
}

const lastRestore = (fw: FakeFirewall) => fw.restores[fw.restores.length - 1];
const dnatTargets = (text: string) => [...text.matchAll(/--to-destination (\S+)/g)].map((m) => m[1]);
/** The DNAT targets in the fake's nat table (a partial sync writes only the chains that changed). */
const appliedDnatTargets = (fw: FakeFirewall) =>
  fw
    .chains('nat')
    .filter((c) => c.startsWith('SKIFF-SEP-'))
    .flatMap((c) => fw.rules('nat', c))
    .filter((r) => r.includes('--to-destination'))
    .map((r) => r[r.indexOf('--to-destination') + 1])
    .sort();

describe('Proxier', () => {
  it('starts with one full sync: the rules, then the hook rules', async () => {
    const { firewall } = await setup();
    expect(firewall.restoreCount()).toBe(1);
    expect(checkRuleset(lastRestore(firewall))).toEqual([]);
    expect(dnatTargets(lastRestore(firewall))).toEqual(['10.244.1.5:8080', '10.244.1.6:8080']);
    expect(firewall.calls[0]).toBe('save nat'); // a full sync reads which chains exist first
    for (const hook of HOOK_RULES)
      expect(firewall.rules(hook.table, hook.chain)).toContainEqual([...hook.args]);
    expect(firewall.chains('nat')).toContain(serviceChainName('default/web', 'tcp'));
  });

  it('coalesces a burst of 50 changes into one restore, then one more after the minimum period', async () => {
    const { clock, client, firewall } = await setup();
    await clock.advance(5000);
    const before = firewall.restoreCount();
    for (let i = 1; i <= 50; i++) {
      await client.update(ENDPOINTS, 'default', webEndpoints(2 + i));
      await clock.advance(2);
    }
    // The first change ran at once (the last restore was long ago); the other 49 wait for the minimum period.
    expect(firewall.restoreCount()).toBe(before + 1);
    await clock.advance(MIN_SYNC);
    expect(firewall.restoreCount()).toBe(before + 2);
    expect(appliedDnatTargets(firewall)).toHaveLength(52);
    await clock.advance(5 * MIN_SYNC);
    expect(firewall.restoreCount()).toBe(before + 2);
    expect(firewall.maxInFlight).toBe(1);
  });

  it('never runs two restores at once; changes during a slow restore become one more restore', async () => {
    const { clock, client, firewall } = await setup();
    await clock.advance(5000);
    const release = firewall.holdRestores();
    await client.update(ENDPOINTS, 'default', webEndpoints(3));
    await clock.advance(10);
    const before = firewall.restoreCount();
    for (let i = 0; i < 5; i++) {
      await client.update(ENDPOINTS, 'default', webEndpoints(4 + i));
      await clock.advance(2 * MIN_SYNC);
    }
    expect(firewall.restoreCount()).toBe(before); // still waiting on the held one
    release();
    await clock.advance(MIN_SYNC);
    expect(firewall.restoreCount()).toBe(before + 1);
    expect(appliedDnatTargets(firewall)).toHaveLength(8);
    expect(firewall.maxInFlight).toBe(1);
  });

  it('retries a failed restore with backoff, re-reading the chains first', async () => {
    const { clock, client, firewall, logger } = await setup();
    await clock.advance(5000);
    firewall.failNextRestore();
    await client.update(ENDPOINTS, 'default', webEndpoints(3));
    await clock.advance(1);
    const failedAt = firewall.restoreCount();
    expect(logger.records.some((r) => r.level === 'error' && r.msg === 'sync failed; will retry')).toBe(true);
    firewall.calls.length = 0;
    await clock.advance(MIN_SYNC + 1);
    expect(firewall.restoreCount()).toBe(failedAt + 1);
    expect(firewall.calls[0]).toBe('save nat');
    expect(dnatTargets(lastRestore(firewall))).toHaveLength(3);

    // Repeated failures back off: 1 s, 2 s, 4 s …
    firewall.failNextRestore();
    firewall.failNextRestore();
    await client.update(ENDPOINTS, 'default', webEndpoints(4));
    await clock.advance(MIN_SYNC + 1); // first attempt fails
    const n = firewall.restoreCount();
    await clock.advance(1100);
    expect(firewall.restoreCount()).toBe(n + 1); // second attempt 1 s later, fails again
    await clock.advance(1500);
    expect(firewall.restoreCount()).toBe(n + 1); // the third waits 2 s
    await clock.advance(500);
    expect(firewall.restoreCount()).toBe(n + 2);
    expect(dnatTargets(lastRestore(firewall))).toHaveLength(4);
  });

  it('skips the restore when a change leaves the rules as they are', async () => {
    const { clock, client, firewall } = await setup();
    await clock.advance(5000);
    const before = firewall.restoreCount();
    const ep = webEndpoints(2);
    ep.metadata.annotations = { 'endpoints.kubernetes.io/last-change-trigger-time': 'x' };
    await client.update(ENDPOINTS, 'default', ep);
    await clock.advance(MIN_SYNC);
    expect(firewall.restoreCount()).toBe(before);
  });

  it('between full syncs writes only the chains that changed, leaving iptables as a full sync would', async () => {
    const { clock, client, firewall } = await setup();
    client.seed(SERVICES, service('db', '10.96.0.11', [{ protocol: 'TCP', port: 5432, targetPort: 5432 }]));
    client.seed(
      ENDPOINTS,
      endpoints('db', [{ addresses: addresses(1, 50), ports: [{ port: 5432, protocol: 'TCP' }] }]),
    );
    await clock.advance(5000);
    const saves = () => firewall.calls.filter((c) => c === 'save nat').length;
    const savesBefore = saves();
    const dbChain = serviceChainName('default/db', 'tcp');
    expect(firewall.chains('nat')).toContain(dbChain);
    await client.update(ENDPOINTS, 'default', webEndpoints(3));
    await clock.advance(MIN_SYNC);
    const partial = lastRestore(firewall);
    // The web service's chains are rewritten; db's are neither declared (flushed) nor rewritten.
    expect(partial).toContain(`:${serviceChainName('default/web', 'tcp')} - [0:0]`);
    expect(partial).not.toContain(`:${dbChain} `);
    expect(partial).not.toContain(`-A ${dbChain} `);
    expect(partial).toContain(`-j ${dbChain}`); // SKIFF-SERVICES is always rewritten, with its jump to db
    expect(checkRuleset(partial)).toEqual([]);
    expect(dnatTargets(partial)).toEqual(['10.244.1.7:8080']); // of web's endpoints only the new one's chain
    expect(saves()).toBe(savesBefore); // no re-read of iptables between full syncs
    const afterPartial = firewall.chains('nat').map((c) => [c, firewall.rules('nat', c)]);
    // The next full sync rewrites everything and finds nothing to correct.
    await clock.advance(30_000);
    expect(saves()).toBeGreaterThan(savesBefore); // a full sync re-read iptables
    expect(firewall.chains('nat').map((c) => [c, firewall.rules('nat', c)])).toEqual(afterPartial);
    expect(appliedDnatTargets(firewall)).toHaveLength(4);
  });

  it('resyncs fully every sync period and puts back a hook rule someone removed', async () => {
    const { clock, firewall } = await setup();
    const hook = HOOK_RULES.find((h) => h.chain === 'PREROUTING')!;
    await firewall.deleteRule(hook);
    const before = firewall.restoreCount();
    await clock.advance(30_000);
    expect(firewall.restoreCount()).toBe(before + 1);
    expect(firewall.rules('nat', 'PREROUTING')).toContainEqual([...hook.args]);
  });

  it('resync() re-reads iptables and moves hooks dockerd pushed down back to the top, without waiting 30 s', async () => {
    const { clock, firewall, proxier } = await setup();
    const hook = HOOK_RULES.find((h) => h.table === 'filter' && h.chain === 'FORWARD')!;
    firewall.seedChain('filter', 'DOCKER-USER');
    await firewall.restore('*filter\n-I FORWARD -j DOCKER-USER\nCOMMIT\n');
    proxier.resync();
    await clock.advance(MIN_SYNC);
    expect(firewall.rules('filter', 'FORWARD')).toEqual([[...hook.args], ['-j', 'DOCKER-USER']]);
    expect(firewall.calls.filter((c) => c === 'save nat').length).toBeGreaterThanOrEqual(2);
  });

  it('deletes the chains of a deleted service in the next restore', async () => {
    const { clock, client, firewall } = await setup();
    const svcChain = serviceChainName('default/web', 'tcp');
    await clock.advance(5000);
    await client.delete(SERVICES, 'default', 'web');
    await clock.advance(1);
    expect(lastRestore(firewall)).toContain(`-X ${svcChain}`);
    expect(firewall.chains('nat').filter((c) => c.startsWith('SKIFF-S') && c !== 'SKIFF-SERVICES')).toEqual(
      [],
    );
  });

  it('rejects at once a service whose endpoints all turn not ready', async () => {
    const { clock, client, firewall } = await setup();
    await clock.advance(5000);
    const ep = webEndpoints(0);
    ep.subsets = [{ notReadyAddresses: addresses(2), ports: [{ port: 8080, protocol: 'TCP' }] }];
    await client.update(ENDPOINTS, 'default', ep);
    await clock.advance(1);
    expect(lastRestore(firewall)).toContain('"default/web has no endpoints" -m tcp -p tcp -d 10.96.0.10/32');
  });

  it('stop({cleanup}) leaves iptables as it was before the proxier started', async () => {
    const seedForeign = (fw: FakeFirewall) => {
      fw.seedChain('nat', 'SKIFF-POD-MASQ', [
        ['-s', '10.244.0.0/16', '!', '-d', '10.244.0.0/16', '-j', 'MASQUERADE'],
      ]);
      fw.seedChain('nat', 'DOCKER');
      void fw.insertRule({
        table: 'nat',
        chain: 'PREROUTING',
        args: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'DOCKER'],
      });
      void fw.insertRule({ table: 'nat', chain: 'POSTROUTING', args: ['-j', 'SKIFF-POD-MASQ'] });
    };
    const pristine = new FakeFirewall();
    seedForeign(pristine);
    const { proxier, firewall } = await setup({ seed: seedForeign });
    expect(firewall.chains('nat')).toContain('SKIFF-SERVICES');
    running = undefined;
    await proxier.stop({ cleanup: true });
    expect(await firewall.save('nat')).toBe(await pristine.save('nat'));
    expect(await firewall.save('filter')).toBe(await pristine.save('filter'));
  });

  it('rejects a bad configuration when constructed', () => {
    const base = { client: new FakeApiClient(), firewall: new FakeFirewall(), nodeIPs: [] };
    expect(() => new Proxier({ ...base, clusterCIDR: '10.244.0.0', serviceCIDR: SERVICE_CIDR })).toThrow(
      /cluster CIDR/,
    );
    expect(
      () => new Proxier({ ...base, clusterCIDR: CLUSTER_CIDR, serviceCIDR: SERVICE_CIDR, nodeIPs: ['x'] }),
    ).toThrow(/node address/);
  });
});

describe('cleanupProxyRules', () => {
  it('does nothing on a node without proxy rules', async () => {
    const firewall = new FakeFirewall();
    expect(await cleanupProxyRules(firewall)).toEqual({ hooks: 0, chains: 0 });
    expect(firewall.restoreCount()).toBe(0);
  });

  it('removes duplicated hook rules too', async () => {
    const firewall = new FakeFirewall();
    await firewall.restore('*nat\n:SKIFF-SERVICES - [0:0]\nCOMMIT\n');
    const hook = HOOK_RULES[0];
    await firewall.insertRule(hook);
    await firewall.insertRule(hook);
    expect(await cleanupProxyRules(firewall)).toEqual({ hooks: 2, chains: 1 });
    expect(firewall.chains('nat')).toEqual(['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']);
  });
});
