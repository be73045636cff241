import { describe, expect, it } from 'vitest';
import { advanceQuarantine, missingNodes, podsToCollect, TAINT_OUT_OF_SERVICE } from './pod-gc.js';
import { agentConditions, at, makeNode, makePod, ts } from './test-fixtures.js';

describe('missingNodes', () => {
  it('names the nodes pods are bound to that do not exist', () => {
    const pods = [
      makePod('a', { node: 'gone' }),
      makePod('b', { node: 'here' }),
      makePod('c'),
      makePod('d', { node: 'gone' }),
      makePod('e', { node: 'also-gone' }),
    ];
    expect([...missingNodes(pods, [makeNode('here')])].sort()).toEqual(['also-gone', 'gone']);
  });
});

describe('advanceQuarantine', () => {
  it('starts, keeps and drops quarantine times; due once missing for the whole quarantine', () => {
    const q0 = new Map<string, number>();
    const step1 = advanceQuarantine(q0, new Set(['a']), at(0), 10_000);
    expect(step1).toEqual({ quarantine: new Map([['a', at(0)]]), due: [] });
    const step2 = advanceQuarantine(step1.quarantine, new Set(['a', 'b']), at(9.999), 10_000);
    expect(step2.due).toEqual([]);
    const step3 = advanceQuarantine(step2.quarantine, new Set(['a', 'b']), at(10), 10_000);
    expect(step3).toEqual({
      quarantine: new Map([
        ['a', at(0)],
        ['b', at(9.999)],
      ]),
      due: ['a'],
    });
    // 'a' came back (or its pods went): forgotten, and a later absence starts over.
    const step4 = advanceQuarantine(step3.quarantine, new Set(['b']), at(30), 10_000);
    expect(step4).toEqual({ quarantine: new Map([['b', at(9.999)]]), due: ['b'] });
    expect(advanceQuarantine(step4.quarantine, new Set(['a']), at(31), 10_000).due).toEqual([]);
  });
});

describe('podsToCollect', () => {
  const ready = makeNode('ready', { conditions: agentConditions('True') });
  const down = makeNode('down', { conditions: agentConditions('Unknown') });
  const outOfService = makeNode('oos', {
    conditions: agentConditions('Unknown'),
    taints: [{ key: TAINT_OUT_OF_SERVICE, value: 'nodeshutdown', effect: 'NoExecute' }],
  });
  const readyButMarked = makeNode('marked', {
    conditions: agentConditions('True'),
    taints: [{ key: TAINT_OUT_OF_SERVICE, effect: 'NoExecute' }],
  });
  const nodes = [ready, down, outOfService, readyButMarked];

  it('collects orphans, terminating pods on out-of-service nodes and unscheduled terminating pods only', () => {
    const pods = [
      makePod('orphan', { node: 'deleted' }),
      makePod('orphan-done', { node: 'deleted', phase: 'Succeeded' }),
      makePod('missing-not-confirmed', { node: 'lagging' }),
      makePod('running-on-down', { node: 'down' }),
      makePod('terminating-on-down', { node: 'down', deletionTimestamp: ts(5) }),
      makePod('oos-late', { node: 'oos', deletionTimestamp: ts(9) }),
      makePod('oos-early', { node: 'oos', deletionTimestamp: ts(2) }),
      makePod('oos-running', { node: 'oos' }),
      makePod('terminating-on-ready-marked', { node: 'marked', deletionTimestamp: ts(1) }),
      makePod('unscheduled-terminating', { deletionTimestamp: ts(4) }),
      makePod('unscheduled'),
    ];
    const out = podsToCollect(pods, nodes, new Set(['deleted']));
    expect(out.map((v) => [v.pod.metadata.name, v.reason, v.condition?.reason])).toEqual([
      ['orphan', 'orphaned', 'DeletionByPodGC'],
      ['orphan-done', 'orphaned', 'DeletionByPodGC'],
      ['oos-early', 'terminating-out-of-service', undefined],
      ['unscheduled-terminating', 'unscheduled-terminating', undefined],
      ['oos-late', 'terminating-out-of-service', undefined],
    ]);
  });
});
