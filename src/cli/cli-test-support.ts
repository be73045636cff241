// Shared fixtures for the CLI's *.test.ts files (not used by the CLI itself): captured streams, a CliContext
// with a FakeClock, and a real in-process API server (createApp over a MemoryStore) listening on a free port,
// so commands are tested through the real HTTP client against the real API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { defaultRegistry } from '../api/registry.js';
import { harness, type Harness } from '../apiserver/test-support.js';
import { HttpApiClient } from '../client/http-api-client.js';
import { silentLogger } from '../common/logger.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import type { CliContext, Daemons } from './context.js';
import { runCli } from './program.js';

/** A writable that keeps what was written; `isTTY` can be set to test terminal-only output. */
export class Capture extends Writable {
  text = '';
  isTTY = false;
  columns = 80;
  rows = 24;

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.text += chunk.toString();
    cb();
  }
}

export interface TestCli {
  ctx: CliContext;
  stdout: Capture;
  stderr: Capture;
  clock: FakeClock;
  interrupt(): void;
  run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

const noDaemons: Daemons = {
  startMaster: () => Promise.reject(new Error('no master in this test')),
  runAgent: () => Promise.reject(new Error('no agent in this test')),
  cleanupAgent: () => Promise.reject(new Error('no agent in this test')),
};

export function testCli(
  opts: {
    server?: string;
    stdin?: string | Readable;
    daemons?: Daemons;
    clock?: FakeClock;
    /** Files the CLI may read (kubeconfigs, CA files), by path; nothing else exists. */
    files?: Record<string, string>;
    env?: Record<string, string>;
  } = {},
): TestCli {
  const stdout = new Capture();
  const stderr = new Capture();
  const clock = opts.clock ?? new FakeClock(Date.parse('2026-01-01T00:10:00Z'));
  const handlers = new Set<() => void>();
  const stdin =
    typeof opts.stdin === 'string' ? Readable.from([opts.stdin]) : (opts.stdin ?? Readable.from([]));
  const ctx: CliContext = {
    stdout,
    stderr,
    stdin,
    env: { ...(opts.server ? { SKIFF_SERVER: opts.server } : {}), ...opts.env },
    clock,
    catalog: defaultRegistry(),
    connect: ({ server, token, ca, insecureSkipTLSVerify }) =>
      new HttpApiClient({ server, token, ca, insecureSkipTLSVerify, requestTimeoutMs: 10_000 }),
    readFile: (path) => opts.files?.[path],
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    daemons: opts.daemons ?? noDaemons,
    createLogger: () => silentLogger,
    hostname: () => 'test-host',
    version: 'v0.1.0',
  };
  return {
    ctx,
    stdout,
    stderr,
    clock,
    interrupt: () => [...handlers].forEach((h) => h()),
    async run(...argv: string[]) {
      const before = [stdout.text.length, stderr.text.length];
      const code = await runCli(argv, ctx);
      return { code, stdout: stdout.text.slice(before[0]), stderr: stderr.text.slice(before[1]) };
    },
  };
}

export interface TestApiServer extends Harness {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The real API server app over fakes, on 127.0.0.1 and a free port. */
export async function startTestApiServer(): Promise<TestApiServer> {
  const h = await harness();
  const server = createServer(h.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...h,
    url,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Waits (in real time, briefly) until `fn` is true; for output produced by streams in the background. */
export async function eventually(fn: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
