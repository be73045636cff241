// kube-proxy's Proxier, iptables mode: informers on Services and Endpoints; every change asks for a sync; the
// SyncRunner coalesces them (one restore in flight, at least minSyncPeriodMs apart, retries with backoff, a full
// resync every syncPeriodMs). A sync renders the whole ruleset (render-rules.ts) and applies it with one
// iptables-restore: all of it in a full sync, which also re-reads which of our chains exist and re-inserts missing
// hook rules; only the chains that changed in between.
import ipaddr from 'ipaddr.js';
import type { Endpoints, Service } from '../../src/api/types.js';
import { ENDPOINTS, SERVICES, type ApiClient } from '../../src/client/api-client.js';
import { createInformer, type Informer } from '../../src/client/informer.js';
import { systemClock, type Clock } from '../../src/common/clock.js';
import { badRequest } from '../../src/common/errors.js';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import type { Firewall } from './firewall.js';
import { ensureHooks, removeHooks } from './hooks.js';
import { chainsInSave } from './iptables-text.js';
import { renderCleanup, renderRuleset } from './render-rules.js';
import { SyncRunner } from './sync-runner.js';

export const DEFAULT_MIN_SYNC_PERIOD_MS = 1000;
export const DEFAULT_SYNC_PERIOD_MS = 30_000;

export interface ProxierDeps {
  client: ApiClient;
  firewall: Firewall;
  /** Addresses NodePorts answer on; empty: every local address but loopback. */
  nodeIPs: string[];
  clusterCIDR: string;
  serviceCIDR: string;
  clock?: Clock;
  logger?: Logger;
  /** Least time between two restores (kube-proxy --iptables-min-sync-period; default 1 s). */
  minSyncPeriodMs?: number;
  /** A full resync at least this often (kube-proxy --iptables-sync-period; default 30 s). */
  syncPeriodMs?: number;
  /**
   * Shared Service and Endpoints informers (e.g. the agent's InformerFactory, which DNS also uses). Their owner
   * stops them; without this the proxier creates, starts and stops its own.
   */
  informers?: { services: Informer<Service>; endpoints: Informer<Endpoints> };
}

export class Proxier {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly ownsInformers: boolean;
  private readonly syncPeriodMs: number;
  private readonly runner: SyncRunner;
  /** Our nat chains after the last successful restore; undefined forces a full sync (re-read from iptables). */
  private knownChains: string[] | undefined;
  /** Each chain's rules as last applied: what a partial sync compares with (undefined: write everything). */
  private applied: ReadonlyMap<string, string> | undefined;
  private lastFullSync = -Infinity;
  private started = false;
  private stopped = false;

  constructor(private readonly deps: ProxierDeps) {
    validateConfig(deps);
    this.clock = deps.clock ?? systemClock;
    this.log = (deps.logger ?? silentLogger).child({ component: 'agent:proxy' });
    this.syncPeriodMs = deps.syncPeriodMs ?? DEFAULT_SYNC_PERIOD_MS;
    const minSyncPeriodMs = deps.minSyncPeriodMs ?? DEFAULT_MIN_SYNC_PERIOD_MS;
    this.ownsInformers = !deps.informers;
    const common = { client: deps.client, clock: this.clock, logger: this.log };
    this.services = deps.informers?.services ?? createInformer<Service>({ ...common, ref: SERVICES });
    this.endpoints = deps.informers?.endpoints ?? createInformer<Endpoints>({ ...common, ref: ENDPOINTS });
    this.runner = new SyncRunner({
      clock: this.clock,
      logger: this.log,
      run: () => this.sync(),
      minIntervalMs: minSyncPeriodMs,
      maxIntervalMs: this.syncPeriodMs,
      retry: { initialMs: Math.max(minSyncPeriodMs, 500), maxMs: this.syncPeriodMs, factor: 2 },
    });
  }

