// What the DNS server answers from: the current Services and Endpoints. The server polls version() on each query
// and rebuilds its index only when it moved, so a burst of endpoint changes costs one rebuild, at the next query.
import type { Endpoints, Service } from '../../src/api/types.js';
import { ENDPOINTS, SERVICES, type ApiClient } from '../../src/client/api-client.js';
import { createInformer, type Informer } from '../../src/client/informer.js';
import type { Clock } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';

export interface DnsSource {
  /** Changes whenever the services or endpoints change. */
  version(): number;
  /** False until the first list of both resources is in: zone names then get SERVFAIL rather than NXDOMAIN. */
  hasSynced(): boolean;
  services(): readonly Service[];
  endpoints(): readonly Endpoints[];
}

/** A fixed set of objects, replaced with set(): for tools, benchmarks and tests that have no API server. */
export class StaticDnsSource implements DnsSource {
  private v = 0;

  constructor(
    private svcs: readonly Service[] = [],
    private eps: readonly Endpoints[] = [],
  ) {}

  set(services: readonly Service[], endpoints: readonly Endpoints[]): void {
    this.svcs = services;
    this.eps = endpoints;
    this.v++;
  }

  version(): number {
    return this.v;
  }
  hasSynced(): boolean {
    return true;
  }
  services(): readonly Service[] {
    return this.svcs;
  }
  endpoints(): readonly Endpoints[] {
    return this.eps;
  }
}

/**
 * Services and Endpoints from two informers (list+watch of all namespaces). Pass informers to share them with
 * kube-proxy (InformerFactory.get(SERVICES)); or let create() make its own. stop() stops only informers it made.
 */
export class InformerDnsSource implements DnsSource {
  private v = 0;
  private svcCache: readonly Service[] | undefined;
  private epsCache: readonly Endpoints[] | undefined;

  constructor(
    private readonly informers: { services: Informer<Service>; endpoints: Informer<Endpoints> },
    private readonly owned = false,
  ) {
    for (const [informer, kind] of [
      [informers.services, 'services'],
      [informers.endpoints, 'endpoints'],
    ] as const) {
      const changed = () => this.bump(kind);
      (informer as Informer<Service | Endpoints>).on('add', changed);
      (informer as Informer<Service | Endpoints>).on('delete', changed);
      (informer as Informer<Service | Endpoints>).on('update', (a, b) => {
        // Periodic resyncs re-deliver unchanged objects; they must not force a rebuild.
        if (a !== b && a.metadata.resourceVersion !== b.metadata.resourceVersion) changed();
      });
    }
  }

  static create(client: ApiClient, opts: { clock?: Clock; logger?: Logger } = {}): InformerDnsSource {
    const common = { client, clock: opts.clock, logger: opts.logger };
    return new InformerDnsSource(
      {
        services: createInformer<Service>({ ...common, ref: SERVICES }),
        endpoints: createInformer<Endpoints>({ ...common, ref: ENDPOINTS }),
      },
      true,
    );
  }

  /** Starts both informers; resolves once both have listed. */
  async start(): Promise<void> {
    await Promise.all([this.informers.services.start(), this.informers.endpoints.start()]);
    this.bump('services'); // the synced state is part of what the server answers from
  }

  stop(): void {
    if (!this.owned) return;
    this.informers.services.stop();
    this.informers.endpoints.stop();
  }

  version(): number {
    return this.v;
  }

  hasSynced(): boolean {
    return this.informers.services.hasSynced() && this.informers.endpoints.hasSynced();
  }

  services(): readonly Service[] {
    return (this.svcCache ??= this.informers.services.list());
  }

  endpoints(): readonly Endpoints[] {
    return (this.epsCache ??= this.informers.endpoints.list());
  }

  private bump(kind: 'services' | 'endpoints'): void {
    if (kind === 'services') this.svcCache = undefined;
    else this.epsCache = undefined;
    this.v++;
  }
}
