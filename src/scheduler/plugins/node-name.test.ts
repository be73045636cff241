import { describe, expect, it } from 'vitest';
import { nodeName, NODE_NAME_REASON } from './node-name.js';
import { newNodeInfo } from '../node-info.js';
import { makeNode, makePod } from '../../../test/fakes/scheduler-fixtures.js';
import { newCycle } from '../framework.js';

describe('NodeName filter', () => {
  it.each([
    { name: 'no nodeName fits any node', podNode: undefined, node: 'n1', code: 'Success', reasons: [] },
    { name: 'matching nodeName fits', podNode: 'n1', node: 'n1', code: 'Success', reasons: [] },
    {
      name: 'other nodeName does not fit',
      podNode: 'n2',
      node: 'n1',
      code: 'UnschedulableAndUnresolvable',
      reasons: [NODE_NAME_REASON],
    },
  ])('$name', ({ podNode, node, code, reasons }) => {
    const s = nodeName.filter(makePod('p', { nodeName: podNode }), newNodeInfo(makeNode(node)), newCycle([]));
    expect(s).toEqual({ code, reasons });
  });
});

describe('NodeName preFilter', () => {
  it('skips the per-node filter for a pod that names no node', () => {
    expect(nodeName.preFilter!(makePod('p'), newCycle([])).code).toBe('Skip');
    expect(nodeName.preFilter!(makePod('p', { nodeName: 'n1' }), newCycle([])).code).toBe('Success');
  });
});
