#!/usr/bin/env node
// The `skiff` executable: wires the real world (process streams, the system clock, the HTTP client, signals, the
// master and agent daemons) into the CLI and exits with the command's code. Everything else is in program.ts.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultRegistry } from '../api/registry.js';
import { HttpApiClient } from '../client/http-api-client.js';
import { systemClock } from '../common/clock.js';
import { createLogger } from '../common/logger.js';
import type { CliContext } from './context.js';
import { runCli } from './program.js';

/** The version in skiff's package.json, found by walking up from this file (src/cli or dist/src/cli). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'skiff' && pkg.version) return `v${pkg.version}`;
    } catch {
      // not here: look one level up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

const version = packageVersion();

const ctx: CliContext = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  clock: systemClock,
  catalog: defaultRegistry(),
  connect: ({ server, token, ca, insecureSkipTLSVerify }) =>
    new HttpApiClient({ server, token, ca, insecureSkipTLSVerify, userAgent: `skiff/${version}` }),
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  onInterrupt(handler) {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
  daemons: {
    // Loaded on demand, so `skiff get` does not load the store, the scheduler or dockerode.
    startMaster: async (opts) => {
      (await import('../master-heap.js')).applyMasterHeapPolicy();
      return (await import('../master.js')).startMaster(opts);
    },
    runAgent: async (opts) => (await import('../../agent/agent.js')).runAgent(opts),
    cleanupAgent: async (opts) => (await import('../../agent/agent.js')).cleanupAgent(opts),
  },
  createLogger: (level) => createLogger({ level }),
  hostname: () => hostname(),
  version,
};

// `skiff get pods | head -1` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await runCli(process.argv.slice(2), ctx);
process.exit(code);
