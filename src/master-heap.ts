// The master's V8 heap policy, applied by `skiff master` (cli/main.ts) before the master starts; in-process masters
// (tests) leave their host's heap alone.
//
// By default V8 lets the old generation grow to up to 4× what survived the last full GC before it collects again.
// The master keeps every object in its informers and replaces them as they change (node status and Lease renewals,
// pod updates), so most of what it promotes dies soon after: with 1,000 simulated nodes and 5,000 pods it held
// ~45 MB of live objects in ~190 MB of old space. --heap-growing-percent=100 caps that growth at 2×. Measured
// (BENCHMARKS.md, footprint and api-server notes): peak RSS of the footprint run's master 329 → 229-246 MiB, master
// CPU per create unchanged (0.50-0.62 ms either way) and per GET +0-8% (0.26-0.28 ms vs 0.26). A lower setting
// (50%) saved 10-20 MiB more but cost 7-18% per GET. Unlike the semi-space size, this flag is read at every
// collection, so it can be set after start.
import { setFlagsFromString } from 'node:v8';

export const MASTER_V8_FLAGS: readonly string[] = ['--heap-growing-percent=100'];

export function applyMasterHeapPolicy(): void {
  for (const flag of MASTER_V8_FLAGS) setFlagsFromString(flag);
}
