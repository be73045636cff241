// The TTL-after-finished controller (kubernetes pkg/controller/ttlafterfinished), thin: finished Jobs with
// ttlSecondsAfterFinished are queued until their TTL runs out, then re-read from the API (the TTL may have been
// changed meanwhile) and deleted with their pods (propagationPolicy Background: the garbage collector removes the
// pods; Kubernetes uses Foreground, which keeps the Job visible until they are gone).
import type { Job } from '../../api/types.js';
import { JOBS, type ApiClient } from '../../client/api-client.js';
import type { Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { objectKey, splitKey } from '../../client/key.js';
import { systemClock, type Clock } from '../../common/clock.js';
import { isApiError } from '../../common/errors.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import { Controller } from '../runtime/controller.js';
import { ttlRemainingMs } from './ttl.js';

export interface TtlAfterFinishedControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  workers?: number;
}

export class TtlAfterFinishedController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly jobs: Informer<Job>;

  constructor(deps: TtlAfterFinishedControllerDeps) {
    this.client = deps.client;
    this.clock = deps.clock ?? systemClock;
    this.log = (deps.logger ?? silentLogger).child({ component: 'ttl-after-finished-controller' });
    this.jobs = deps.informers.get<Job>(JOBS);
    this.controller = new Controller({
      name: 'ttl-after-finished',
      sync: (key) => this.sync(key),
      workers: deps.workers,
      clock: this.clock,
      logger: this.log,
    });
    const enqueue = (job: Job) => {
      if (ttlRemainingMs(job, this.clock.now()) !== undefined) this.controller.enqueue(objectKey(job));
    };
    this.jobs.on('add', enqueue);
    this.jobs.on('update', (_old, cur) => enqueue(cur));
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  private async sync(key: string): Promise<void> {
    const cached = this.jobs.getByKey(key);
    if (!cached || !this.expired(key, cached)) return;
    // The cached TTL may be stale: decide again on a fresh read before deleting.
    const { namespace, name } = splitKey(key);
    let fresh: Job;
    try {
      fresh = await this.client.get<Job>(JOBS, namespace, name);
    } catch (err) {
      if (isApiError(err, 'NotFound')) return;
      throw err;
    }
    if (!this.expired(key, fresh)) return;
    try {
      await this.client.delete(JOBS, namespace, name, {
        propagationPolicy: 'Background',
        preconditions: { uid: fresh.metadata.uid },
      });
      this.log.info({ job: key }, 'deleted finished job after its TTL');
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }

  /** True when the TTL has run out; otherwise schedules the key for when it will. */
  private expired(key: string, job: Job): boolean {
    const remaining = ttlRemainingMs(job, this.clock.now());
    if (remaining === undefined) return false;
    if (remaining > 0) {
      this.controller.enqueueAfter(key, remaining);
      return false;
    }
    return true;
  }
}
