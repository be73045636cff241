// What `skiff agent` loads before it does anything: the CLI (every command is registered) and the agent's
// composition root. Libraries the agent only needs on some paths are loaded there, at first use (issue 7, the
// agent's memory): the API server's (express, protobufjs, @peculiar/x509) never, dockerode when the runtime is made,
// express and ws at the first logs/exec request (kubelet/server.ts), ws at the client's first exec.
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const loaded = (pkg: string) => Object.keys(require.cache).some((f) => f.includes(`/node_modules/${pkg}/`));

it('importing the CLI and the agent loads none of the libraries the agent defers', async () => {
  await import('../src/cli/program.js');
  await import('./agent.js');
  // Sanity: this file runs in its own process, and the probe sees CommonJS packages the imports did load.
  expect(loaded('pino')).toBe(true);
  for (const pkg of ['express', 'ws', 'dockerode', '@grpc/grpc-js', 'ssh2', '@peculiar/x509', 'protobufjs']) {
    expect({ pkg, loaded: loaded(pkg) }).toEqual({ pkg, loaded: false });
  }
});
