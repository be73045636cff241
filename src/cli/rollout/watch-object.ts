// Follow one object until a condition holds, the way kubectl's UntilWithSync does for `rollout status` and
// `wait`: read it, then watch it by name from that resourceVersion; a watch that ends (server timeout, 410 Gone)
// is resumed from a fresh read. Deleting the object ends the wait with an error (a recreated object must not be
// mistaken for the one being followed). The timeout runs on the CLI's clock.
import type { KubeObject } from '../../api/types.js';
import type { ResourceRef, WatchHandle } from '../../client/api-client.js';
import type { Session } from '../context.js';
import { CliError } from '../errors.js';

export interface WatchObjectOptions {
  /** false: look once (the `done` of the first state is returned). */
  watch?: boolean;
  /** Give up after this long; 0 or undefined waits forever. */
  timeoutMs?: number;
}

/**
 * Calls `check` with the object now and on every change until it returns true (→ 'done') or the timeout passes
 * (→ 'timeout'; with watch=false → 'once'). Errors thrown by `check` end the wait and propagate.
 */
export async function watchObject<T extends KubeObject>(
  s: Session,
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
  check: (obj: T) => boolean,
  opts: WatchObjectOptions = {},
): Promise<'done' | 'timeout' | 'once'> {
  const clock = s.ctx.clock;
  let timedOut = false;
  let handle: WatchHandle | undefined;
  const timer =
    opts.timeoutMs && opts.timeoutMs > 0
      ? clock.setTimeout(() => {
          timedOut = true;
          handle?.stop();
        }, opts.timeoutMs)
      : undefined;
  try {
    let obj = await s.client.get<T>(ref, namespace, name);
    if (check(obj)) return 'done';
    if (opts.watch === false) return 'once';
    const uid = obj.metadata.uid;
    let rv = obj.metadata.resourceVersion;
    for (;;) {
      if (timedOut) return 'timeout';
      let finished = false;
      let failure: unknown;
      const stop = (err?: unknown) => {
        finished = err === undefined;
        failure = err;
        handle?.stop();
      };
      handle = s.client.watch<T>(
        ref,
        namespace,
        { resourceVersion: rv, fieldSelector: `metadata.name=${name}` },
        (ev) => {
          if (finished || failure) return;
          if (ev.type === 'ERROR') return handle?.stop(); // e.g. 410 Gone: read again below
          rv = ev.object.metadata?.resourceVersion ?? rv;
          if (ev.type === 'BOOKMARK') return;
          if (ev.type === 'DELETED' || (uid && ev.object.metadata.uid !== uid)) {
            return stop(new CliError('error: object has been deleted'));
          }
          try {
            if (check(ev.object)) stop();
          } catch (err) {
            stop(err);
          }
        },
      );
      try {
        await handle.done;
      } catch (err) {
        if (!timedOut && !finished && !failure) throw err;
      }
      if (failure) throw failure;
      if (finished) return 'done';
      if (timedOut) return 'timeout';
      obj = await s.client.get<T>(ref, namespace, name);
      if (uid && obj.metadata.uid !== uid) throw new CliError('error: object has been deleted');
      rv = obj.metadata.resourceVersion;
      if (check(obj)) return 'done';
    }
  } finally {
    clock.clearTimeout(timer);
  }
}

/** Go durations as kubectl's --timeout takes them: `0`, `30s`, `5m`, `1h30m`, `500ms`; a bare number is seconds. */
export function parseDuration(value: string): number {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    total += Number(m[1]) * units[m[2]];
    matched = re.lastIndex;
  }
  if (v === '' || matched !== v.length) {
    throw new CliError(
      `error: invalid argument "${value}" for "--timeout" flag: time: invalid duration "${value}"`,
    );
  }
  return total;
}
