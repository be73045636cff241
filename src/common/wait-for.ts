// Polling until a condition holds, on a Clock (so lab tests run it on a fake one): `skiff lab`'s waits for its
// daemons and the benchmarks' waits use it.
import type { Clock } from './clock.js';

/** Thrown by a wait's check when waiting longer cannot help (the daemon it waits for has exited). */
export class GiveUp extends Error {
  override name = 'GiveUp';
}

/**
 * Polls `check` every `intervalMs` until it returns a value, or throws `what` after `timeoutMs`. Errors from `check`
 * count as "not yet" (the last one is reported on timeout), except GiveUp, which ends the wait at once.
 */
export async function waitFor<T>(
  clock: Clock,
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = clock.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      last = err;
    }
    if (clock.now() >= deadline) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${why}`);
    }
    await clock.sleep(intervalMs);
  }
}
