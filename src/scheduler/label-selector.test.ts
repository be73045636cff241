import { describe, expect, it } from 'vitest';
import { compileSelector, selectorOf, setRequirements } from './label-selector.js';
import type { LabelSelector } from '../api/types.js';

describe('compileSelector (metav1.LabelSelectorAsSelector)', () => {
  const labels = { app: 'web', tier: 'fe' };
  it.each<[string, LabelSelector | undefined, boolean]>([
    ['absent selects nothing', undefined, false],
    ['empty selects everything', {}, true],
    ['matchLabels', { matchLabels: { app: 'web' } }, true],
    ['matchLabels with another value', { matchLabels: { app: 'db' } }, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] }, true],
    ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['fe'] }] }, false],
    [
      'NotIn on an absent key',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      true,
    ],
    ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    [
      'requirements are ANDed',
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] },
      false,
    ],
    [
      'In without values is malformed: nothing',
      { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] },
      false,
    ],
    [
      'an unknown operator is malformed: nothing',
      { matchExpressions: [{ key: 'app', operator: 'Gt' as 'In', values: ['1'] }] },
      false,
    ],
  ])('%s', (_name, sel, matches) => {
    expect(compileSelector(sel).matches(labels)).toBe(matches);
  });

  it('memoizes per selector object and tells Everything and Nothing apart', () => {
    const sel: LabelSelector = { matchLabels: { a: 'b' } };
    expect(compileSelector(sel)).toBe(compileSelector(sel));
    expect(compileSelector({}).everything).toBe(true);
    expect(compileSelector(undefined).nothing).toBe(true);
    expect(
      compileSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }).nothing,
    ).toBe(true);
  });

  it('does not take prototype properties for labels', () => {
    expect(compileSelector({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }).matches({})).toBe(
      false,
    );
  });

  it('merges a label set with requirements', () => {
    const s = selectorOf([
      ...setRequirements({ app: 'web' }),
      { key: 'rev', operator: 'NotIn', values: ['1'] },
    ]);
    expect(s.matches({ app: 'web', rev: '2' })).toBe(true);
    expect(s.matches({ app: 'web', rev: '1' })).toBe(false);
    expect(selectorOf([]).everything).toBe(true);
  });
});
