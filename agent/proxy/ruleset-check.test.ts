import { describe, expect, it } from 'vitest';
import { checkRuleset } from './ruleset-check.js';

const nat = (...lines: string[]) => ['*nat', ...lines, 'COMMIT', ''].join('\n');

describe('checkRuleset', () => {
  it('accepts chains reached from the hooks', () => {
    expect(
      checkRuleset(
        nat(
          ':SKIFF-SERVICES - [0:0]',
          ':SKIFF-SVC-A - [0:0]',
          ':SKIFF-OLD - [0:0]',
          '-A SKIFF-SERVICES -d 10.96.0.1/32 -j SKIFF-SVC-A',
          '-A SKIFF-SVC-A -j DNAT --to-destination 10.244.1.5:80',
          '-X SKIFF-OLD',
        ),
      ),
    ).toEqual([]);
  });

  it('finds a jump to a chain the batch does not declare', () => {
    expect(checkRuleset(nat(':SKIFF-SERVICES - [0:0]', '-A SKIFF-SERVICES -j SKIFF-SVC-MISSING'))).toEqual([
      'nat line 3: jump to undeclared chain SKIFF-SVC-MISSING',
    ]);
  });

  it('finds a dead chain: declared, not deleted, and nothing jumps to it', () => {
    expect(
      checkRuleset(
        nat(':SKIFF-SERVICES - [0:0]', ':SKIFF-SEP-ORPHAN - [0:0]', '-A SKIFF-SEP-ORPHAN -j RETURN'),
      ),
    ).toEqual(['nat: chain SKIFF-SEP-ORPHAN is declared but nothing jumps to it']);
  });

  it('finds a chain reached only from a dead chain', () => {
    const problems = checkRuleset(
      nat(':SKIFF-SERVICES - [0:0]', ':SKIFF-A - [0:0]', ':SKIFF-B - [0:0]', '-A SKIFF-A -j SKIFF-B'),
    );
    expect(problems).toHaveLength(2);
  });

  it('finds rules in built-in chains (they would pile up under --noflush) and jumps to deleted chains', () => {
    const problems = checkRuleset(
      nat(
        ':SKIFF-SERVICES - [0:0]',
        ':SKIFF-OLD - [0:0]',
        '-A PREROUTING -j SKIFF-SERVICES',
        '-A SKIFF-SERVICES -j SKIFF-OLD',
        '-X SKIFF-OLD',
      ),
    );
    expect(problems).toContain('nat line 4: rule in undeclared chain PREROUTING');
    expect(problems).toContain('nat line 5: jump to deleted chain SKIFF-OLD');
  });

  it('finds -X without a declaration, double declarations and rules without a target', () => {
    const problems = checkRuleset(
      nat(
        ':SKIFF-SERVICES - [0:0]',
        ':SKIFF-SERVICES - [0:0]',
        '-A SKIFF-SERVICES -d 10.96.0.1/32',
        '-X SKIFF-GONE',
      ),
    );
    expect(problems).toEqual([
      'nat: chain SKIFF-SERVICES declared twice',
      'nat line 4: rule without a target',
      'nat: -X SKIFF-GONE without declaring (flushing) it first',
    ]);
  });

  it('checks the filter table from its own hooks', () => {
    const text = '*filter\n:SKIFF-PROXY - [0:0]\n-A SKIFF-PROXY -d 10.96.0.0/12 -j REJECT\nCOMMIT\n';
    expect(checkRuleset(text)).toEqual([]);
  });
});
