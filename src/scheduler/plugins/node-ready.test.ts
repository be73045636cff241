import { describe, expect, it } from 'vitest';
import { nodeReady } from './node-ready.js';
import { newNodeInfo } from '../node-info.js';
import { makeNode, makePod, type NodeOptions } from '../../../test/fakes/scheduler-fixtures.js';
import type { Toleration } from '../../api/types.js';
import { newCycle } from '../framework.js';

describe('NodeReady filter', () => {
  it.each<[string, NodeOptions['ready'], Toleration[] | undefined, string[]]>([
    ['Ready=True fits', 'True', undefined, []],
    [
      'Ready=False is not-ready',
      'False',
      undefined,
      ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'],
    ],
    [
      'no Ready condition is not-ready',
      'absent',
      undefined,
      ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'],
    ],
    [
      'Ready=Unknown is unreachable',
      'Unknown',
      undefined,
      ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }'],
    ],
    ['tolerating not-ready fits', 'False', [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }], []],
    ['tolerating everything fits', 'Unknown', [{ operator: 'Exists' }], []],
    [
      'a NoExecute-only toleration does not help scheduling',
      'False',
      [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }],
      ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'],
    ],
  ])('%s', (_name, ready, tolerations, reasons) => {
    const s = nodeReady.filter(
      makePod('p', { tolerations }),
      newNodeInfo(makeNode('n', { ready })),
      newCycle([]),
    );
    expect(s.reasons).toEqual(reasons);
    expect(s.code).toBe(reasons.length ? 'UnschedulableAndUnresolvable' : 'Success');
  });
});
