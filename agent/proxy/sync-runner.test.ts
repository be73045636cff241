import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { SyncRunner } from './sync-runner.js';

function runner(outcomes: (() => Promise<void>)[] = []) {
  const clock = new FakeClock();
  const starts: number[] = [];
  const t0 = clock.now();
  const r = new SyncRunner({
    clock,
    logger: new RecordingLogger(),
    run: async () => {
      starts.push(clock.now() - t0);
      await (outcomes.shift() ?? (async () => undefined))();
    },
    minIntervalMs: 1000,
    maxIntervalMs: 60_000,
    retry: { initialMs: 1000, maxMs: 8000, factor: 2 },
  });
  return { clock, r, starts };
}

describe('SyncRunner', () => {
  it('runs the first request at once and keeps later runs a minimum interval apart', async () => {
    const { clock, r, starts } = runner();
    r.request();
    await clock.advance(0);
    r.request();
    await clock.advance(300);
    r.request();
    await clock.advance(2000);
    expect(starts).toEqual([0, 1000]);
    await r.stop();
  });

  it('runs periodically without requests', async () => {
    const { clock, r, starts } = runner();
    r.start();
    await clock.advance(130_000);
    expect(starts).toEqual([60_000, 120_000]);
    await r.stop();
  });

  it('backs off after failures (1 s, 2 s, 4 s, capped at 8 s) and resets after a success', async () => {
    const fail = async () => {
      throw new Error('boom');
    };
    const { clock, r, starts } = runner([fail, fail, fail, fail, fail]);
    r.request();
    await clock.advance(30_000);
    expect(starts).toEqual([0, 1000, 3000, 7000, 15000, 23000]);
    r.request();
    await clock.advance(1000);
    expect(starts).toEqual([0, 1000, 3000, 7000, 15000, 23000, 30000]);
    await r.stop();
  });

  it('runNow waits for a run in flight; stop waits too and then runs nothing more', async () => {
    let finish!: () => void;
    const slow = () => new Promise<void>((resolve) => (finish = resolve));
    const { clock, r, starts } = runner([slow]);
    r.request();
    await clock.advance(0);
    let nowDone = false;
    const now = r.runNow().then(() => (nowDone = true));
    await clock.advance(5000);
    expect(nowDone).toBe(false);
    finish();
    await now;
    expect(starts).toEqual([0, 5000]);
    const stopped = r.stop();
    r.request();
    await stopped;
    await clock.advance(100_000);
    expect(starts).toHaveLength(2);
  });
});
