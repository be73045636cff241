// A tiny writer for the durability test (test/integration/store-crash.test.ts): opens a SqliteStore in the
// directory given as argv[2] and creates pods one by one, printing each pod's name only after its create
// resolved. The test kills it with SIGKILL mid-way and checks that every printed (acknowledged) pod survived.
// Usage: node dist/src/store/crash-writer.js <dataDir> [count]
import { SqliteStore } from './sqlite-store.js';

async function main(): Promise<void> {
  const [dataDir, countArg] = process.argv.slice(2);
  if (!dataDir) {
    process.stderr.write('usage: crash-writer <dataDir> [count]\n');
    process.exitCode = 2;
    return;
  }
  const count = Number(countArg ?? 1_000_000);
  const store = SqliteStore.open({ dataDir });
  for (let i = 0; i < count; i++) {
    const name = `pod-${i}`;
    await store.create(
      { group: '', resource: 'pods', namespace: 'default', name },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default' },
        spec: { containers: [{ name: 'app', image: 'busybox:local' }] },
      },
    );
    // stdout to a pipe is synchronous on Linux: once this returns, the parent can read the name.
    process.stdout.write(`${name}\n`);
  }
  await store.close();
}

await main();
