import { describe, expect, it } from 'vitest';
import { nodeAffinity, NODE_SELECTOR_REASON, termMatches } from './node-affinity.js';
import { newCycle, schedule, type Plugins } from '../framework.js';
import { newNodeInfo } from '../node-info.js';
import { makeNode, makePod } from '../../../test/fakes/scheduler-fixtures.js';
import type { Affinity, NodeSelectorTerm, PreferredSchedulingTerm } from '../../api/types.js';

const required = (...terms: unknown[]): Affinity => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms as NodeSelectorTerm[] },
  },
});
const expr = (key: string, operator: string, values?: string[]) =>
  ({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] }) as NodeSelectorTerm;

describe('NodeAffinity filter', () => {
  it.each<[string, Record<string, string> | undefined, Affinity | undefined, boolean]>([
    ['no selector', undefined, undefined, true],
    ['matching nodeSelector', { disk: 'ssd' }, undefined, true],
    ['label missing', { gpu: 'yes' }, undefined, false],
    ['label has another value', { disk: 'hdd' }, undefined, false],
    ['In', undefined, required(expr('disk', 'In', ['hdd', 'ssd'])), true],
    ['In, label absent', undefined, required(expr('gpu', 'In', ['yes'])), false],
    ['NotIn', undefined, required(expr('disk', 'NotIn', ['ssd'])), false],
    ['NotIn, label absent', undefined, required(expr('gpu', 'NotIn', ['yes'])), true],
    ['Exists', undefined, required(expr('zone', 'Exists')), true],
    ['DoesNotExist', undefined, required(expr('gpu', 'DoesNotExist')), true],
    ['DoesNotExist, label present', undefined, required(expr('zone', 'DoesNotExist')), false],
    ['Gt', undefined, required(expr('cores', 'Gt', ['4'])), true],
    ['Lt', undefined, required(expr('cores', 'Lt', ['4'])), false],
    ['Gt with a negative bound', undefined, required(expr('cores', 'Gt', ['-1'])), true],
    ['Gt against a non-integer label', undefined, required(expr('zone', 'Gt', ['1'])), false],
    ['Gt with a non-integer value is malformed', undefined, required(expr('cores', 'Gt', ['4x'])), false],
    ['Gt with two values is malformed', undefined, required(expr('cores', 'Gt', ['1', '2'])), false],
    ['In without values is malformed', undefined, required(expr('disk', 'In', [])), false],
    ['Exists with values is malformed', undefined, required(expr('disk', 'Exists', ['ssd'])), false],
    ['an unknown operator is malformed', undefined, required(expr('disk', 'Equals', ['ssd'])), false],
    [
      'terms are ORed (a malformed term is skipped)',
      undefined,
      required(expr('gpu', 'Bogus'), expr('gpu', 'Exists'), expr('zone', 'In', ['a'])),
      true,
    ],
    [
      'requirements in a term are ANDed',
      undefined,
      required({
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a'] },
          { key: 'disk', operator: 'In', values: ['hdd'] },
        ],
      }),
      false,
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
    [
      'matchFields NotIn',
      undefined,
      required({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n2'] }] }),
      true,
    ],
    [
      'matchFields with two values is malformed',
      undefined,
      required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1', 'n2'] }] }),
      false,
    ],
    [
      'matchFields on another field is malformed',
      undefined,
      required({ matchFields: [{ key: 'metadata.uid', operator: 'In', values: ['uid-n1'] }] }),
      false,
    ],
    [
      'matchExpressions and matchFields together',
      undefined,
      required({
        matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }],
        matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }],
      }),
      true,
    ],
    ['an empty term matches nothing', undefined, required({}), false],
    ['required without terms matches nothing', undefined, required(), false],
    ['only preferred terms: no constraint', undefined, { nodeAffinity: {} }, true],
    [
      'selector and affinity must both match',
      { disk: 'hdd' },
      required({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }),
      false,
    ],
  ])('%s', (_name, selector, affinity, fits) => {
    const node = makeNode('n1', { labels: { disk: 'ssd', zone: 'a', cores: '8' } });
    const ni = newNodeInfo(node);
    const pod = makePod('p', { nodeSelector: selector, affinity });
    const s = nodeAffinity.filter(pod, ni, newCycle([ni]));
    expect(s).toEqual(
      fits
        ? { code: 'Success', reasons: [] }
        : { code: 'UnschedulableAndUnresolvable', reasons: [NODE_SELECTOR_REASON] },
    );
  });

  it('PreFilter skips pods without nodeSelector or required terms', () => {
    const ni = [newNodeInfo(makeNode('n1'))];
    expect(nodeAffinity.preFilter!(makePod('p'), newCycle(ni)).code).toBe('Skip');
    expect(nodeAffinity.preFilter!(makePod('p', { nodeSelector: { a: 'b' } }), newCycle(ni)).code).toBe(
      'Success',
    );
  });

  it('matches a single node selector term (as the DaemonSet controller uses it)', () => {
    expect(termMatches(expr('zone', 'In', ['a']), makeNode('n', { labels: { zone: 'a' } }))).toBe(true);
    expect(termMatches({}, makeNode('n'))).toBe(false);
  });
});

