import { describe, expect, it } from 'vitest';
import { selectorSpread } from './selector-spread.js';
import { newNodeInfo } from '../node-info.js';
import { makeNode, makePod } from '../../../test/fakes/scheduler-fixtures.js';

describe('SelectorSpread score', () => {
  it.each<[string, string | undefined, Record<string, number>, Record<string, number>]>([
    ['fewer siblings score higher', 'rs-1', { a: 0, b: 1, c: 2 }, { a: 100, b: 50, c: 0 }],
    ['no siblings anywhere: all equal', 'rs-1', { a: 0, b: 0 }, { a: 100, b: 100 }],
    ['pods of other controllers do not count', 'rs-2', { a: 2, b: 0 }, { a: 100, b: 100 }],
    ['a pod without a controller: all equal', undefined, { a: 3, b: 0 }, { a: 100, b: 100 }],
    ['uneven counts', 'rs-1', { a: 1, b: 3, c: 0 }, { a: 66, b: 0, c: 100 }],
  ])('%s', (_name, owner, siblingsPerNode, expected) => {
    const infos = Object.entries(siblingsPerNode).map(([node, n]) =>
      newNodeInfo(
        makeNode(node),
        Array.from({ length: n }, (_, i) => makePod(`${node}-${i}`, { owner: 'rs-1', nodeName: node })),
      ),
    );
    const pod = makePod('new', { owner });
    const ctx = { feasible: infos };
    const scores = infos.map((ni) => selectorSpread.score(pod, ni, ctx));
    selectorSpread.normalize!(scores, pod, ctx);
    expect(Object.fromEntries(infos.map((ni, i) => [ni.name, scores[i]]))).toEqual(expected);
  });
});
