import { describe, expect, it } from 'vitest';
import { nodeSelector, NODE_SELECTOR_REASON } from './node-selector.js';
import { newNodeInfo } from '../node-info.js';
import { makeNode, makePod } from '../../../test/fakes/scheduler-fixtures.js';

const required = (...terms: unknown[]) => ({
  nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
});

describe('NodeAffinity (nodeSelector) filter', () => {
  it.each<[string, Record<string, string> | undefined, unknown, boolean]>([
    ['no selector', undefined, undefined, true],
    ['matching nodeSelector', { disk: 'ssd' }, undefined, true],
    ['label missing', { gpu: 'yes' }, undefined, false],
    ['label has another value', { disk: 'hdd' }, undefined, false],
    [
      'In',
      undefined,
      required({ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd', 'ssd'] }] }),
      true,
    ],
    [
      'NotIn',
      undefined,
      required({ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }),
      false,
    ],
    ['Exists', undefined, required({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }), true],
    [
      'DoesNotExist',
      undefined,
      required({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }),
      true,
    ],
    [
      'Gt',
      undefined,
      required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }),
      true,
    ],
    [
      'Lt',
      undefined,
      required({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }),
      false,
    ],
    [
      'terms are ORed',
      undefined,
      required(
        { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] },
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
      ),
      true,
    ],
    [
      'matchFields metadata.name (DaemonSet pods)',
      undefined,
      required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }),
      true,
    ],
    [
      'matchFields other node',
      undefined,
      required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }),
      false,
    ],
    ['an empty term matches nothing', undefined, required({}), false],
    [
      'selector and affinity must both match',
      { disk: 'hdd' },
      required({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }),
      false,
    ],
  ])('%s', (_name, selector, affinity, fits) => {
    const node = makeNode('n1', { labels: { disk: 'ssd', zone: 'a', cores: '8' } });
    const s = nodeSelector.filter(makePod('p', { nodeSelector: selector, affinity }), newNodeInfo(node));
    expect(s).toEqual(
      fits
        ? { code: 'Success', reasons: [] }
        : { code: 'UnschedulableAndUnresolvable', reasons: [NODE_SELECTOR_REASON] },
    );
  });
});
