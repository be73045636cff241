import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FakeClock, flushMicrotasks } from '../../test/fakes/fake-clock.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import type { RuntimeStreamStatus } from './container-runtime.js';
import { EventFollower, reconnectDelay } from './event-follower.js';

/** An engine whose /events endpoint is up or down; each open() while up hands out a fresh stream. */
class FakeEngine {
  up = true;
  opens = 0;
  streams: PassThrough[] = [];

  open = async () => {
    this.opens++;
    if (!this.up) throw new Error('connect ENOENT /run/docker.sock');
    const s = new PassThrough();
    this.streams.push(s);
    return s;
  };

  /** dockerd stopping: the open stream ends and new connections are refused. */
  stop(): void {
    this.up = false;
    this.streams.at(-1)?.end();
  }
}

function follow(engine: FakeEngine, clock: FakeClock) {
  const messages: unknown[] = [];
  const statuses: RuntimeStreamStatus[] = [];
  const log = new RecordingLogger();
  const follower = new EventFollower({
    open: engine.open,
    onMessage: (m) => messages.push(m),
    onStatus: (s) => statuses.push(s),
    clock,
    log,
  }).start();
  return { follower, messages, statuses, log };
}

describe('EventFollower', () => {
  it('grows the reconnect delay from 200 ms to a 2 s cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => reconnectDelay(n))).toEqual([200, 400, 800, 1600, 2000, 2000]);
  });

  it('delivers messages, reports the engine going away and coming back, and reconnects with back-off', async () => {
    const clock = new FakeClock();
    const engine = new FakeEngine();
    const { follower, messages, statuses } = follow(engine, clock);
    await flushMicrotasks();
    expect(statuses).toEqual(['connected']);
    engine.streams[0].write('{"Action":"start","id":"a"}\n{"Action":"die",');
    engine.streams[0].write('"id":"a"}\n');
    await flushMicrotasks();
    expect(messages).toEqual([
      { Action: 'start', id: 'a' },
      { Action: 'die', id: 'a' },
    ]);

    await clock.advance(5000); // a healthy connection
    engine.stop();
    await flushMicrotasks();
    expect(statuses).toEqual(['connected', 'disconnected']);
    // Attempts at +200, +600, +1400, +3000, +5000, +7000 ms: the delay doubles up to 2 s.
    const opensAt: number[] = [];
    const start = clock.now();
    for (let t = 0; t < 7000; t += 100) {
      const before = engine.opens;
      await clock.advance(100);
      if (engine.opens > before) opensAt.push(clock.now() - start);
    }
    expect(opensAt).toEqual([200, 600, 1400, 3000, 5000, 7000]);
    expect(statuses).toEqual(['connected', 'disconnected']); // reported once, however many attempts fail

    engine.up = true;
    await clock.advance(2000);
    expect(statuses).toEqual(['connected', 'disconnected', 'connected']);
    engine.streams.at(-1)!.write('{"Action":"destroy","id":"b"}\n');
    await flushMicrotasks();
    expect(messages.at(-1)).toEqual({ Action: 'destroy', id: 'b' });
    follower.stop();
  });

  it('starts over at 200 ms after a healthy connection, but not after one that broke at once', async () => {
    const clock = new FakeClock();
    const engine = new FakeEngine();
    follow(engine, clock);
    await flushMicrotasks();
    // Three connections that each end at once: 200, 400, 800 ms apart.
    for (const wait of [200, 400, 800]) {
      engine.streams.at(-1)!.end();
      await flushMicrotasks();
      const opens = engine.opens;
      await clock.advance(wait - 1);
      expect(engine.opens).toBe(opens);
      await clock.advance(1);
      expect(engine.opens).toBe(opens + 1);
    }
    await clock.advance(1500); // this one lives long enough
    engine.streams.at(-1)!.end();
    await flushMicrotasks();
    const opens = engine.opens;
    await clock.advance(200);
    expect(engine.opens).toBe(opens + 1);
  });

  it('reports a first connection that fails as disconnected, and a throwing handler breaks nothing', async () => {
    const clock = new FakeClock();
    const engine = new FakeEngine();
    engine.up = false;
    const statuses: RuntimeStreamStatus[] = [];
    const log = new RecordingLogger();
    const follower = new EventFollower({
      open: engine.open,
      onMessage: () => {
        throw new Error('handler bug');
      },
      onStatus: (s) => statuses.push(s),
      clock,
      log,
    }).start();
    await flushMicrotasks();
    expect(statuses).toEqual(['disconnected']);
    engine.up = true;
    await clock.advance(200);
    expect(statuses).toEqual(['disconnected', 'connected']);
    engine.streams[0].write('{"Action":"start"}\n{"Action":"die"}\n');
    await flushMicrotasks();
    expect(log.records.filter((e) => e.msg === 'runtime event handler failed')).toHaveLength(2);
    follower.stop();
    engine.streams[0].end();
    await clock.advance(5000);
    expect(engine.opens).toBe(2); // stopped: no reconnects
    expect(statuses).toEqual(['disconnected', 'connected']);
  });
});
