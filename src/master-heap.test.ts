import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MASTER_V8_FLAGS } from './master-heap.js';

// A live set of ~60 MB and a stream of objects that live long enough to be promoted, then die: the master's
// informer churn in small. Run in a child node with the given flags set as applyMasterHeapPolicy sets them (after
// start, with v8.setFlagsFromString); prints the largest old space V8 committed, in MiB.
const churn = (flags: readonly string[]) => `
  const v8 = require('node:v8');
  for (const f of ${JSON.stringify(flags)}) v8.setFlagsFromString(f);
  const live = []; for (let i = 0; i < 600000; i++) live.push({ i, s: 'live-' + i, a: [i, i + 1] });
  const ring = new Array(200000); let max = 0;
  for (let i = 0; i < 1e7; i++) {
    ring[i % ring.length] = { i, s: 'churn-' + i, a: [i] };
    if (i % 20000 === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size);
  }
  console.log(live.length && max / 1048576);`;

const maxOldSpaceMiB = (flags: readonly string[]) =>
  Number(execFileSync(process.execPath, ['-e', churn(flags)], { encoding: 'utf8' }).trim());

describe('the master heap policy', () => {
  it('keeps the old generation well below where V8 alone lets it grow (about 4x what is live)', () => {
    const plain = maxOldSpaceMiB([]);
    const capped = maxOldSpaceMiB(MASTER_V8_FLAGS);
    expect(capped).toBeLessThan(plain * 0.75);
  }, 60_000);
});
