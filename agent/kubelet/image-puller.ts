// Makes a container's image present according to its imagePullPolicy (the kubelet's image manager):
// Always pulls, IfNotPresent pulls only when missing, Never never pulls. Failed pulls back off per pod and image
// (ErrImagePull, then ImagePullBackOff until the back-off expires). Events and messages are the kubelet's.
import type { Container, Pod } from '../../src/api/types.js';
import type { Clock } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';
import type { ContainerRuntime, PullProgress } from '../runtime/container-runtime.js';
import { inBackoff, retryAt, type BackoffTracker } from './backoff.js';
import type { EventSink } from './event-sink.js';
import type { PullPolicy } from './sync-pod.js';

/** A container cannot start because of its image; `reason` is the waiting reason shown by kubectl. */
export class ImagePullError extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull',
    message: string,
    /** When another pull may be tried. */
    readonly retryAt?: number,
  ) {
    super(message);
    this.name = 'ImagePullError';
  }
}

/** Go's Duration format with sub-second precision, as in "Successfully pulled image … in 1.234s". */
export function preciseDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${Number(s.toFixed(3))}s`;
  const m = Math.floor(s / 60);
  return `${m}m${Number((s - m * 60).toFixed(3))}s`;
}

export interface ImagePullerDeps {
  runtime: ContainerRuntime;
  events: EventSink;
  clock: Clock;
  log: Logger;
  backoff: BackoffTracker;
}

export class ImagePuller {
  constructor(private readonly deps: ImagePullerDeps) {}

  async ensure(pod: Pod, c: Container, policy: PullPolicy): Promise<void> {
    const { runtime, events, clock, backoff } = this.deps;
    const image = c.image ?? '';
    const present = await runtime.inspectImage(image);
    if (policy !== 'Always' && present) {
      events.record(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return;
    }
    if (policy === 'Never') {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      events.record(pod, 'Warning', 'ErrImageNeverPull', msg);
      throw new ImagePullError('ErrImageNeverPull', msg);
    }
    const key = `${pod.metadata.uid}/${image}`;
    const entry = backoff.get(key);
    if (inBackoff(entry, clock.now())) {
      const msg = `Back-off pulling image "${image}"`;
      events.record(pod, 'Normal', 'BackOff', msg);
      events.record(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
      throw new ImagePullError('ImagePullBackOff', msg, retryAt(entry!));
    }
    events.record(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const started = clock.now();
    try {
      const info = await runtime.pullImage(image, (p) => this.progress(image, p));
      const took = preciseDuration(clock.now() - started);
      backoff.forget(key);
      events.record(
        pod,
        'Normal',
        'Pulled',
        `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${info.sizeBytes} bytes.`,
      );
    } catch (err) {
      const msg = (err as Error).message;
      const next = backoff.observe(key, { failedAt: clock.now() });
      events.record(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${msg}`);
      events.record(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
      throw new ImagePullError('ErrImagePull', `Failed to pull image "${image}": ${msg}`, retryAt(next));
    }
  }

  private progress(image: string, p: PullProgress): void {
    if (p.total) this.deps.log.debug({ image, layer: p.layer, current: p.current, total: p.total }, p.status);
    else this.deps.log.debug({ image, layer: p.layer }, p.status);
  }
}
