import { describe, expect, it } from 'vitest';
import {
  isFullDisruption,
  isSilent,
  LABEL_EXCLUDE_DISRUPTION,
  observeHeartbeat,
  readyStatus,
  unknownConditions,
  type HeartbeatRecord,
} from './node-health.js';
import { agentConditions, at, condition, makeLease, makeNode, ts } from './test-fixtures.js';

const GRACE = { monitorMs: 10_000, startupMs: 20_000 };

describe('observeHeartbeat', () => {
  it('a node seen for the first time counts as heard from now, whatever its timestamps say', () => {
    const node = makeNode('n', { conditions: agentConditions('True', -3600) });
    expect(observeHeartbeat(undefined, node, makeLease('n', -3600), at(100))).toEqual({
      probeMs: at(100),
      readyHeartbeat: ts(-3600),
      leaseRenewMs: at(-3600),
    });
  });

  it('a node that never posted a Ready condition is timed from its creation', () => {
    const node = makeNode('n', { created: ts(40) });
    expect(observeHeartbeat(undefined, node, undefined, at(100)).probeMs).toBe(at(40));
    expect(observeHeartbeat(undefined, makeNode('n'), undefined, at(100)).probeMs).toBe(at(100));
  });

  // One node over time: which signal (a new Ready lastHeartbeatTime, a newer lease renewTime) refreshes the probe.
  const steps: {
    name: string;
    readyBeat?: number;
    leaseRenew?: number;
    now: number;
    probe: number;
  }[] = [
    { name: 'first look', readyBeat: 0, leaseRenew: 0, now: 1, probe: 1 },
    { name: 'nothing new', readyBeat: 0, leaseRenew: 0, now: 5, probe: 1 },
    { name: 'lease renewed alone', readyBeat: 0, leaseRenew: 6, now: 7, probe: 7 },
    { name: 'status posted alone', readyBeat: 8, leaseRenew: 6, now: 9, probe: 9 },
    { name: 'silence', readyBeat: 8, leaseRenew: 6, now: 25, probe: 9 },
    { name: 'a lease going back in time is no heartbeat', readyBeat: 8, leaseRenew: 2, now: 26, probe: 9 },
    { name: 'a renewal newer than any seen is', readyBeat: 8, leaseRenew: 7, now: 27, probe: 27 },
    { name: 'a changed heartbeat counts even if older', readyBeat: 3, leaseRenew: 7, now: 30, probe: 30 },
    { name: 'the lease vanished', readyBeat: 3, now: 40, probe: 30 },
  ];

  it('notes a heartbeat when either signal moves', () => {
    let rec: HeartbeatRecord | undefined;
    for (const s of steps) {
      const node = makeNode('n', {
        conditions: s.readyBeat !== undefined ? agentConditions('True', s.readyBeat) : undefined,
      });
      const lease = s.leaseRenew !== undefined ? makeLease('n', s.leaseRenew) : undefined;
      rec = observeHeartbeat(rec, node, lease, at(s.now));
      expect({ step: s.name, probe: rec.probeMs }).toEqual({ step: s.name, probe: at(s.probe) });
    }
    expect(rec?.leaseRenewMs).toBe(at(7));
  });

  it('ignores the controller’s own Unknown write (it keeps lastHeartbeatTime)', () => {
    const before = makeNode('n', { conditions: agentConditions('True', 0) });
    const rec = observeHeartbeat(undefined, before, undefined, at(1));
    const after = makeNode('n', { conditions: unknownConditions(before, at(20)) });
    expect(observeHeartbeat(rec, after, undefined, at(21)).probeMs).toBe(at(1));
  });
});

describe('isSilent', () => {
  const node = makeNode('n', { conditions: agentConditions('True') });
  it.each([
    { since: 0, silent: false },
    { since: 9.999, silent: false },
    { since: 10, silent: false },
    { since: 10.001, silent: true },
    { since: 60, silent: true },
  ])('$since s after the last heartbeat: silent=$silent', ({ since, silent }) => {
    expect(isSilent(node, { probeMs: at(0) }, at(since), GRACE)).toBe(silent);
  });

  it('gives a node that never reported the startup grace instead', () => {
    const fresh = makeNode('n');
    expect(isSilent(fresh, { probeMs: at(0) }, at(15), GRACE)).toBe(false);
    expect(isSilent(fresh, { probeMs: at(0) }, at(20.001), GRACE)).toBe(true);
  });
});

describe('unknownConditions', () => {
  it('turns the agent’s conditions Unknown, keeping lastHeartbeatTime and any other condition', () => {
    const conditions = [
      ...agentConditions('True', 5),
      condition('NetworkUnavailable', 'False', 5, { reason: 'RouteCreated' }),
    ];
    const node = makeNode('n', { conditions });
    const out = unknownConditions(node, at(17));
    expect(out).toEqual([
      ...['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({
        type,
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: ts(5),
        lastTransitionTime: ts(17),
      })),
      conditions[4],
    ]);
    expect(node.status?.conditions?.[3].status).toBe('True'); // the input is not changed
  });

  it('adds the conditions a node never posted, as never updated', () => {
    const node = makeNode('n', { created: ts(1) });
    const out = unknownConditions(node, at(30));
    expect(out?.map((c) => [c.type, c.status, c.reason, c.message, c.lastHeartbeatTime])).toEqual(
      ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((t) => [
        t,
        'Unknown',
        'NodeStatusNeverUpdated',
        'Kubelet never posted node status.',
        ts(1),
      ]),
    );
  });

  it('has nothing to write when they are Unknown already (and keeps their transition time)', () => {
    const node = makeNode('n', {
      conditions: unknownConditions(makeNode('x', { conditions: agentConditions('False') }), at(3)),
    });
    expect(unknownConditions(node, at(50))).toBeUndefined();
    expect(readyStatus(node)).toBe('Unknown');
  });
});

describe('isFullDisruption', () => {
  const ready = makeNode('a', { conditions: agentConditions('True') });
  const down = makeNode('b', { conditions: agentConditions('Unknown') });
  const sick = makeNode('c', { conditions: agentConditions('False') });
  const never = makeNode('d');
  it.each([
    { name: 'no nodes', nodes: [], want: false },
    { name: 'one Ready node', nodes: [down, ready, sick], want: false },
    { name: 'none Ready', nodes: [down, sick, never], want: true },
    {
      name: 'a Ready node excluded from the count',
      nodes: [
        down,
        makeNode('e', { conditions: agentConditions('True'), labels: { [LABEL_EXCLUDE_DISRUPTION]: '' } }),
      ],
      want: true,
    },
  ])('$name → $want', ({ nodes, want }) => {
    expect(isFullDisruption(nodes)).toBe(want);
  });
});
