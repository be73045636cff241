import { describe, expect, it } from 'vitest';
import { slowStartBatch } from './slow-start.js';

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4, … up to the count', async () => {
    const log: string[] = [];
    const result = await slowStartBatch(10, 1, async () => {
      log.push('s');
      await Promise.resolve();
      log.push('e');
    });
    expect(result).toEqual({ successes: 10 });
    // Each batch starts all its calls, then waits for them: runs of starts are the batch sizes.
    const batches = log
      .join('')
      .split(/e+/)
      .filter(Boolean)
      .map((run) => run.length);
    expect(batches).toEqual([1, 2, 4, 3]);
  });

  it('stops after the batch in which a call fails', async () => {
    let calls = 0;
    const boom = new Error('quota exceeded');
    const result = await slowStartBatch(10, 1, async () => {
      calls++;
      if (calls === 3) throw boom; // in the second batch (calls 2 and 3)
    });
    expect(calls).toBe(3);
    expect(result).toEqual({ successes: 2, error: boom });
  });

  it('does nothing for a count of 0', async () => {
    let calls = 0;
    expect(await slowStartBatch(0, 1, async () => calls++)).toEqual({ successes: 0 });
    expect(calls).toBe(0);
  });
});
