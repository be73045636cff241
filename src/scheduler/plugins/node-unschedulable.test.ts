import { describe, expect, it } from 'vitest';
import { nodeUnschedulable, NODE_UNSCHEDULABLE_REASON } from './node-unschedulable.js';
import { newNodeInfo } from '../node-info.js';
import { makeNode, makePod } from '../../../test/fakes/scheduler-fixtures.js';
import type { Toleration } from '../../api/types.js';
import { newCycle } from '../framework.js';

describe('NodeUnschedulable filter', () => {
  it.each<[string, boolean, Toleration[] | undefined, boolean]>([
    ['schedulable node', false, undefined, true],
    ['cordoned node', true, undefined, false],
    [
      'cordoned node, toleration as DaemonSets add',
      true,
      [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
      true,
    ],
    ['cordoned node, unrelated toleration', true, [{ key: 'other', operator: 'Exists' }], false],
  ])('%s', (_name, cordoned, tolerations, fits) => {
    const s = nodeUnschedulable.filter(
      makePod('p', { tolerations }),
      newNodeInfo(makeNode('n', { unschedulable: cordoned })),
      newCycle([]),
    );
    expect(s).toEqual(
      fits
        ? { code: 'Success', reasons: [] }
        : { code: 'UnschedulableAndUnresolvable', reasons: [NODE_UNSCHEDULABLE_REASON] },
    );
  });
});
