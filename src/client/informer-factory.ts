// Shared informers (client-go's SharedInformerFactory): every controller in the master that needs pods gets the
// same pods informer, so the API server serves one watch per resource instead of one per controller.
import type { KubeObject } from '../api/types.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { ApiClient, ResourceRef } from './api-client.js';
import { createInformer, type Informer } from './informer.js';

export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();

  constructor(private readonly deps: { client: ApiClient; clock?: Clock; logger?: Logger }) {}

  /** The one informer for this resource (all namespaces), created on first use. */
  get<T extends KubeObject>(ref: ResourceRef): Informer<T> {
    const key = `${ref.group}/${ref.version}/${ref.resource}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = createInformer<KubeObject>({ ...this.deps, ref });
      this.informers.set(key, informer);
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts every informer handed out so far; resolves when all have synced. */
  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
  }
}
