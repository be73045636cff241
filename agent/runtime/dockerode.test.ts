import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocker, deferFunctionModule, deferredDockerodeFiles, dockerode } from './dockerode.js';

const require = createRequire(import.meta.url);
const loaded = (pkg: string) => Object.keys(require.cache).some((f) => f.includes(`/node_modules/${pkg}/`));

describe('deferFunctionModule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-defer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the real module at the first call and forwards this, arguments and result', () => {
    const file = join(dir, 'counted.cjs');
    writeFileSync(
      file,
      'globalThis.__skiffDeferLoads = (globalThis.__skiffDeferLoads ?? 0) + 1;\n' +
        'module.exports = function (a, b) { return [this && this.tag, a + b]; };\n',
    );
    const g = globalThis as { __skiffDeferLoads?: number };
    deferFunctionModule(file);
    const fn = require(file) as (this: unknown, a: number, b: number) => unknown;
    expect(g.__skiffDeferLoads).toBeUndefined();
    expect(fn.call({ tag: 't' }, 1, 2)).toEqual(['t', 3]);
    expect(fn(2, 3)).toEqual([undefined, 5]);
    expect(g.__skiffDeferLoads).toBe(1);
    // Later requirers get the real module itself.
    expect(require(file)).not.toBe(fn);
    expect((require(file) as (a: number, b: number) => unknown)(1, 1)).toEqual([undefined, 2]);
    expect(g.__skiffDeferLoads).toBe(1);
  });
});

describe('dockerode()', () => {
  it('finds both deferred files, and each exports the single function the stand-in relies on', () => {
    const files = deferredDockerodeFiles();
    expect(files.map((f) => f.split('/node_modules/')[1])).toEqual([
      'dockerode/lib/session.js',
      'docker-modem/lib/ssh.js',
    ]);
    // Read the sources rather than requiring them: requiring would load grpc and ssh2 before the test below.
    const sources = files.map((f) => readFileSync(f, 'utf8'));
    expect(sources[0]).toMatch(/^module\.exports = withSession;$/m);
    expect(sources[0]).toMatch(/^function withSession\(/m);
    expect(sources[1]).toMatch(/^module\.exports = function \(opt\)/m);
  });

  it('loads dockerode without grpc or ssh2, and they still load when a session or ssh host is used', async () => {
    // This file runs in its own process (vitest isolates test files), so nothing loaded dockerode before.
    expect(loaded('dockerode')).toBe(false);
    const Docker = dockerode();
    expect(createDocker({ socketPath: '/nonexistent.sock' })).toBeInstanceOf(Docker);
    expect(loaded('dockerode')).toBe(true);
    expect(loaded('@grpc/grpc-js')).toBe(false);
    expect(loaded('@grpc/proto-loader')).toBe(false);
    expect(loaded('ssh2')).toBe(false);

    const [sessionFile, sshFile] = deferredDockerodeFiles();
    // A BuildKit session: the real withSession runs (and loads grpc) and dials the engine.
    const withSession = require(sessionFile) as (
      docker: unknown,
      auth: unknown,
      handler: (err: Error | null) => void,
    ) => void;
    const dialed: unknown[] = [];
    const err = await new Promise<Error | null>((resolve) =>
      withSession(
        {
          modem: {
            dial: (opts: unknown, cb: (e: Error) => void) => {
              dialed.push(opts);
              cb(new Error('no engine'));
            },
          },
        },
        undefined,
        resolve,
      ),
    );
    expect(err?.message).toBe('no engine');
    expect(dialed).toMatchObject([{ path: '/session', hijack: true }]);
    expect(loaded('@grpc/grpc-js')).toBe(true);
    // An ssh:// host: the real ssh.js (and ssh2) builds its agent; nothing connects until a request.
    const agent = (require(sshFile) as (opt: object) => unknown)({ host: '127.0.0.1' });
    expect(agent).toBeInstanceOf(http.Agent);
    expect(loaded('ssh2')).toBe(true);
  });
});
