import { describe, expect, it } from 'vitest';
import { taintToleration, tolerates } from './taint-toleration.js';
import { newNodeInfo } from '../node-info.js';
import { makeNode, makePod } from '../../../test/fakes/scheduler-fixtures.js';
import type { Taint, Toleration } from '../../api/types.js';

const gpu: Taint = { key: 'gpu', value: 'true', effect: 'NoSchedule' };

describe('tolerates', () => {
  it.each<[string, Toleration, Taint, boolean]>([
    [
      'Equal with same key/value/effect',
      { key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      gpu,
      true,
    ],
    ['default operator is Equal', { key: 'gpu', value: 'true' }, gpu, true],
    ['Equal with another value', { key: 'gpu', value: 'false' }, gpu, false],
    ['Exists ignores the value', { key: 'gpu', operator: 'Exists' }, gpu, true],
    ['empty key with Exists tolerates everything', { operator: 'Exists' }, gpu, true],
    ['effect must match when set', { key: 'gpu', operator: 'Exists', effect: 'NoExecute' }, gpu, false],
    ['another key', { key: 'ssd', operator: 'Exists' }, gpu, false],
    [
      'empty value equals absent value',
      { key: 'k', operator: 'Equal', value: '' },
      { key: 'k', effect: 'NoSchedule' },
      true,
    ],
  ])('%s', (_name, toleration, taint, expected) => {
    expect(tolerates(toleration, taint)).toBe(expected);
  });
});

describe('TaintToleration filter', () => {
  it.each<[string, Taint[], Toleration[] | undefined, string, string[]]>([
    ['no taints', [], undefined, 'Success', []],
    [
      'untolerated NoSchedule',
      [gpu],
      undefined,
      'UnschedulableAndUnresolvable',
      ['node(s) had untolerated taint {gpu: true}'],
    ],
    [
      'untolerated NoExecute without value',
      [{ key: 'dedicated', effect: 'NoExecute' }],
      undefined,
      'UnschedulableAndUnresolvable',
      ['node(s) had untolerated taint {dedicated: }'],
    ],
    ['PreferNoSchedule never filters', [{ key: 'x', effect: 'PreferNoSchedule' }], undefined, 'Success', []],
    ['tolerated taint', [gpu], [{ key: 'gpu', operator: 'Exists' }], 'Success', []],
    [
      'first untolerated taint is reported',
      [gpu, { key: 'b', value: '1', effect: 'NoSchedule' }],
      [{ key: 'gpu', operator: 'Exists' }],
      'UnschedulableAndUnresolvable',
      ['node(s) had untolerated taint {b: 1}'],
    ],
  ])('%s', (_name, taints, tolerations, code, reasons) => {
    const s = taintToleration.filter(makePod('p', { tolerations }), newNodeInfo(makeNode('n', { taints })));
    expect(s).toEqual({ code, reasons });
  });
});
