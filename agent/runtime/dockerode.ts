// dockerode for the agent, without the two dependencies it loads up front for features skiff never uses:
//   dockerode/lib/session.js   requires @grpc/grpc-js and @grpc/proto-loader (BuildKit sessions of `docker build`),
//   docker-modem/lib/ssh.js    requires ssh2 (`ssh://` engine hosts; skiff only speaks to a Unix socket).
// Together they are ~20 MiB of the agent's RSS (measured: require('dockerode') 23 MiB over bare node, those three
// 20 MiB of it). Both files export a single function, called only on those paths, so before dockerode is loaded each
// gets a stand-in in require.cache (Node documents that entries may be added there): a function that, on its first
// call, drops the stand-in, requires the real file (and so grpc or ssh2) and forwards to it from then on. Nothing
// changes for the paths skiff uses; a BuildKit session or an ssh host would still work, only loading later. When a
// dockerode upgrade moves those files, no stand-in is installed and everything loads as before
// (dockerode.test.ts checks the shapes this relies on).
import { existsSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';

const require = createRequire(import.meta.url);

/** The files of dockerode and docker-modem that are replaced by lazy stand-ins until first use. */
export function deferredDockerodeFiles(): string[] {
  const dockerodeMain = require.resolve('dockerode');
  const modemMain = createRequire(dockerodeMain).resolve('docker-modem');
  return [join(dirname(dockerodeMain), 'session.js'), join(dirname(modemMain), 'ssh.js')].filter((f) =>
    existsSync(f),
  );
}

/** Installs a stand-in for a module whose export is one function; the real module loads at the first call. */
export function deferFunctionModule(file: string): void {
  if (require.cache[file]) return; // already loaded (or deferred): nothing to save
  const stub = new Module(file);
  let real: ((...args: unknown[]) => unknown) | undefined;
  stub.exports = function (this: unknown, ...args: unknown[]): unknown {
    if (!real) {
      if (require.cache[file] === stub) delete require.cache[file];
      real = require(file) as (...args: unknown[]) => unknown;
    }
    return real.apply(this, args);
  };
  stub.filename = file;
  stub.loaded = true;
  require.cache[file] = stub;
}

let loaded: typeof Docker | undefined;

/** The dockerode class, loaded (once) with its BuildKit-session and ssh modules deferred. */
export function dockerode(): typeof Docker {
  if (!loaded) {
    if (!require.cache[require.resolve('dockerode')]) deferredDockerodeFiles().forEach(deferFunctionModule);
    loaded = require('dockerode') as typeof Docker;
  }
  return loaded;
}

/** A dockerode client: what `new Docker(opts)` gives. */
export function createDocker(opts: Docker.DockerOptions): Docker {
  const DockerClass = dockerode();
  return new DockerClass(opts);
}
