import { describe, expect, it } from 'vitest';
import { taintToleration, tolerates } from './taint-toleration.js';
import { newNodeInfo } from '../node-info.js';
import { makeNode, makePod } from '../../../test/fakes/scheduler-fixtures.js';
import type { Taint, Toleration } from '../../api/types.js';
import { newCycle } from '../framework.js';

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
    const s = taintToleration.filter(
      makePod('p', { tolerations }),
      newNodeInfo(makeNode('n', { taints })),
      newCycle([]),
    );
    expect(s).toEqual({ code, reasons });
  });
});

describe('TaintToleration score (PreferNoSchedule)', () => {
  const soft = (key: string, value?: string): Taint => ({ key, value, effect: 'PreferNoSchedule' });
  it.each<[string, Record<string, Taint[]>, Toleration[] | undefined, Record<string, number>]>([
    ['no taints anywhere: all 100', { a: [], b: [] }, undefined, { a: 100, b: 100 }],
    [
      'more untolerated taints score lower',
      { a: [], b: [soft('x')], c: [soft('x'), soft('y')] },
      undefined,
      { a: 100, b: 50, c: 0 },
    ],
    ['NoSchedule taints do not count here', { a: [gpu], b: [soft('x')] }, undefined, { a: 100, b: 0 }],
    [
      'a tolerated taint does not count',
      { a: [soft('x')], b: [soft('y')] },
      [{ key: 'x', operator: 'Exists' }],
      { a: 100, b: 0 },
    ],
    [
      'a toleration for another effect does not help',
      { a: [soft('x')], b: [] },
      [{ key: 'x', operator: 'Exists', effect: 'NoSchedule' }],
      { a: 0, b: 100 },
    ],
    [
      'an effect-less toleration helps',
      { a: [soft('x', 'v')], b: [] },
      [{ key: 'x', value: 'v' }],
      { a: 100, b: 100 },
    ],
  ])('%s', (_name, taintsByNode, tolerations, expected) => {
    const infos = Object.entries(taintsByNode).map(([n, taints]) => newNodeInfo(makeNode(n, { taints })));
    const pod = makePod('p', { tolerations });
    const ctx = newCycle(infos);
    const scores = infos.map((ni) => taintToleration.score(pod, ni, ctx));
    taintToleration.normalize!(scores, pod, ctx);
    expect(Object.fromEntries(infos.map((ni, i) => [ni.name, scores[i]]))).toEqual(expected);
  });
});