  /** Starts the informers, waits for their first list, and runs the first (full) sync. */
  async start(): Promise<void> {
    if (this.started || this.stopped) return;
    this.started = true;
    // Handlers only ask for a sync: the sync reads the informers' caches (level-triggered).
    const changed = () => {
      if (!this.stopped) this.runner.request();
    };
    for (const informer of [this.services, this.endpoints] as Informer<any>[]) {
      informer.on('add', changed);
      informer.on('update', changed);
      informer.on('delete', changed);
    }
    await Promise.all([this.services.start(), this.endpoints.start()]);
    if (this.stopped) return;
    await this.runner.runNow(); // a failure is logged and retried by the runner
    this.runner.start();
  }

  /**
   * Asks for a full sync soon (re-reading iptables and re-ensuring the hooks), e.g. after dockerd restarted and put
   * its own rules ahead of ours, instead of waiting for the periodic one.
   */
  resync(): void {
    if (!this.started || this.stopped) return;
    this.knownChains = undefined;
    this.runner.request();
  }

  /** Stops syncing; with cleanup, removes every proxy chain and hook rule (a clean shutdown of the node). */
  async stop(opts: { cleanup?: boolean } = {}): Promise<void> {
    this.stopped = true;
    await this.runner.stop();
    if (this.ownsInformers) {
      this.services.stop();
      this.endpoints.stop();
    }
    if (opts.cleanup) await cleanupProxyRules(this.deps.firewall, this.log);
  }

  private async sync(): Promise<void> {
    const { firewall } = this.deps;
    const started = this.clock.now();
    const full = this.knownChains === undefined || started - this.lastFullSync >= this.syncPeriodMs;
    const existingChains = full ? chainsInSave(await firewall.save('nat'), 'nat') : this.knownChains;
    const services = this.services.list();
    const ruleset = renderRuleset({
      services,
      endpoints: this.endpoints.list(),
      nodeIPs: this.deps.nodeIPs,
      clusterCIDR: this.deps.clusterCIDR,
      serviceCIDR: this.deps.serviceCIDR,
      existingChains,
      // Between full syncs only the chains that changed are written (kube-proxy's MinimizeIPTablesRestore).
      applied: full ? undefined : this.applied,
    });
    if (!full && ruleset.changedChains === 0) return; // e.g. an Endpoints update that changed no address
    try {
      await firewall.restore(ruleset.text);
    } catch (err) {
      this.knownChains = this.applied = undefined; // we no longer know what is in place
      throw err;
    }
    this.knownChains = ruleset.natChains;
    this.applied = ruleset.chainRules;
    if (full) {
      await ensureHooks(firewall, this.log);
      this.lastFullSync = started;
    }
    const fields = {
      services: services.length,
      chains: ruleset.natChains.length,
      changed: ruleset.changedChains,
      ms: this.clock.now() - started,
    };
    if (full) this.log.info({ ...fields, full }, 'synced proxy rules');
    else this.log.debug(fields, 'synced proxy rules');
  }
}

/**
 * Removes everything the proxy put into iptables: the hook rules first (so nothing jumps into our chains), then
 * our chains in one batch. Safe to run when nothing is there (`skiff agent --cleanup`).
 */
export async function cleanupProxyRules(
  firewall: Firewall,
  logger: Logger = silentLogger,
): Promise<{ hooks: number; chains: number }> {
  const hooks = await removeHooks(firewall);
  const nat = chainsInSave(await firewall.save('nat'), 'nat');
  const filter = chainsInSave(await firewall.save('filter'), 'filter');
  const batch = renderCleanup(nat, filter);
  if (batch) await firewall.restore(batch);
  const chains = batch.split('\n').filter((l) => l.startsWith('-X ')).length;
  logger.info({ hooks, chains }, 'removed proxy rules');
  return { hooks, chains };
}

function validateConfig(deps: ProxierDeps): void {
  for (const [flag, cidr] of [
    ['cluster CIDR', deps.clusterCIDR],
    ['service CIDR', deps.serviceCIDR],
  ]) {
    if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) throw badRequest(`proxy: invalid ${flag} "${cidr}"`);
  }
  for (const ip of deps.nodeIPs) {
    if (!ipaddr.IPv4.isValidFourPartDecimal(ip) && !ipaddr.IPv4.isValidCIDRFourPartDecimal(ip)) {
      throw badRequest(`proxy: invalid node address "${ip}" (IPv4 address or CIDR)`);
    }
  }
}
