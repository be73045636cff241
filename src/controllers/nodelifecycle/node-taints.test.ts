import { describe, expect, it } from 'vitest';
import type { NodeCondition, Taint } from '../../api/types.js';
import {
  reconcileTaints,
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
} from './node-taints.js';
import { agentConditions, at, condition, makeNode, ts } from './test-fixtures.js';

const NOW = at(100);
const added = (key: string, effect: Taint['effect']): Taint => ({ key, effect, timeAdded: ts(100) });
const old = (key: string, effect: Taint['effect'], seconds = 1): Taint => ({
  key,
  effect,
  timeAdded: ts(seconds),
});
const user: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

describe('reconcileTaints', () => {
  const cases: {
    name: string;
    conditions?: NodeCondition[];
    taints?: Taint[];
    unschedulable?: boolean;
    noExecute?: boolean;
    want: Taint[];
  }[] = [
    { name: 'Ready node, no taints', conditions: agentConditions('True'), want: [] },
    {
      name: 'Ready=Unknown: unreachable NoSchedule and NoExecute, stamped now',
      conditions: agentConditions('Unknown'),
      taints: [user],
      want: [user, added(TAINT_UNREACHABLE, 'NoSchedule'), added(TAINT_UNREACHABLE, 'NoExecute')],
    },
    {
      name: 'Ready=False: not-ready NoSchedule and NoExecute',
      conditions: agentConditions('False'),
      want: [added(TAINT_NOT_READY, 'NoSchedule'), added(TAINT_NOT_READY, 'NoExecute')],
    },
    {
      name: 'not-ready swapped for unreachable when the node goes silent',
      conditions: agentConditions('Unknown'),
      taints: [old(TAINT_NOT_READY, 'NoSchedule'), user, old(TAINT_NOT_READY, 'NoExecute')],
      want: [user, added(TAINT_UNREACHABLE, 'NoSchedule'), added(TAINT_UNREACHABLE, 'NoExecute')],
    },
    {
      name: 'taints that stay keep their timeAdded',
      conditions: agentConditions('Unknown'),
      taints: [old(TAINT_UNREACHABLE, 'NoExecute', 7), old(TAINT_UNREACHABLE, 'NoSchedule', 3)],
      want: [old(TAINT_UNREACHABLE, 'NoExecute', 7), old(TAINT_UNREACHABLE, 'NoSchedule', 3)],
    },
    {
      name: 'Ready again: both kinds removed, the user’s taint kept',
      conditions: agentConditions('True'),
      taints: [old(TAINT_UNREACHABLE, 'NoSchedule'), user, old(TAINT_UNREACHABLE, 'NoExecute')],
      want: [user],
    },
    {
      name: 'cordoned: unschedulable NoSchedule',
      conditions: agentConditions('True'),
      unschedulable: true,
      want: [added(TAINT_UNSCHEDULABLE, 'NoSchedule')],
    },
    {
      name: 'uncordoned: unschedulable removed',
      conditions: agentConditions('True'),
      taints: [old(TAINT_UNSCHEDULABLE, 'NoSchedule')],
      want: [],
    },
    {
      name: 'pressure and network conditions: NoSchedule only',
      conditions: [
        condition('MemoryPressure', 'True'),
        condition('DiskPressure', 'True'),
        condition('PIDPressure', 'True'),
        condition('NetworkUnavailable', 'True'),
        condition('Ready', 'True'),
      ],
      want: [
        added(TAINT_MEMORY_PRESSURE, 'NoSchedule'),
        added(TAINT_DISK_PRESSURE, 'NoSchedule'),
        added(TAINT_PID_PRESSURE, 'NoSchedule'),
        added(TAINT_NETWORK_UNAVAILABLE, 'NoSchedule'),
      ],
    },
    {
      name: 'full disruption: no NoExecute, and those placed are lifted',
      conditions: agentConditions('Unknown'),
      taints: [old(TAINT_UNREACHABLE, 'NoExecute'), old(TAINT_UNREACHABLE, 'NoSchedule')],
      noExecute: false,
      want: [old(TAINT_UNREACHABLE, 'NoSchedule')],
    },
    {
      name: 'a duplicate managed taint goes, same keys with other effects are the user’s',
      conditions: agentConditions('Unknown'),
      taints: [
        old(TAINT_UNREACHABLE, 'NoExecute'),
        old(TAINT_UNREACHABLE, 'NoExecute', 2),
        { key: TAINT_UNREACHABLE, effect: 'PreferNoSchedule' },
        { key: TAINT_UNSCHEDULABLE, effect: 'NoExecute' },
      ],
      want: [
        old(TAINT_UNREACHABLE, 'NoExecute'),
        { key: TAINT_UNREACHABLE, effect: 'PreferNoSchedule' },
        { key: TAINT_UNSCHEDULABLE, effect: 'NoExecute' },
        added(TAINT_UNREACHABLE, 'NoSchedule'),
      ],
    },
    { name: 'no Ready condition yet: nothing', taints: [user], want: [user] },
  ];

  it.each(cases)('$name', ({ conditions, taints, unschedulable, noExecute, want }) => {
    const node = makeNode('n', { conditions, taints, unschedulable });
    const out = reconcileTaints(node, NOW, { noExecute: noExecute ?? true });
    expect(out.taints).toEqual(want);
    expect(out.changed).toBe(JSON.stringify(want) !== JSON.stringify(taints ?? []));
  });
});
