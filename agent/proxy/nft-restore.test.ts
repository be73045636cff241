import { describe, expect, it } from 'vitest';
import { parseIptablesText } from './iptables-text.js';
import { isNftBackend, withWholeTableCache } from './nft-restore.js';

function batch(natChains: number): string {
  const chains = Array.from({ length: natChains }, (_, i) => `SKIFF-SEP-${i}`);
  return [
    '*nat',
    ...chains.map((c) => `:${c} - [0:0]`),
    ...chains.map((c) => `-A ${c} -j RETURN`),
    'COMMIT',
    '*filter',
    ':SKIFF-PROXY - [0:0]',
    '-A SKIFF-PROXY -d 10.96.0.0/12 -j REJECT',
    'COMMIT',
    '',
  ].join('\n');
}

describe('withWholeTableCache', () => {
  it('adds -S right after the header of a section that declares many chains, and nowhere else', () => {
    const text = batch(3);
    const out = withWholeTableCache(text, 3).split('\n');
    expect(out[0]).toBe('*nat');
    expect(out[1]).toBe('-S');
    expect(out.filter((l) => l === '-S')).toHaveLength(1); // the filter section declares one chain
    // Everything else is the batch as it was, in order.
    expect(out.filter((l) => l !== '-S')).toEqual(text.split('\n'));
  });

  it('leaves small batches (a partial sync) as they are', () => {
    const text = batch(10);
    expect(withWholeTableCache(text, 11)).toBe(text);
    expect(withWholeTableCache(batch(499))).toBe(batch(499));
    expect(withWholeTableCache(batch(500))).toContain('*nat\n-S\n');
  });

  it('keeps the chains and rules the batch declares', () => {
    const [nat] = parseIptablesText(batch(600));
    const [natAfter] = parseIptablesText(withWholeTableCache(batch(600)).replace('\n-S\n', '\n'));
    expect(natAfter).toEqual(nat);
  });
});

describe('isNftBackend', () => {
  it('tells iptables-nft from iptables-legacy by its version line', () => {
    expect(isNftBackend('iptables-restore v1.8.9 (nf_tables)\n')).toBe(true);
    expect(isNftBackend('iptables-restore v1.8.9 (legacy)\n')).toBe(false);
    expect(isNftBackend('')).toBe(false);
  });
});