describe('NodeAffinity score (preferred terms)', () => {
  const pref = (weight: number, preference: NodeSelectorTerm): PreferredSchedulingTerm => ({
    weight,
    preference,
  });
  const nodes = () => [
    newNodeInfo(makeNode('a', { labels: { disk: 'ssd', zone: 'z1' } })),
    newNodeInfo(makeNode('b', { labels: { disk: 'hdd', zone: 'z1' } })),
    newNodeInfo(makeNode('c', { labels: { zone: 'z2' } })),
  ];

  it.each<[string, PreferredSchedulingTerm[], Record<string, number> | 'skip']>([
    ['no preferred terms: skipped', [], 'skip'],
    ['one term: matching nodes get 100', [pref(5, expr('disk', 'Exists'))], { a: 100, b: 100, c: 0 }],
    [
      'weights add up, then scale to 100',
      [pref(80, expr('disk', 'In', ['ssd'])), pref(20, expr('zone', 'In', ['z1']))],
      { a: 100, b: 20, c: 0 },
    ],
    [
      'integer scaling like Go',
      [pref(3, expr('disk', 'In', ['ssd'])), pref(1, expr('zone', 'In', ['z2']))],
      { a: 100, b: 0, c: 33 },
    ],
    ['no node matches: all 0', [pref(10, expr('gpu', 'Exists'))], { a: 0, b: 0, c: 0 }],
    ['weight 0 and empty terms do not count', [pref(0, expr('disk', 'Exists')), pref(7, {})], 'skip'],
    ['a malformed term does not count', [pref(9, expr('disk', 'Gt', ['x']))], 'skip'],
  ])('%s', (_name, terms, expected) => {
    const infos = nodes();
    const ctx = newCycle(infos);
    const pod = makePod('p', {
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms } },
    });
    if (expected === 'skip') return expect(nodeAffinity.preScore!(pod, ctx).code).toBe('Skip');
    expect(nodeAffinity.preScore!(pod, ctx).code).toBe('Success');
    const scores = infos.map((ni) => nodeAffinity.score(pod, ni, ctx));
    nodeAffinity.normalize!(scores, pod, ctx);
    expect(Object.fromEntries(infos.map((ni, i) => [ni.name, scores[i]]))).toEqual(expected);
  });

  it('in schedule(), the preferred node wins when it fits and is passed over when it does not', () => {
    const plugins: Plugins = {
      filters: [nodeAffinity],
      scores: [{ plugin: nodeAffinity, weight: 2 }],
    };
    const affinity: Affinity = {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [pref(50, expr('zone', 'In', ['z2']))],
      },
    };
    expect(schedule(makePod('p', { affinity }), nodes(), plugins).node).toBe('c');
    const withSelector = makePod('p', { affinity, nodeSelector: { zone: 'z1' } });
    expect(schedule(withSelector, nodes(), plugins).node).toBe('a');
  });
});
