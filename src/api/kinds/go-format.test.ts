import { describe, expect, it } from 'vitest';
import { goIntOrString, goLabelSelector, goStringMap } from './go-format.js';
import { intOrPercentValue, selectorConvertible, selectorMatches } from './workload-validation.js';

describe('Go %#v formatting', () => {
  it.each<[unknown, string]>([
    [undefined, 'map[string]string(nil)'],
    [{}, 'map[string]string{}'],
    [{ tier: 'fe', app: 'web' }, 'map[string]string{"app":"web", "tier":"fe"}'],
  ])('map %j', (map, text) => {
    expect(goStringMap(map)).toBe(text);
  });

  it('label selectors', () => {
    expect(
      goLabelSelector({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe(
      'v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"tier", Operator:"In", Values:[]string{"a", "b"}}, v1.LabelSelectorRequirement{Key:"canary", Operator:"DoesNotExist", Values:[]string(nil)}}}',
    );
  });

  it.each<[unknown, string]>([
    [0, 'intstr.IntOrString{Type:0, IntVal:0, StrVal:""}'],
    [3, 'intstr.IntOrString{Type:0, IntVal:3, StrVal:""}'],
    ['25%', 'intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}'],
  ])('int-or-string %j', (v, text) => {
    expect(goIntOrString(v)).toBe(text);
  });
});

describe('selector helpers', () => {
  it('an absent selector selects nothing, an empty one everything', () => {
    expect(selectorMatches(undefined, { app: 'x' })).toBe(false);
    expect(selectorMatches({}, { app: 'x' })).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'x' } }, { app: 'x', other: 'y' })).toBe(true);
  });

  it.each<[unknown, boolean]>([
    [undefined, true],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'In' }] }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['1'] }] }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, false],
    [{ matchLabels: 'app=x' }, false],
  ])('%j can be used: %s', (sel, ok) => {
    expect(selectorConvertible(sel)).toBe(ok);
  });

  it.each<[unknown, number]>([
    [2, 2],
    ['25%', 25],
    ['3', 3],
    ['x', 0],
    [undefined, 0],
  ])('int-or-percent %j is %d', (v, n) => {
    expect(intOrPercentValue(v)).toBe(n);
  });
});
